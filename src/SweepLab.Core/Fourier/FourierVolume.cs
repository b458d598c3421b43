using System.Buffers;
using System.Numerics;

namespace SweepLab.Core.Fourier;

/// <summary>
/// Converts between real-space maps of the original box N and the engine's class volumes: a full complex cube of M^3
/// voxels (M = the cropped box), interleaved (re, im) float, index ((z M) + y) M + x with frequency f = index - M/2
/// on each axis, on the original box's unnormalised DFT scale (so central slices match particle transforms).
/// </summary>
public static class FourierVolume
{
    /// <summary>The centred, cropped transform of a real-space N^3 map (origin at N/2).</summary>
    public static float[] FromRealSpace(ReadOnlySpan<float> volume, int n, int m)
    {
        var result = new float[2 * m * m * m];
        FromRealSpace(volume, n, m, result);
        return result;
    }

    /// <summary>
    /// <see cref="FromRealSpace(ReadOnlySpan{float}, int, int)"/> into <paramref name="result"/> (2 M^3 floats, every one
    /// written): the engine masks every class map every iteration, and fresh megabyte arrays per call pile up on the
    /// large-object heap between full collections (issue 13). The transform's work space is pooled.
    /// </summary>
    public static void FromRealSpace(ReadOnlySpan<float> volume, int n, int m, Span<float> result)
    {
        if (volume.Length != n * n * n) throw new ArgumentException($"volume holds {volume.Length} voxels; {n}^3 expected", nameof(volume));
        if (result.Length != 2 * m * m * m) throw new ArgumentException($"result holds {result.Length} floats; 2 x {m}^3 expected", nameof(result));
        var rented = ArrayPool<Complex>.Shared.Rent(n * n * n);
        try
        {
            var transform = rented.AsSpan(0, n * n * n);
            CenteredFourier.FromVolume(volume, n, transform);
            var full = FullIndices(m, n);
            for (int i = 0; i < full.Length; i++)
            {
                if (full[i] < 0)
                {
                    result[2 * i] = result[2 * i + 1] = 0;
                    continue;
                }
                result[2 * i] = (float)transform[full[i]].Real;
                result[2 * i + 1] = (float)transform[full[i]].Imaginary;
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>The real-space N^3 map of a centred M^3 transform (zero-padded to N; the real part is kept).</summary>
    public static float[] ToRealSpace(ReadOnlySpan<float> centred, int m, int n)
    {
        var volume = new float[n * n * n];
        ToRealSpace(centred, m, n, volume);
        return volume;
    }

    /// <summary><see cref="ToRealSpace(ReadOnlySpan{float}, int, int)"/> into <paramref name="volume"/> (N^3 floats), with pooled work space.</summary>
    public static void ToRealSpace(ReadOnlySpan<float> centred, int m, int n, Span<float> volume)
    {
        if (centred.Length != 2 * m * m * m) throw new ArgumentException($"transform holds {centred.Length} floats; 2 x {m}^3 expected", nameof(centred));
        if (volume.Length != n * n * n) throw new ArgumentException($"volume holds {volume.Length} voxels; {n}^3 expected", nameof(volume));
        var rented = ArrayPool<Complex>.Shared.Rent(n * n * n);
        try
        {
            var transform = rented.AsSpan(0, n * n * n);
            transform.Clear();
            var full = FullIndices(m, n);
            for (int i = 0; i < full.Length; i++)
                if (full[i] >= 0) transform[full[i]] = new Complex(centred[2 * i], centred[2 * i + 1]);
            CenteredFourier.ToVolume(transform, n, volume);
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// <see cref="FromRealSpace(ReadOnlySpan{float}, int, int, Span{float})"/> of two real maps with one complex
    /// transform (half the work of two calls): G = FFT(a + i b), then A(k) = (G(k) + conj G(-k)) / 2 and
    /// B(k) = (G(k) - conj G(-k)) / 2i, exact but for rounding.
    /// </summary>
    public static void FromRealSpacePair(ReadOnlySpan<float> first, ReadOnlySpan<float> second, int n, int m, Span<float> firstResult, Span<float> secondResult)
    {
        if (first.Length != n * n * n || second.Length != n * n * n)
            throw new ArgumentException($"volumes hold {first.Length} and {second.Length} voxels; {n}^3 expected", nameof(first));
        if (firstResult.Length != 2 * m * m * m || secondResult.Length != 2 * m * m * m)
            throw new ArgumentException($"results hold {firstResult.Length} and {secondResult.Length} floats; 2 x {m}^3 expected", nameof(firstResult));
        var rented = ArrayPool<Complex>.Shared.Rent(n * n * n);
        try
        {
            var transform = rented.AsSpan(0, n * n * n);
            CenteredFourier.FromVolumes(first, second, n, transform);
            var full = FullIndices(m, n);
            var mates = MateIndices(m, n);
            for (int i = 0; i < full.Length; i++)
            {
                int t = full[i];
                if (t < 0)
                {
                    firstResult[2 * i] = firstResult[2 * i + 1] = secondResult[2 * i] = secondResult[2 * i + 1] = 0;
                    continue;
                }
                var g = transform[t];
                var h = Complex.Conjugate(transform[mates[i]]);
                firstResult[2 * i] = (float)(0.5 * (g.Real + h.Real));
                firstResult[2 * i + 1] = (float)(0.5 * (g.Imaginary + h.Imaginary));
                secondResult[2 * i] = (float)(0.5 * (g.Imaginary - h.Imaginary));
                secondResult[2 * i + 1] = (float)(0.5 * (h.Real - g.Real));
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// <see cref="ToRealSpace(ReadOnlySpan{float}, int, int, Span{float})"/> of two transforms with one complex
    /// inverse (half the transform work of two calls). The real part of an inverse is the inverse of the transform's
    /// Hermitian part H(k) = (F(k) + conj F(-k)) / 2, which is real; so the inverse of H1 + i H2 holds the first map in
    /// its real part and the second in its imaginary part, exact but for rounding whether or not the transforms are
    /// Hermitian (a cropped cube's -M/2 planes have no mates).
    /// </summary>
    public static void ToRealSpacePair(ReadOnlySpan<float> first, ReadOnlySpan<float> second, int m, int n, Span<float> firstVolume, Span<float> secondVolume)
    {
        if (first.Length != 2 * m * m * m || second.Length != 2 * m * m * m)
            throw new ArgumentException($"transforms hold {first.Length} and {second.Length} floats; 2 x {m}^3 expected", nameof(first));
        if (firstVolume.Length != n * n * n || secondVolume.Length != n * n * n)
            throw new ArgumentException($"volumes hold {firstVolume.Length} and {secondVolume.Length} voxels; {n}^3 expected", nameof(firstVolume));
        int total = n * n * n;
        var rented = ArrayPool<Complex>.Shared.Rent(2 * total);
        try
        {
            var one = rented.AsSpan(0, total);
            var two = rented.AsSpan(total, total);
            one.Clear();
            two.Clear();
            var full = FullIndices(m, n);
            for (int i = 0; i < full.Length; i++)
            {
                if (full[i] < 0) continue;
                one[full[i]] = new Complex(first[2 * i], first[2 * i + 1]);
                two[full[i]] = new Complex(second[2 * i], second[2 * i + 1]);
            }
            // H1 + i H2 into the first buffer, each mate pair (t, -t) written once from both old values.
            for (int kz = 0; kz < n; kz++)
            for (int ky = 0; ky < n; ky++)
            {
                int row = (kz * n + ky) * n, mateRow = ((n - kz) % n * n + (n - ky) % n) * n;
                for (int kx = 0; kx < n; kx++)
                {
                    int t = row + kx, mate = mateRow + (kx == 0 ? 0 : n - kx);
                    if (mate < t) continue;
                    Complex a = one[t], aMate = one[mate], b = two[t], bMate = two[mate];
                    Complex h1 = 0.5 * (a + Complex.Conjugate(aMate)), h2 = 0.5 * (b + Complex.Conjugate(bMate));
                    one[t] = h1 + Complex.ImaginaryOne * h2;
                    // At the mate: H1(-k) = conj H1(k), H2(-k) = conj H2(k).
                    one[mate] = Complex.Conjugate(h1) + Complex.ImaginaryOne * Complex.Conjugate(h2);
                }
            }
            CenteredFourier.ToVolumes(one, n, firstVolume, secondVolume);
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>A cached index table with the box sizes it is for; one reference, so a reader on another thread sees a whole entry.</summary>
    private sealed record IndexTable(int M, int N, int[] Indices);

    private static IndexTable? _fullIndices;

    /// <summary>
    /// For each voxel of the centred M^3 cube, its index in the unshifted N^3 transform (-1 when N cannot hold it); the
    /// last (M, N) asked for is kept (read-only), as the engine asks for one pair every iteration.
    /// </summary>
    private static int[] FullIndices(int m, int n)
    {
        if (_fullIndices is { } cached && cached.M == m && cached.N == n) return cached.Indices;
        var full = ComputeFullIndices(m, n);
        _fullIndices = new IndexTable(m, n, full);
        return full;
    }

    private static IndexTable? _mateIndices;

    /// <summary>For each voxel of the centred M^3 cube that N holds, the unshifted N^3 index of its mate -k (cached as <see cref="FullIndices"/>).</summary>
    private static int[] MateIndices(int m, int n)
    {
        if (_mateIndices is { } cached && cached.M == m && cached.N == n) return cached.Indices;
        var full = FullIndices(m, n);
        var mates = new int[full.Length];
        int nn = n * n;
        for (int i = 0; i < full.Length; i++)
        {
            int t = full[i];
            if (t < 0) { mates[i] = -1; continue; }
            int kz = t / nn, ky = t / n % n, kx = t % n;
            mates[i] = ((n - kz) % n * n + (n - ky) % n) * n + (n - kx) % n;
        }
        _mateIndices = new IndexTable(m, n, mates);
        return mates;
    }

    private static int[] ComputeFullIndices(int m, int n)
    {
        var full = new int[m * m * m];
        int half = m / 2;
        for (int z = 0; z < m; z++)
        for (int y = 0; y < m; y++)
        for (int x = 0; x < m; x++)
        {
            int iz = Index(z - half, n), iy = Index(y - half, n), ix = Index(x - half, n);
            full[(z * m + y) * m + x] = iz < 0 || iy < 0 || ix < 0 ? -1 : (iz * n + iy) * n + ix;
        }
        return full;
    }

    /// <summary>Index of signed frequency f in an n-point unshifted transform, or -1 when n cannot hold it.</summary>
    private static int Index(int f, int n)
    {
        int lowest = -(n / 2), highest = (n - 1) / 2;
        if (f < lowest || f > highest) return -1;
        return f < 0 ? f + n : f;
    }

    /// <summary>Shell (rounded radius from the centre M/2) of every voxel of a centred M^3 cube, [z][y][x].</summary>
    public static int[] ShellIndices(int m)
    {
        var shells = new int[m * m * m];
        int half = m / 2;
        for (int z = 0; z < m; z++)
        for (int y = 0; y < m; y++)
        for (int x = 0; x < m; x++)
        {
            int fx = x - half, fy = y - half, fz = z - half;
            shells[(z * m + y) * m + x] = (int)Math.Round(Math.Sqrt(fx * fx + fy * fy + fz * fz));
        }
        return shells;
    }

    /// <summary>Mean of a per-voxel value over each shell below <paramref name="shells"/> (0 for an empty shell).</summary>
    public static double[] ShellMean(int m, int shells, Func<int, double> valueOfVoxel, Func<int, bool>? include = null)
    {
        var sum = new double[shells];
        var count = new long[shells];
        var shellOf = CachedShellIndices(m);
        for (int i = 0; i < shellOf.Length; i++)
        {
            int s = shellOf[i];
            if (s >= shells || (include is not null && !include(i))) continue;
            sum[s] += valueOfVoxel(i);
            count[s]++;
        }
        for (int s = 0; s < shells; s++) sum[s] = count[s] > 0 ? sum[s] / count[s] : 0;
        return sum;
    }

    /// <summary>Mean |V|^2 per integer shell (rounded radius) of a centred cube: the signal spectrum tau^2.</summary>
    /// <remarks>Sums in the same voxel order as <see cref="ShellMean"/>, without copying the map (called per class per iteration).</remarks>
    public static double[] ShellPower(ReadOnlySpan<float> centred, int m, int shells)
    {
        if (centred.Length != 2 * m * m * m) throw new ArgumentException($"transform holds {centred.Length} floats; 2 x {m}^3 expected", nameof(centred));
        var sum = new double[shells];
        var count = new long[shells];
        var shellOf = CachedShellIndices(m);
        for (int i = 0; i < shellOf.Length; i++)
        {
            int s = shellOf[i];
            if (s >= shells) continue;
            sum[s] += (double)centred[2 * i] * centred[2 * i] + (double)centred[2 * i + 1] * centred[2 * i + 1];
            count[s]++;
        }
        for (int s = 0; s < shells; s++) sum[s] = count[s] > 0 ? sum[s] / count[s] : 0;
        return sum;
    }

    private static IndexTable? _shellIndices;

    /// <summary><see cref="ShellIndices"/> of the last box asked for, kept (read-only: never handed out).</summary>
    private static int[] CachedShellIndices(int m)
    {
        if (_shellIndices is { } cached && cached.M == m) return cached.Indices;
        var shells = ShellIndices(m);
        _shellIndices = new IndexTable(m, m, shells);
        return shells;
    }
}
