using SweepLab.Compute;
using SweepLab.Core.Fourier;
using SweepLab.Core.Metrics;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Preprocessing;

namespace SweepLab.TestSupport.Relion;

/// <summary>The oracle's answer: accuracy under the best label permutation and the nearest true map of each particle.</summary>
public sealed record OracleResult(double Accuracy, int[] Assignments, double TargetResolutionAngstrom);

/// <summary>
/// What a classifier that knew the true maps and poses would achieve: each particle goes to the true map whose CTF-
/// modulated central slice at the particle's pose is nearest (least squares over the Fourier pixels kept at the target
/// resolution, flat noise weights, which is the likelihood for white noise). It bounds what any classifier can reach
/// on a corpus level, and it fails if the corpus's poses, CTFs or image scale disagree with its maps.
/// The data reach the kernels as they reach the engine: STAR + MRCS through ParticleSetLoader, maps through
/// FourierVolume as the CLI reads --truth maps.
/// </summary>
public static class RelionCorpusOracle
{
    private const int Chunk = 2048;

    /// <summary>The level's particles as the CLI's classify command loads them.</summary>
    public static ParticleSet LoadParticles(RelionCorpusDataset dataset, double targetResolutionAngstrom) =>
        ParticleSetLoader.Load(RelionParticles.Read(dataset.StarPath), targetResolutionAngstrom);

    /// <summary>The true class of each particle of <paramref name="set"/>, matched by image name (so any row order works).</summary>
    public static int[] TrueClasses(RelionCorpusDataset dataset, ParticleSet set)
    {
        var byName = Enumerable.Range(0, dataset.Count).ToDictionary(RelionCorpus.ImageName, i => dataset.TrueClasses[i], StringComparer.Ordinal);
        return set.Particles.Select(p => byName.TryGetValue(p.ImageName, out int k) ? k
            : throw new InvalidOperationException($"{p.ImageName} is not a particle of {dataset.StarPath}")).ToArray();
    }

    /// <summary>The true maps (truth_class_NNN.mrc) in the engine's centred Fourier layout on <paramref name="set"/>'s cropped box.</summary>
    public static IReadOnlyList<float[]> TrueVolumes(RelionCorpusDataset dataset, ParticleSet set)
    {
        int n = dataset.Level.BoxPixels, m = set.Grid.CroppedBox;
        return dataset.TruthMapPaths.Select(path =>
        {
            var (header, data) = MrcFile.ReadVolume(path);
            if (header.Nx != n || header.Ny != n || header.Nz != n) throw new InvalidOperationException($"{path} is not {n}^3");
            return FourierVolume.FromRealSpace(data, n, m);
        }).ToList();
    }

    /// <summary>The nearest true map per particle; <paramref name="kernels"/> must hold <paramref name="set"/>.</summary>
    public static OracleResult Classify(ClassificationKernels kernels, ParticleSet set, IReadOnlyList<float[]> trueVolumes, IReadOnlyList<int> truth)
    {
        if (kernels.ParticleCount != set.Count) throw new ArgumentException("upload the particle set to the kernels first", nameof(kernels));
        int k = trueVolumes.Count, n = set.Count;
        using var volumes = kernels.CreateVolumes(k);
        for (int c = 0; c < k; c++) volumes.UploadVolume(c, trueVolumes[c]);
        var flat = Enumerable.Repeat(1f, kernels.ShellCount).ToArray();
        var classes = Enumerable.Range(0, k).ToArray();
        var assignments = new int[n];
        var residuals = new float[Chunk * k];
        for (int first = 0; first < n; first += Chunk)
        {
            int count = Math.Min(Chunk, n - first);
            var batch = Enumerable.Range(first, count).ToArray();
            kernels.Residuals(batch, classes, volumes, flat, residuals.AsSpan(0, count * k));
            for (int b = 0; b < count; b++)
            {
                int best = 0;
                for (int c = 1; c < k; c++) if (residuals[b * k + c] < residuals[b * k + best]) best = c;
                assignments[first + b] = best;
            }
        }
        var accuracy = ClusteringAgreement.BestPermutationAccuracy(truth.ToArray(), assignments, k, k);
        return new OracleResult(accuracy.Accuracy, assignments, set.Grid.TargetResolutionAngstrom);
    }

    /// <summary>Load, upload and classify in one call (the kernels then hold this level's particles).</summary>
    public static OracleResult Classify(ClassificationKernels kernels, RelionCorpusDataset dataset, double targetResolutionAngstrom)
    {
        var set = LoadParticles(dataset, targetResolutionAngstrom);
        kernels.UploadParticles(set);
        return Classify(kernels, set, TrueVolumes(dataset, set), TrueClasses(dataset, set));
    }
}
