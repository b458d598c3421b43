using SweepLab.Compute;
using SweepLab.Engine.Configuration;
using SweepLab.Simulation;

namespace SweepLab.Engine.Tests;

/// <summary>A class that loses every particle (more classes than the data has, a fixed learning rate of 1) stays a valid, empty class.</summary>
[Collection(EngineDeviceCollection.Name)]
public class EmptyClassTests(EngineDeviceFixture devices)
{
    [SkippableFact]
    public void EmptyClassesAtLearningRateOneGiveFiniteResults()
    {
        var (input, _) = EngineTestData.Simulated(
            new SimulationSettings { Particles = 400, BoxPixels = 32, PixelSizeAngstrom = 6, Snr = 0.3, Seed = 3, SubunitMassFraction = 0.3 },
            targetResolutionAngstrom: 15);
        var config = new ClassificationConfig
        {
            ClassCount = 4, TargetResolutionAngstrom = 15, Seed = 1, LearningRateInit = 1, LearningRateHalfLife = 0, BatchSizePerClass = 50,
        };
        using var kernels = devices.Kernels(ComputeBackend.Pocl, input.Particles);
        var result = new ClassificationEngine(kernels, input).Run(config);
        Assert.Contains(result.ClassFractionsHard, f => f == 0); // the case under test: a class emptied
        Assert.All(result.Volumes, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
        Assert.All(result.Ess, e => Assert.True(e >= 1 && e <= 4));
        Assert.True(result.Truth!.Accuracy > 0.9, $"accuracy {result.Truth.Accuracy}");
    }
}
