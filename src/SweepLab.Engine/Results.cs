using SweepLab.Engine.Configuration;

namespace SweepLab.Engine;

/// <summary>What one iteration did and measured; one row of iterations.csv.</summary>
/// <param name="FractionChanged">Among batch particles seen before, the fraction whose most likely class changed
/// since their previous visit; NaN when none had been seen (the first epoch).</param>
/// <param name="MeanLogLikelihood">Mean over the batch of log sum_k pi_k exp(L_k), L_k = -sum |X - CTF V_k|^2 / sigma^2.</param>
/// <param name="VolumeChangeRms">RMS change of the class volumes' coefficients relative to their previous RMS.</param>
public sealed record IterationMetrics(
    int Iteration,
    int Epoch,
    bool IsFullBatch,
    int BatchSize,
    double LearningRate,
    double Similarity,
    bool Hard,
    IReadOnlyList<double> ClassFractionsHard,
    IReadOnlyList<double> ClassFractionsSoft,
    double MeanEss,
    double MedianEss,
    IReadOnlyList<long> EssHistogram,
    double FractionChanged,
    double MeanLogLikelihood,
    double VolumeChangeRms,
    double WallSeconds);

/// <summary>Agreement with the simulation's truth, when it is known.</summary>
/// <param name="ClassFscResolutionAngstrom">Per recovered class, the 0.143 resolution of its FSC against the true
/// map it was matched to (best permutation).</param>
/// <param name="OracleAccuracy">The ceiling: the accuracy of assigning each particle to the nearest true map at its true
/// pose (flat noise weights over the kept pixels); NaN without true maps.</param>
public sealed record TruthMetrics(double Accuracy, double AdjustedRandIndex, IReadOnlyList<int> TrueClassOfClass,
    IReadOnlyList<double> ClassFscResolutionAngstrom, IReadOnlyList<IReadOnlyList<double>> ClassFsc, double OracleAccuracy = double.NaN);

/// <summary>The outcome of one classification run.</summary>
/// <param name="SplitRatio">Smallest over largest class fraction (hard): 1 is an even split, 0 a collapse.</param>
/// <param name="Volumes">Class volumes in the engine's centred Fourier layout (see FourierVolume).</param>
/// <param name="Posteriors">Final posteriors, particle-major [n * K + k].</param>
/// <param name="LikelihoodResolutionAngstrom">The finest resolution the likelihood used (class SSNR >= 1; see README).</param>
/// <param name="MaskRadiusAngstrom">Radius of the spherical solvent mask used (the automatic one when mask_radius_angstrom = auto); 0 = none, NaN = a mask file.</param>
public sealed record ClassificationResult(
    ClassificationConfig Config,
    string Device,
    double InitialSimilarity,
    IReadOnlyList<IterationMetrics> Iterations,
    int[] Assignments,
    float[] Posteriors,
    double[] MaxPosterior,
    double[] Ess,
    IReadOnlyList<double> ClassFractionsHard,
    IReadOnlyList<double> ClassFractionsSoft,
    double SplitRatio,
    bool Collapsed,
    int? ConvergenceIteration,
    bool StoppedEarly,
    double MeanEss,
    double MedianEss,
    IReadOnlyList<long> EssHistogram,
    TruthMetrics? Truth,
    IReadOnlyList<float[]> Volumes,
    double WallSeconds,
    double LikelihoodResolutionAngstrom,
    double MaskRadiusAngstrom = double.NaN)
{
    public int ClassCount => Config.ClassCount;
}
