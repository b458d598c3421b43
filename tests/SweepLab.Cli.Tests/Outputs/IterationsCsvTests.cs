using System.Globalization;
using SweepLab.Cli.Outputs;
using SweepLab.Engine;
using SweepLab.Engine.Configuration;

namespace SweepLab.Cli.Tests.Outputs;

/// <summary>A run's iterations.csv: the bytes it has always had (header, round-trip reals, LF), under any culture.</summary>
public class IterationsCsvTests
{
    private static IterationMetrics Iteration(int i, double logLikelihood, double changed) => new(
        Iteration: i, Epoch: i / 2, IsFullBatch: i == 2, BatchSize: 1000 * (i + 1), LearningRate: 0.1 / (i + 1), Similarity: i == 0 ? 1 : 1E-05,
        Hard: i == 2, ClassFractionsHard: [0.25 + 0.5 * i / 4, 0.75 - 0.5 * i / 4], ClassFractionsSoft: [1.0 / 3, 2.0 / 3],
        MeanEss: 1.5, MedianEss: 1.25, EssHistogram: [3, 0, 12345678901], FractionChanged: changed, MeanLogLikelihood: logLikelihood,
        VolumeChangeRms: 0.123456789012345678, WallSeconds: 12.5);

    private static ClassificationResult Result(params IterationMetrics[] iterations) => new(
        new ClassificationConfig(), "cpu", 0.5, iterations, [], [], [], [], [0.5, 0.5], [0.5, 0.5], 1, false, null, false, 1.5, 1.25, [],
        null, [], 3.0, 10.0);

    /// <summary>Written by the hand-made writer this replaced; the CSV writer must give the same bytes.</summary>
    private const string Expected =
        "iteration,epoch,full_batch,batch_size,learning_rate,class_similarity,hard,fraction_hard_1,fraction_hard_2,fraction_soft_1,fraction_soft_2,mean_ess,median_ess,fraction_changed,mean_log_likelihood,volume_change_rms,wall_seconds,ess_bin_0,ess_bin_1,ess_bin_2\n"
        + "0,0,0,1000,0.1,1,0,0.25,0.75,0.3333333333333333,0.6666666666666666,1.5,1.25,NaN,-130000.5,0.12345678901234568,12.5,3,0,12345678901\n"
        + "1,0,0,2000,0.05,1E-05,0,0.375,0.625,0.3333333333333333,0.6666666666666666,1.5,1.25,0.5,-1E+300,0.12345678901234568,12.5,3,0,12345678901\n"
        + "2,1,1,3000,0.03333333333333333,1E-05,1,0.5,0.5,0.3333333333333333,0.6666666666666666,1.5,1.25,-Infinity,Infinity,0.12345678901234568,12.5,3,0,12345678901\n";

    [Fact]
    public void Writes_the_same_bytes_as_before_under_a_comma_decimal_culture()
    {
        var result = Result(Iteration(0, -130000.5, double.NaN), Iteration(1, -1E+300, 0.5), Iteration(2, double.PositiveInfinity, double.NegativeInfinity));
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var text = new StringWriter();
            RunOutputs.WriteIterations(text, result);
            Assert.Equal(Expected, text.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void A_run_without_iterations_writes_the_header_only()
    {
        var text = new StringWriter();
        RunOutputs.WriteIterations(text, Result());
        Assert.Equal("iteration,epoch,full_batch,batch_size,learning_rate,class_similarity,hard,fraction_hard_1,fraction_hard_2,fraction_soft_1,fraction_soft_2,mean_ess,median_ess,fraction_changed,mean_log_likelihood,volume_change_rms,wall_seconds\n",
            text.ToString());
    }
}
