using SweepLab.Compute;
using SweepLab.Core.Fourier;
using SweepLab.Core.Particles;
using SweepLab.Core.Random;
using SweepLab.Engine.Configuration;

namespace SweepLab.Engine;

/// <summary>
/// Starting class volumes. Simple: each class is a reconstruction of its own random subset of particles (disjoint
/// subsets, low-passed), as cryoSPARC's "simple" initialisation. PCA: many random-subset reconstructions, their
/// principal components, k-means in that space, and the mean volume of each cluster. Input: the user's maps.
/// Consensus: RELION's start from --ref with --ini_high and its seed iteration: a random hard partition of all particles,
/// each class reconstructed from its share with the low-passed consensus as the signal prior.
/// </summary>
internal static class Initialisation
{
    private const uint PcaStream = EngineRngStreams.InitialisationSubsets + 1;
    private const uint KMeansStream = EngineRngStreams.InitialisationSubsets + 2;

    public static float[][] Create(ClassificationConfig config, ClassificationKernels kernels, ParticleSet set,
        ParticleStatistics statistics, IReadOnlyList<float[]>? inputVolumes)
    {
        int k = config.ClassCount;
        switch (config.Initialisation)
        {
            case InitialisationMode.InputVolumes:
                if (inputVolumes is null || inputVolumes.Count != k)
                    throw new ArgumentException($"initialisation input_volumes needs {k} input maps; {inputVolumes?.Count ?? 0} given");
                int floats = 2 * kernels.Box * kernels.Box * kernels.Box;
                foreach (var v in inputVolumes)
                    if (v.Length != floats) throw new ArgumentException($"an input volume holds {v.Length} floats; {floats} expected for box {kernels.Box}");
                return inputVolumes.Select(v => (float[])v.Clone()).ToArray();
            case InitialisationMode.Pca:
                return Pca(config, kernels, set, statistics);
            case InitialisationMode.Consensus:
            {
                // RELION's seed iteration: every particle goes to one random class, and each class is reconstructed from
                // its share with the low-passed consensus as the signal prior, so nothing beyond the low-pass survives.
                int n = set.Count;
                var posteriors = new double[(long)n * k];
                EmSteps.RandomPartition(config.Seed, Enumerable.Range(0, n).ToArray(), k, posteriors, new double[n]);
                var subsets = Enumerable.Range(0, k)
                    .Select(c => Enumerable.Range(0, n).Where(i => posteriors[(long)i * k + c] == 1).ToArray()).ToArray();
                var start = (float[])statistics.Consensus.Clone();
                VolumeOperations.LowPass(start, kernels.Box, LowpassShell(config, set));
                var prior = FourierVolume.ShellPower(start, kernels.Box, statistics.ShellCount);
                double cut = LowpassShell(config, set) + 1;
                for (int shell = 0; shell < prior.Length; shell++) if (shell > cut) prior[shell] = 0;
                var regulariser = EmSteps.ClassMapRegulariser(statistics.NoiseSpectrum, prior, config.RegularisationTau2Fudge);
                return Reconstruct(kernels, subsets, regulariser, LowpassShell(config, set));
            }
            default:
            {
                int n = set.Count;
                int subset = Math.Max(1, Math.Min(config.InitSubsetSize, n / k));
                var permutation = Permutation(n, config.Seed, EngineRngStreams.InitialisationSubsets, 0);
                var subsets = Enumerable.Range(0, k).Select(c => permutation.AsSpan(c * subset, subset).ToArray()).ToArray();
                return Reconstruct(kernels, subsets, ParticleStatistics.Regulariser(statistics.NoiseSpectrum, statistics.SignalSpectrum, config.RegularisationTau2Fudge),
                    LowpassShell(config, set));
            }
        }
    }

    /// <summary>Reconstructs each subset with weight 1, Wiener-regularised by <paramref name="regulariser"/> (one spectrum for all), then low-passed.</summary>
    private static float[][] Reconstruct(ClassificationKernels kernels, int[][] subsets, float[] regulariser, double lowpassShell)
    {
        int v = subsets.Length;
        var union = subsets.SelectMany(s => s).Distinct().Order().ToArray();
        var position = new Dictionary<int, int>(union.Length);
        for (int i = 0; i < union.Length; i++) position[union[i]] = i;
        var weights = new float[(long)union.Length * v];
        for (int c = 0; c < v; c++)
            foreach (int particle in subsets[c]) weights[(long)position[particle] * v + c] += 1f;
        using var sums = kernels.CreateSums(v);
        using var volumes = kernels.CreateVolumes(v);
        kernels.Backproject(union, weights, sums);
        // The same Wiener regulariser as for the full data: a subset's smaller denominator is regularised more, as it should.
        var result = new float[v][];
        var all = volumes.FloatsPerVolume;
        kernels.Reconstruct(sums, regulariser, volumes);
        var host = volumes.Download();
        for (int c = 0; c < v; c++)
        {
            result[c] = host.AsSpan(c * all, all).ToArray();
            VolumeOperations.LowPass(result[c], kernels.Box, lowpassShell);
        }
        return result;
    }

    private static double LowpassShell(ClassificationConfig config, ParticleSet set) =>
        set.Grid.OriginalBox * set.Grid.OriginalPixelSizeAngstrom / config.InitLowpassResolutionAngstrom;

