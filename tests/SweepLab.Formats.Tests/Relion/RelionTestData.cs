using System.Numerics;
using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;

namespace SweepLab.Formats.Tests.Relion;

/// <summary>Maps, particle lists and spectra for the checks against relion_project.</summary>
internal static class RelionTestData
{
    public const double Voltage = 300, Cs = 2.7, AmplitudeContrast = 0.1;

    /// <summary>A few Gaussian blobs at random positions inside the central half of the box: asymmetric and smooth.</summary>
    public static float[] BlobMap(int n, ulong seed, int blobs = 8)
    {
        var r = new TestRandom(seed);
        var volume = new float[n * n * n];
        int c = n / 2;
        for (int b = 0; b < blobs; b++)
        {
            double bx = c + r.Uniform(-0.25, 0.25) * n, by = c + r.Uniform(-0.25, 0.25) * n, bz = c + r.Uniform(-0.25, 0.25) * n;
            double s = r.Uniform(1.5, 3), a = r.Uniform(0.5, 1.5);
            for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                double d2 = (x - bx) * (x - bx) + (y - by) * (y - by) + (z - bz) * (z - bz);
                volume[(z * n + y) * n + x] += (float)(a * Math.Exp(-d2 / (2 * s * s)));
            }
        }
        return volume;
    }

    /// <summary>Uniform random voxels inside a sphere of radius n/3: a projection spectrum far from zero at every
    /// frequency, so ratios of spectra are well conditioned.</summary>
    public static float[] NoiseMap(int n, ulong seed)
    {
        var r = new TestRandom(seed);
        var volume = new float[n * n * n];
        int c = n / 2;
        double radius2 = n * n / 9.0;
        for (int z = 0; z < n; z++)
        for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
        {
            double v = r.Uniform(-1, 1);
            if ((x - c) * (x - c) + (y - c) * (y - c) + (z - c) * (z - c) <= radius2) volume[(z * n + y) * n + x] = (float)v;
        }
        return volume;
    }

    public static OpticsGroupInfo Optics(double pixelSizeAngstrom, int box) =>
        new(1, "opticsGroup1", Voltage, Cs, AmplitudeContrast, pixelSizeAngstrom, box);

    public static CtfParameters Ctf(double defocusU, double defocusV, double angleDegrees, double phaseShiftDegrees = 0,
        double bFactor = 0, double scale = 1) =>
        new(defocusU, defocusV, angleDegrees, Voltage, Cs, AmplitudeContrast, phaseShiftDegrees, bFactor, scale);

    /// <summary>Writes the map and the particles, runs relion_project, and returns its images (n x box x box).</summary>
    public static float[] Project(string directory, string name, float[] map, int box, double pixelSizeAngstrom,
        IReadOnlyList<ParticleInfo> particles, bool ctf)
    {
        string mapFile = name + "_map.mrc";
        if (!File.Exists(Path.Combine(directory, mapFile)))
            MrcFile.Write(Path.Combine(directory, mapFile), map, box, box, box, pixelSizeAngstrom, isStack: false);
        RelionParticles.WriteNew(Path.Combine(directory, name + "_in.star"), particles, [Optics(pixelSizeAngstrom, box)]);
        var arguments = new List<string> { "--i", mapFile, "--o", name, "--ang", name + "_in.star" };
        if (ctf) arguments.Add("--ctf");
        RelionTool.Run("relion_project", arguments, directory);
        var (header, images) = MrcFile.ReadVolume(Path.Combine(directory, name + ".mrcs"));
        Assert.Equal((box, box, particles.Count), (header.Nx, header.Ny, header.Nz));
        return images;
    }

    /// <summary>Full centred spectrum [ky][kx] (unshifted, signed frequencies) of image <paramref name="index"/>.</summary>
    public static Complex[] Spectrum(float[] images, int index, int box)
    {
        var spectrum = new Complex[box * box];
        CenteredFourier.FromImage(images.AsSpan(index * box * box, box * box), box, spectrum);
        return spectrum;
    }

    public static Rotation RandomPose(TestRandom r) =>
        Rotation.FromRelionEulerDegrees(Math.Round(r.Uniform(-180, 180), 3), Math.Round(r.Uniform(5, 175), 3), Math.Round(r.Uniform(-180, 180), 3));
}
