namespace SweepLab.Engine.Configuration;

/// <summary>How the K starting volumes are made.</summary>
public enum InitialisationMode
{
    /// <summary>Each class reconstructed from its own random subset of init_subset_size particles (cryoSPARC "simple").</summary>
    Simple,
    /// <summary>Volumes supplied by the user, one per class.</summary>
    InputVolumes,
    /// <summary>pca_reconstruction_count subset reconstructions, projected on their first pca_component_count principal
    /// components and clustered into K groups whose means start the classes (cryoSPARC "PCA").</summary>
    Pca,
    /// <summary>RELION's start: every class is the consensus map low-passed to init_lowpass_resolution_angstrom, and the
    /// first iteration assigns each particle to one random class (a hard random partition), so all class differences
    /// start from subset noise at low resolution (relion_refine --ref consensus --ini_high).</summary>
    Consensus,
}

/// <summary>
/// How class similarity s modifies the E-step posteriors. Public sources fix only the end points (s = 1: every
/// particle in every class equally; s = 0: the computed posteriors as they are), so both readings are offered for
/// sweeps to compare; see <see cref="SweepLab.Engine.Posteriors.ClassPosterior"/> for the formulas.
/// </summary>
public enum SimilarityModel
{
    /// <summary>Tempered likelihood: p_k proportional to pi_k exp((1 - s) L_k).</summary>
    Tempered,
    /// <summary>Mixture with the uniform distribution: p_k = (1 - s) posterior_k + s / K.</summary>
    Mixture,
}

/// <summary>Noise variance model of the Gaussian likelihood.</summary>
public enum NoiseModel
{
    /// <summary>One variance per Fourier shell (radius), estimated from the data, as RELION and cryoSPARC do.</summary>
    Coloured,
    /// <summary>One variance for all Fourier pixels (the shell variances averaged, weighted by pixel count).</summary>
    White,
}

/// <summary>How the noise spectrum of the likelihood evolves during a run.</summary>
public enum NoiseUpdate
{
    /// <summary>Estimated once from the residuals against the consensus map and kept (the same for every configuration).</summary>
    Static,
    /// <summary>Re-estimated every iteration from the posterior-weighted residuals of the batch against the run's own class
    /// maps, blended with the learning rate (RELION re-estimates it every iteration; with a full batch and rate 1 this is its update).</summary>
    PerIteration,
}

/// <summary>Which signal spectrum tau^2 sets the Wiener regulariser sigma^2 / (T tau^2) of each class reconstruction.</summary>
public enum Tau2Source
{
    /// <summary>The consensus map's noise-debiased spectrum, shared by every class.</summary>
    Consensus,
    /// <summary>Each class's own previous map: tau^2_k = shell power of map k (RELION's Class3D), no regulariser below
    /// shell 5 (RELION's minres_map). Classes gain detail as fast as their own signal allows.</summary>
    ClassMap,
}

/// <summary>Which Fourier shells the likelihood uses ("current resolution").</summary>
public enum ResolutionSchedule
{
    /// <summary>Shells up to the first where the consensus-predicted class SSNR falls below 1, fixed for the run.</summary>
    Fixed,
    /// <summary>RELION's schedule: start at init_lowpass_resolution_angstrom + 10 shells; after every M-step the limit is the
    /// last shell where the best class's SSNR (T tau^2_k mean(CTF^2 weight) / sigma^2) is still >= 1, plus 10 shells.
    /// Class maps are zero beyond the limit. DC is left out of the likelihood, as RELION does.</summary>
    Grow,
}

/// <summary>Random-stream numbers of the engine: each use of randomness draws from its own stream of <see cref="SweepLab.Core.Random.CounterRng"/>.</summary>
public static class EngineRngStreams
{
    /// <summary>Per-epoch particle permutations of online EM (index = epoch, draw = position).</summary>
    public const uint BatchPermutation = 0x42415443; // "BATC"
    /// <summary>Particle subsets of simple and PCA initialisation (index = subset, draw = position).</summary>
    public const uint InitialisationSubsets = 0x494E4954; // "INIT"
    /// <summary>The random hard partition of consensus initialisation (index = particle, draw 0).</summary>
    public const uint RandomPartition = 0x50415254; // "PART"
}
