using SweepLab.Compute;
using SweepLab.Formats.Particles;
using Xunit.Abstractions;

namespace SweepLab.Simulation.Tests.Relion;

/// <summary>
/// The RELION corpus (tests/Shared/RelionCorpus.cs) on a small level: the same level gives the same bytes, the
/// written particles carry the requested SNR and class fractions, relion_project's images are the projections of the
/// truth maps at the STAR file's poses (SweepLab's exact blob projection at the same pose and CTF correlates at 0.99,
/// the transposed pose does not), and at SNR 1 the oracle (nearest true map at the true pose) is right for >= 99% of
/// the particles, which it could not be if the poses, CTFs or image scale in the corpus disagreed with its maps.
/// </summary>
public class RelionCorpusTests(ITestOutputHelper output)
{
    private static readonly CorpusLevel Small = new("test", 2, [0.6, 0.4], 0.10, Snr: 1.0, Particles: 300);

    [SkippableFact]
    public void CorpusIsDeterministicHasTheRequestedSnrAndFractionsAndTheOracleSeparatesItsClasses()
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        using var dir = new TempDir();
        var first = RelionCorpus.Build(dir.File("a"), Small);
        var second = RelionCorpus.Build(dir.File("b"), Small);

        var files = Directory.GetFiles(first.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(first.Folder, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Directory.GetFiles(second.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(second.Folder, f)).Order(StringComparer.Ordinal));
        Assert.Contains("particles.star", files);
        foreach (string file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(first.Folder, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second.Folder, file))),
                $"{file} differs between two builds of the same level");
        Assert.Equal(first.TrueClasses, second.TrueClasses);
        var reopened = RelionCorpus.TryOpen(first.Folder, Small);
        Assert.NotNull(reopened);
        Assert.Equal(first.TrueClasses, reopened!.TrueClasses);
        Assert.Null(RelionCorpus.TryOpen(first.Folder, Small with { Snr = 0.5 }));

        // Fractions to one particle; the classes are mixed in file order.
        for (int c = 0; c < Small.ClassCount; c++)
            Assert.InRange(first.TrueClasses.Count(k => k == c) / (double)first.Count, Small.Fractions[c] - 0.005, Small.Fractions[c] + 0.005);
        Assert.Contains(first.TrueClasses.Take(50), k => k == 1);

        // SNR as SweepLab defines it, measured on the written stack against relion_project's noise-free images.
        var table = RelionParticles.Read(first.StarPath);
        Assert.Equal(first.Count, table.Count);
        int box = Small.BoxPixels, pixels = box * box;
        var (_, noisy) = SweepLab.Formats.Mrc.MrcFile.ReadVolume(first.StackPath);
        var clean = RelionCorpus.ReadNoiseFreeImages(first);
        double signal = 0, noise = 0;
        for (int i = 0; i < first.Count; i++)
        {
            signal += Variance(clean.AsSpan(i * pixels, pixels));
            double sum = 0, sum2 = 0;
            for (int p = i * pixels; p < (i + 1) * pixels; p++) { double d = noisy[p] - clean[p]; sum += d; sum2 += d * d; }
            noise += sum2 / pixels - (sum / pixels) * (sum / pixels);
        }
        double snr = signal / noise;
        output.WriteLine($"measured SNR {snr:F4} (requested {Small.Snr}); signal variance {first.SignalVariance:G4}, noise sigma {first.NoiseSigma:G4}");
        Assert.InRange(snr, 0.9 * Small.Snr, 1.1 * Small.Snr);

        // relion_project's noise-free images against SweepLab's exact projection of the same phantom (pose, CTF as read back).
        var phantoms = PhantomFactory.Create(Small.PhantomSettings);
        double worst = 1, bestTransposed = -1, slopeLow = double.MaxValue, slopeHigh = 0;
        for (int i = 0; i < 12; i++)
        {
            var q = table.Particles[i];
            var image = clean.AsSpan(i * pixels, pixels);
            var ours = ParticleSimulator.RenderProjection(phantoms[first.TrueClasses[i]], q.Rotation, 0, 0, Small.PixelSizeAngstrom, box, q.Ctf);
            double r = ImageCompare.Correlation(image, ours);
            worst = Math.Min(worst, r);
            bestTransposed = Math.Max(bestTransposed, ImageCompare.Correlation(image,
                ParticleSimulator.RenderProjection(phantoms[first.TrueClasses[i]], q.Rotation.Transpose(), 0, 0, Small.PixelSizeAngstrom, box, q.Ctf)));
            double slope = Slope(ours, image);
            slopeLow = Math.Min(slopeLow, slope);
            slopeHigh = Math.Max(slopeHigh, slope);
        }
        output.WriteLine($"relion_project vs SweepLab's projection: lowest correlation {worst:F5}; transposed pose at most {bestTransposed:F3}; " +
            $"least-squares scale RELION/SweepLab {slopeLow:F4} .. {slopeHigh:F4}");
        Assert.True(worst >= 0.99, $"relion_project's image and SweepLab's projection at the same pose correlate at {worst:F4}");
        Assert.True(bestTransposed < 0.9, $"with the pose transposed a particle still correlates at {bestTransposed:F4}: the check cannot see poses");

        Skip.IfNot(TryOpenDevice(out var device, out string why), why);
        using (device)
        using (var kernels = new ClassificationKernels(device!))
        {
            var oracle = RelionCorpusOracle.Classify(kernels, first, targetResolutionAngstrom: 8);
            output.WriteLine($"oracle accuracy at SNR {Small.Snr} ({oracle.TargetResolutionAngstrom} A, {device}): {oracle.Accuracy:F4}");
            Assert.True(oracle.Accuracy >= 0.99, $"the oracle (true maps at the true poses) assigns only {oracle.Accuracy:P1} correctly at SNR {Small.Snr}");
        }
    }

    private static bool TryOpenDevice(out ComputeDevice? device, out string why)
    {
        try
        {
            device = ComputeDevice.Create(ComputeBackend.Auto);
            why = "";
            return true;
        }
        catch (ComputeBackendUnavailableException e)
        {
            device = null;
            why = $"no compute device for the oracle: {e.Message}";
            return false;
        }
    }

    /// <summary>Least-squares b in y = a + b x: the intensity scale of y relative to x.</summary>
    private static double Slope(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double mx = 0, my = 0;
        for (int i = 0; i < x.Length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.Length;
        my /= y.Length;
        double xy = 0, xx = 0;
        for (int i = 0; i < x.Length; i++) { xy += (x[i] - mx) * (y[i] - my); xx += (x[i] - mx) * (x[i] - mx); }
        return xy / xx;
    }

    private static double Variance(ReadOnlySpan<float> values)
    {
        double sum = 0, sum2 = 0;
        foreach (float v in values) { sum += v; sum2 += (double)v * v; }
        double mean = sum / values.Length;
        return sum2 / values.Length - mean * mean;
    }
}