    private static float[][] Pca(ClassificationConfig config, ClassificationKernels kernels, ParticleSet set, ParticleStatistics statistics)
    {
        int n = set.Count, k = config.ClassCount, r = config.PcaReconstructionCount;
        int subset = Math.Max(1, Math.Min(config.InitSubsetSize, n));
        var volumes = new List<float[]>(r);
        const int chunk = 16;
        for (int start = 0; start < r; start += chunk)
        {
            int count = Math.Min(chunk, r - start);
            var subsets = Enumerable.Range(start, count)
                .Select(i => Permutation(n, config.Seed, PcaStream, (ulong)i).AsSpan(0, subset).ToArray()).ToArray();
            volumes.AddRange(Reconstruct(kernels, subsets, ParticleStatistics.Regulariser(statistics.NoiseSpectrum, statistics.SignalSpectrum, config.RegularisationTau2Fudge),
                LowpassShell(config, set)));
        }
        // Coordinates of each reconstruction in the top principal components (low-passed voxels only).
        int dims = Math.Min(config.PcaComponentCount, r - 1);
        var mask = VolumeOperations.ShellMask(kernels.Box, LowpassShell(config, set));
        var coordinates = PrincipalCoordinates(volumes, mask, dims);
        var labels = KMeans(coordinates, k, config.Seed);
        var result = new float[k][];
        for (int c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, r).Where(i => labels[i] == c).ToList();
            var mean = new float[volumes[0].Length];
            foreach (int i in members)
                for (int j = 0; j < mean.Length; j++) mean[j] += volumes[i][j] / members.Count;
            result[c] = mean;
        }
        return result;
    }

    /// <summary>PCA through the R x R Gram matrix (R reconstructions, far fewer than voxels), MathNet's symmetric eigensolver.</summary>
    internal static double[][] PrincipalCoordinates(IReadOnlyList<float[]> volumes, bool[] mask, int dims)
    {
        int r = volumes.Count, length = volumes[0].Length;
        var mean = new double[length];
        foreach (var v in volumes) for (int j = 0; j < length; j++) mean[j] += v[j] / (double)r;
        var gram = new double[r, r];
        for (int a = 0; a < r; a++)
            for (int b = a; b < r; b++)
            {
                double dot = 0;
                for (int j = 0; j < length; j++)
                {
                    if (!mask[j / 2]) continue;
                    dot += (volumes[a][j] - mean[j]) * (volumes[b][j] - mean[j]);
                }
                gram[a, b] = gram[b, a] = dot;
            }
        var (values, vectors) = SymmetricEigen(gram);
        var order = Enumerable.Range(0, r).OrderByDescending(i => values[i]).ThenBy(i => i).Take(dims).ToArray();
        var coordinates = new double[r][];
        for (int i = 0; i < r; i++)
            coordinates[i] = order.Select(e => vectors[i, e] * Math.Sqrt(Math.Max(values[e], 0))).ToArray();
        return coordinates;
    }

    /// <summary>
    /// Eigenvalues and column eigenvectors of a small symmetric matrix, by MathNet.Numerics' symmetric eigen-decomposition
    /// (Householder tridiagonalisation and QL, the managed provider: the same bits on every machine). Each vector's sign is
    /// fixed so that its largest-magnitude component is positive, so the PCA coordinates do not depend on the solver's
    /// sign convention.
    /// </summary>
    internal static (double[] Values, double[,] Vectors) SymmetricEigen(double[,] matrix)
    {
        var evd = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(matrix).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        int n = matrix.GetLength(0);
        var values = new double[n];
        var vectors = new double[n, n];
        for (int e = 0; e < n; e++)
        {
            values[e] = evd.EigenValues[e].Real;
            var column = evd.EigenVectors.Column(e);
            int largest = column.AbsoluteMaximumIndex();
            double sign = column[largest] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) vectors[i, e] = sign * column[i];
        }
        return (values, vectors);
    }

    /// <summary>k-means with k-means++ seeding from the counter generator; empty clusters take the farthest point.</summary>
    internal static int[] KMeans(double[][] points, int k, ulong seed)
    {
        int n = points.Length;
        var centres = new List<double[]> { points[(int)CounterRng.NextBelow(seed, KMeansStream, 0, 0, (ulong)n)] };
        uint draw = 1;
        while (centres.Count < k)
        {
            var d2 = points.Select(p => centres.Min(c => Distance2(p, c))).ToArray();
            double total = d2.Sum();
            double target = CounterRng.NextDouble(seed, KMeansStream, 0, draw++) * total;
            int chosen = 0;
            for (double acc = 0; chosen < n - 1; chosen++) { acc += d2[chosen]; if (acc > target) break; }
            centres.Add(points[chosen]);
        }
        var labels = new int[n];
        for (int iteration = 0; iteration < 100; iteration++)
        {
            bool changed = false;
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                for (int c = 1; c < k; c++) if (Distance2(points[i], centres[c]) < Distance2(points[i], centres[best])) best = c;
                changed |= labels[i] != best;
                labels[i] = best;
            }
            for (int c = 0; c < k; c++)
            {
                var members = Enumerable.Range(0, n).Where(i => labels[i] == c).ToList();
                if (members.Count == 0)
                {
                    int far = Enumerable.Range(0, n).OrderByDescending(i => Distance2(points[i], centres[labels[i]])).First();
                    labels[far] = c;
                    centres[c] = points[far];
                    changed = true;
                    continue;
                }
                centres[c] = Enumerable.Range(0, points[0].Length).Select(d => members.Average(i => points[i][d])).ToArray();
            }
            if (!changed && iteration > 0) break;
        }
        return labels;
    }

    private static double Distance2(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return sum;
    }

    /// <summary>A seeded Fisher-Yates permutation of 0..n-1 (stream, index select independent permutations).</summary>
    internal static int[] Permutation(int n, ulong seed, uint stream, ulong index)
    {
        var result = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)CounterRng.NextBelow(seed, stream, index, (uint)i, (ulong)(i + 1));
            (result[i], result[j]) = (result[j], result[i]);
        }
        return result;
    }
}
