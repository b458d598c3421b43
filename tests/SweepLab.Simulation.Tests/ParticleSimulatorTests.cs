using SweepLab.Core.Ctf;
using SweepLab.Core.Geometry;
using SweepLab.Simulation;

namespace SweepLab.Simulation.Tests;

public class ParticleSimulatorTests
{
    private static SimulationSettings Small(ulong seed = 3) => new()
    {
        Particles = 60, BoxPixels = 32, PixelSizeAngstrom = 4.0, Snr = 0.5, Seed = seed, CoreBlobs = 20,
    };

    [Fact]
    public void SameSeedSameBytesDifferentSeedDifferentParticles()
    {
        var a = ParticleSimulator.Simulate(Small());
        var b = ParticleSimulator.Simulate(Small());
        var c = ParticleSimulator.Simulate(Small(seed: 4));
        Assert.Equal(a.Images, b.Images);
        Assert.Equal(a.TrueClass, b.TrueClass);
        Assert.Equal(a.Particles, b.Particles);
        Assert.NotEqual(a.Images, c.Images);
        Assert.NotEqual(a.Particles[0].Rotation, c.Particles[0].Rotation);
    }

    [Theory]
    [InlineData(NoiseColour.White, 7)]
    [InlineData(NoiseColour.Coloured, 16)]
    public void StreamedSimulationWritesTheSameFilesAsTheInMemoryOne(NoiseColour noise, int chunk)
    {
        var settings = Small() with { Noise = noise, ShiftSigmaAngstrom = 3, AmplitudeScaleSpread = 0.2 };
        string root = Directory.CreateTempSubdirectory("sweeplab-stream-").FullName;
        try
        {
            var memory = SimulatedDatasetWriter.Write(Path.Combine(root, "memory"), ParticleSimulator.Simulate(settings));
            var (streamed, dataset) = SimulatedDatasetWriter.Simulate(Path.Combine(root, "streamed"), settings, chunkParticles: chunk);
            Assert.Equal(memory.Select(Path.GetFileName), streamed.Select(Path.GetFileName));
            foreach (var (a, b) in memory.Zip(streamed)) Assert.True(File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b)), $"{Path.GetFileName(a)} differs");
            Assert.Empty(dataset.Images);
            Assert.Equal(ParticleSimulator.Simulate(settings).NoiseSigma, dataset.NoiseSigma);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(1000, new[] { 0.6, 0.4 })]
    [InlineData(997, new[] { 0.5, 0.4, 0.1 })]
    [InlineData(1000, new[] { 0.7, 0.25, 0.05 })]
    public void ClassCountsMeetTheFractionsToOneParticle(int particles, double[] fractions)
    {
        var settings = new SimulationSettings
        {
            Particles = particles, Fractions = fractions,
            Preset = fractions.Length > 2 ? HeterogeneityPreset.Multiclass : HeterogeneityPreset.Compositional,
        };
        var labels = ParticleSimulator.DrawLabels(settings);
        for (int k = 0; k < fractions.Length; k++)
            Assert.InRange(labels.Count(l => l == k), Math.Floor(fractions[k] * particles), Math.Ceiling(fractions[k] * particles));
        Assert.NotEqual(labels.OrderBy(l => l).ToArray(), labels); // shuffled, not blocks
    }

    [Theory]
    [InlineData(0.05, NoiseColour.White)]
    [InlineData(0.2, NoiseColour.White)]
    [InlineData(0.1, NoiseColour.Coloured)]
    public void MeasuredSnrMatchesTheRequestedOne(double snr, NoiseColour colour)
    {
        var settings = Small() with { Particles = 200, Snr = snr, Noise = colour };
        var noisy = ParticleSimulator.Simulate(settings);
        var clean = ParticleSimulator.Simulate(settings with { Snr = 1e12 });
        double noiseVariance = 0;
        int pixels = settings.BoxPixels * settings.BoxPixels;
        for (long i = 0; i < noisy.Images.Length; i++)
        {
            double d = noisy.Images[i] - clean.Images[i];
            noiseVariance += d * d;
        }
        noiseVariance /= noisy.Images.Length;
        // 200 x 1024 samples: the variance estimate is good to ~1%; coloured noise has fewer independent samples.
        Assert.InRange(clean.SignalVariance / noiseVariance, snr * 0.95, snr * 1.05);
        Assert.Equal(clean.SignalVariance, noisy.SignalVariance, 12);
        Assert.True(pixels > 0);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(65)]
    public void AnalyticProjectionMatchesARealSpaceProjectionOfTheRenderedMap(int box)
    {
        // Independent route: render the blobs on a grid, rotate the grid (A^T sampling), sum along z.
        var settings = Small() with { BoxPixels = box, PixelSizeAngstrom = 3.0 };
        var phantom = PhantomFactory.Create(settings)[0];
        var volume = phantom.Render(box, settings.PixelSizeAngstrom);
        var pose = Rotation.FromRelionEulerDegrees(37, 71, -122);
        var rotated = new float[volume.Length];
        RealSpace.RotateVolumeTrilinear(volume, box, pose, rotated);
        var reference = new float[box * box];
        RealSpace.ProjectAlongZ(rotated, box, reference);
        var analytic = ParticleSimulator.RenderProjection(phantom, pose, 0, 0, settings.PixelSizeAngstrom, box, ctf: null);
        Assert.True(Correlation(analytic, reference) > 0.995, $"correlation {Correlation(analytic, reference)}");
        // Same scale: the analytic line integral equals the voxel sum along z.
        Assert.InRange(analytic.Sum() / reference.Sum(), 0.98, 1.02);
    }

    [Fact]
    public void OriginPutsTheParticleCentreAtMinusTheOrigin()
    {
        var settings = Small() with { BoxPixels = 64, PixelSizeAngstrom = 2.0 };
        var phantom = new Phantom("dot", [new GaussianBlob(0, 0, 0, 4, 1)]);
        var image = ParticleSimulator.RenderProjection(phantom, Rotation.Identity, 10, -6, settings.PixelSizeAngstrom, 64, ctf: null);
        int argmax = Array.IndexOf(image, image.Max());
        Assert.Equal(32 - 5, argmax % 64);
        Assert.Equal(32 + 3, argmax / 64);
    }

    [Fact]
    public void CtfIsAppliedWithRelionsSign()
    {
        // At low frequency RELION's CTF is positive (about the amplitude contrast, rising), so a small blob keeps
        // positive contrast at its centre for a small defocus and the image integral is CTF(0) times the clean one.
        var phantom = new Phantom("dot", [new GaussianBlob(0, 0, 0, 6, 1)]);
        var ctf = new CtfParameters(5000, 5000, 0, 300, 2.7, 0.1);
        var clean = ParticleSimulator.RenderProjection(phantom, Rotation.Identity, 0, 0, 2.0, 64, ctf: null);
        var withCtf = ParticleSimulator.RenderProjection(phantom, Rotation.Identity, 0, 0, 2.0, 64, ctf);
        Assert.Equal(0.1 * clean.Sum(), withCtf.Sum(), 2);
    }

    [Fact]
    public void BadSettingsAreRejectedWithTheOptionNamed()
    {
        var errors = new SimulationSettings { Fractions = [0.7, 0.4], Snr = 0, BoxPixels = 8 }.Validate();
        Assert.Contains(errors, e => e.StartsWith("--fractions") && e.Contains("sum to 1"));
        Assert.Contains(errors, e => e.StartsWith("--snr"));
        Assert.Contains(errors, e => e.StartsWith("--box"));
        Assert.Throws<ArgumentException>(() => ParticleSimulator.Simulate(new SimulationSettings { Snr = -1 }));
    }

    [Fact]
    public void PresetsDifferWhereTheyShould()
    {
        var compositional = PhantomFactory.Create(Small());
        Assert.Equal(0.2, 1 - compositional[1].Mass / compositional[0].Mass, 6);
        var conformational = PhantomFactory.Create(Small() with { Preset = HeterogeneityPreset.Conformational });
        Assert.Equal(conformational[0].Mass, conformational[1].Mass, 6);
        var multi = PhantomFactory.Create(Small() with { Preset = HeterogeneityPreset.Multiclass, Fractions = [0.45, 0.45, 0.05, 0.05] });
        Assert.Equal(4, multi.Count);
        // Phantoms depend on the seed only, not on how many particles are drawn.
        Assert.Equal(PhantomFactory.Create(Small())[0].Blobs, PhantomFactory.Create(Small() with { Particles = 7 })[0].Blobs);
    }

    internal static double Correlation(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length; mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i] - ma, y = b[i] - mb;
            sab += x * y; saa += x * x; sbb += y * y;
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
