using SweepLab.Compute;
using SweepLab.Engine.Configuration;
using SweepLab.Simulation;

namespace SweepLab.Engine.Tests;

/// <summary>
/// A set over the particle memory budget is staged batch by batch (read ahead while the M-step runs) instead of
/// uploaded: a whole classification, online EM then the final full pass, must give the resident run's bits, so the
/// machine's memory never changes a result.
/// </summary>
[Collection(EngineDeviceCollection.Name)]
public class StagedParticlesTests(EngineDeviceFixture devices)
{
    [SkippableFact]
    public void AStagedClassificationIsBitIdenticalToAResidentOne()
    {
        var (input, _) = EngineTestData.Simulated(
            new SimulationSettings { Particles = 600, BoxPixels = 32, PixelSizeAngstrom = 6, Snr = 0.2, Seed = 8, SubunitMassFraction = 0.3 },
            targetResolutionAngstrom: 15);
        var configs = new[]
        {
            new ClassificationConfig { ClassCount = 2, TargetResolutionAngstrom = 15, Seed = 2, BatchSizePerClass = 100 },
            new ClassificationConfig { ClassCount = 2, TargetResolutionAngstrom = 15, Seed = 2, BatchSizePerClass = 100, NoiseUpdate = NoiseUpdate.PerIteration },
        };
        using var resident = devices.Kernels(ComputeBackend.Pocl, input.Particles);
        var expected = new ClassificationEngine(resident, input).RunMany(configs);
        using var staged = devices.Kernels(ComputeBackend.Pocl, input.Particles, kernels =>
        {
            kernels.ParticleBudgetBytes = 1;
            kernels.StageCapacityLimit = 70; // batches of 200 and the final passes span several units
        });
        Assert.True(staged.Staging);
        var actual = new ClassificationEngine(staged, input).RunMany(configs);
        for (int r = 0; r < configs.Length; r++)
        {
            Assert.Equal(expected[r].Assignments, actual[r].Assignments);
            Assert.Equal(expected[r].Posteriors, actual[r].Posteriors);
            Assert.Equal(expected[r].Ess, actual[r].Ess);
            for (int k = 0; k < 2; k++) Assert.Equal(expected[r].Volumes[k], actual[r].Volumes[k]);
            Assert.Equal(expected[r].Iterations.Select(i => i.MeanLogLikelihood), actual[r].Iterations.Select(i => i.MeanLogLikelihood));
        }
        Assert.True(expected[0].Truth!.Accuracy > 0.9, $"accuracy {expected[0].Truth!.Accuracy}"); // a real classification was compared
    }
}
