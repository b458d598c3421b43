using SweepLab.Compute;
using SweepLab.Simulation;

namespace SweepLab.Engine.Tests;

[Collection(EngineDeviceCollection.Name)]
public class ParticleStatisticsTests(EngineDeviceFixture devices, Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public void TheEstimatedNoiseSpectrumMatchesTheNoiseTheSimulatorAdded()
    {
        // White noise of standard deviation sigma per pixel has E|N(k)|^2 = box^2 sigma^2 per coefficient of the
        // unnormalised DFT. Where the blobs carry no signal (high shells), the residual against the consensus is that noise.
        var settings = new SimulationSettings { Particles = 1500, BoxPixels = 48, PixelSizeAngstrom = 4, Snr = 0.05, Seed = 13, CoreBlobs = 30 };
        var (input, dataset) = EngineTestData.Simulated(settings, targetResolutionAngstrom: 8);
        using var kernels = devices.Kernels(ComputeBackend.Pocl, input.Particles);
        var statistics = new ClassificationEngine(kernels, input).Statistics(4);
        double expected = 48.0 * 48.0 * dataset.NoiseSigma * dataset.NoiseSigma;
        int outer = statistics.ShellCount - 2; // away from the last, partly filled shell
        for (int s = outer - 3; s <= outer; s++) output.WriteLine($"shell {s}: estimated / added noise {statistics.NoiseSpectrum[s] / expected:0.0000}");
        for (int s = outer - 3; s <= outer; s++)
            Assert.InRange(statistics.NoiseSpectrum[s] / expected, 0.95, 1.05); // measured 0.992-1.002
        // At low frequency the consensus map carries signal: tau^2 well above the noise a single particle adds.
        Assert.True(statistics.SignalSpectrum[2] > statistics.NoiseSpectrum[2] / input.Particles.Count);
        // The likelihood stops before the empty high shells.
        Assert.True(statistics.LikelihoodShellCount(2) < statistics.ShellCount);
    }
}
