using SweepLab.Compute;
using SweepLab.Engine.Configuration;
using SweepLab.Simulation;

namespace SweepLab.Engine.Tests;

/// <summary>
/// Issue 15's report: learning rate 1 with half-life 0 and 50 particles per class gave NaN. With rate 1 the running
/// sums are the last batch's alone; once a class's posteriors fall to ~1e-36 its CTF^2 weights underflow to denormal
/// floats in the unregularised low shells, and dividing by them overflowed (PoCL divides by multiplying with the
/// reciprocal): +-infinity in the map, NaN after its FFT, and the next E-step refused NaN log-likelihoods.
/// </summary>
[Collection(EngineDeviceCollection.Name)]
public class DyingClassTests(EngineDeviceFixture devices)
{
    private static readonly Lazy<ClassificationInput> Data = new(() => EngineTestData.Simulated(
        new SimulationSettings { Particles = 1000, BoxPixels = 32, PixelSizeAngstrom = 6, Snr = 0.1, Seed = 3, CoreBlobs = 30 },
        targetResolutionAngstrom: 15).Input);

    [SkippableTheory]
    [InlineData(0ul)]
    [InlineData(1ul)]
    public void LearningRateOneWithAFixedRateKeepsEveryMapFinite(ulong seed)
    {
        using var kernels = devices.Kernels(ComputeBackend.Pocl, Data.Value.Particles);
        var config = new ClassificationConfig
        {
            Seed = seed, LearningRateInit = 1, LearningRateHalfLife = 0, BatchSizePerClass = 50, TargetResolutionAngstrom = 15,
        };
        var result = new ClassificationEngine(kernels, Data.Value).Run(config);
        // the run reaches a class whose weight underflows (the case that failed), and stays finite through it
        Assert.Contains(result.Iterations, it => it.ClassFractionsSoft.Min() < 1e-30);
        Assert.All(result.Volumes, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
        Assert.All(result.Posteriors, p => Assert.True(float.IsFinite(p)));
        Assert.All(result.Iterations, it =>
        {
            Assert.True(double.IsFinite(it.MeanLogLikelihood), $"iteration {it.Iteration}: log-likelihood {it.MeanLogLikelihood}");
            Assert.True(double.IsFinite(it.VolumeChangeRms), $"iteration {it.Iteration}: volume change {it.VolumeChangeRms}");
            Assert.True(double.IsFinite(it.MeanEss));
            // the fraction of changed particles is NaN only in the first epoch, where no particle was seen before
            Assert.Equal(it.Epoch == 0, double.IsNaN(it.FractionChanged));
        });
        Assert.Equal(1.0, result.Iterations.Where(i => !i.IsFullBatch).Select(i => i.LearningRate).Distinct().Single());
    }
}
