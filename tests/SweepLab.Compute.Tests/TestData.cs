using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;

namespace SweepLab.Compute.Tests;

/// <summary>Small deterministic inputs: counter-based hashing keyed by (seed, stream, index), no global RNG.</summary>
internal static class TestData
{
    public static ulong Hash(ulong seed, ulong stream, ulong index)
    {
        ulong z = seed * 0x9E3779B97F4A7C15UL ^ (stream + 0x632BE59BD9B4E019UL) * 0xBF58476D1CE4E5B9UL ^ index * 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [-1, 1).</summary>
    public static double Uniform(ulong seed, ulong stream, ulong index) => (Hash(seed, stream, index) >> 11) * (2.0 / (1UL << 53)) - 1.0;

    /// <summary>
    /// A particle set on an N-pixel box at 2 Angstrom/pixel cropped to <paramref name="resolutionAngstrom"/>,
    /// random poses, random CTFs (1-2 micron defocus, astigmatism, B-factor) and random pixel values of order 1.
    /// </summary>
    public static ParticleSet Particles(int originalBox, double resolutionAngstrom, int count, ulong seed, double pixelSizeAngstrom = 2.0)
    {
        var grid = new FourierCrop(originalBox, pixelSizeAngstrom, resolutionAngstrom);
        var infos = new List<ParticleInfo>();
        for (int i = 0; i < count; i++)
        {
            ulong u = (ulong)i;
            var rotation = Rotation.FromRelionEulerDegrees(180 * Uniform(seed, 1, u), 90 + 90 * Uniform(seed, 2, u), 180 * Uniform(seed, 3, u));
            var ctf = new CtfParameters(
                defocusUAngstrom: 15000 + 5000 * Uniform(seed, 4, u), defocusVAngstrom: 14000 + 4000 * Uniform(seed, 5, u),
                defocusAngleDegrees: 90 * Uniform(seed, 6, u), voltageKilovolt: 300, sphericalAberrationMillimetre: 2.7,
                amplitudeContrast: 0.1, bFactorAngstrom2: 30);
            infos.Add(new ParticleInfo($"{i + 1:000000}@test.mrcs", rotation, 0, 0, ctf));
        }
        var data = new float[count * grid.PixelCount * 2];
        for (int i = 0; i < data.Length; i++) data[i] = (float)Uniform(seed, 7, (ulong)i);
        return new ParticleSet(grid, infos, data);
    }

    /// <summary>Random complex volumes of order 1, Count * 2 * M^3 floats.</summary>
    public static float[] Volumes(int count, int box, ulong seed)
    {
        var result = new float[count * 2 * box * box * box];
        for (int i = 0; i < result.Length; i++) result[i] = (float)Uniform(seed, 11, (ulong)i);
        return result;
    }

    public static float[] Weights(int rows, int columns, ulong seed, double zeroFraction = 0.3)
    {
        var result = new float[rows * columns];
        for (int i = 0; i < result.Length; i++)
        {
            double u = 0.5 * (Uniform(seed, 12, (ulong)i) + 1);
            result[i] = u < zeroFraction ? 0f : (float)u;
        }
        return result;
    }

    public static float[] Spectrum(int shells, ulong seed)
    {
        var result = new float[shells];
        for (int i = 0; i < shells; i++) result[i] = (float)(0.5 + 0.25 * (Uniform(seed, 13, (ulong)i) + 1));
        return result;
    }

    /// <summary>max |a - b| / max |b|: the error relative to the scale of the reference.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, error = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            error = Math.Max(error, Math.Abs(actual[i] - expected[i]));
        }
        Assert.True(scale > 0, "reference is all zero: the test would not catch anything");
        return error / scale;
    }

    /// <summary>Largest elementwise relative error |a - b| / |b| (for sums of positive terms).</summary>
    public static double ElementwiseRelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] > 0, $"reference element {i} is {expected[i]}; positive expected");
            worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]) / expected[i]);
        }
        return worst;
    }

    public static bool PoclInstalled =>
        File.Exists("/etc/OpenCL/vendors/pocl.icd") || Directory.Exists("/etc/OpenCL/vendors") &&
        Directory.GetFiles("/etc/OpenCL/vendors").Any(f => File.ReadAllText(f).Contains("pocl", StringComparison.OrdinalIgnoreCase));
}
