using SweepLab.Core.Ctf;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;

namespace SweepLab.Simulation.Tests.Relion;

/// <summary>relion_project on a map and a particle list written by SweepLab's own writers.</summary>
internal static class RelionProjection
{
    /// <summary>Writes map and particles, runs relion_project (with --ctf when asked) and returns its n x box x box images.</summary>
    public static float[] Project(string directory, string name, float[] map, int box, double pixelSizeAngstrom,
        IReadOnlyList<ParticleInfo> particles, bool ctf)
    {
        string mapFile = name + "_map.mrc", starFile = name + "_in.star";
        MrcFile.Write(Path.Combine(directory, mapFile), map, box, box, box, pixelSizeAngstrom, isStack: false);
        var c = particles[0].Ctf;
        var optics = new OpticsGroupInfo(1, "opticsGroup1", c.VoltageKilovolt, c.SphericalAberrationMillimetre, c.AmplitudeContrast, pixelSizeAngstrom, box);
        RelionParticles.WriteNew(Path.Combine(directory, starFile), particles, [optics]);
        var arguments = new List<string> { "--i", mapFile, "--o", name, "--ang", starFile };
        if (ctf) arguments.Add("--ctf");
        RelionTool.Run("relion_project", arguments, directory);
        var (header, images) = MrcFile.ReadVolume(Path.Combine(directory, name + ".mrcs"));
        Assert.Equal((box, box, particles.Count), (header.Nx, header.Ny, header.Nz));
        return images;
    }

    /// <summary>A CTF for CTF-free projections (relion_project ignores it without --ctf).</summary>
    public static CtfParameters AnyCtf => new(10000, 10000, 0, 300, 2.7, 0.1);
}

/// <summary>
/// RELION's odd-box quirk, measured with Debian's relion_project 3.1.3: its maps are centred at voxel n/2 (Xmipp's
/// FIRST_XMIPP_INDEX), but its 2D images pass through CenterFFT, whose shift of n/2 is fftshift in both directions,
/// so for odd n the image origin lands at (n + 1) / 2: a blob at the centre of a 65^3 map projects to pixel (33, 33),
/// not (32, 32). Even boxes are unaffected (and RELION's extraction uses even boxes only).
/// </summary>
internal static class RelionOddBox
{
    /// <summary>The image moved by (-1, -1) pixel for odd boxes (circularly; the edges are empty), so its origin is
    /// at n/2 like SweepLab's; even boxes are returned unchanged.</summary>
    public static float[] ToCentreAtHalfBox(ReadOnlySpan<float> image, int box)
    {
        var result = new float[box * box];
        int d = box % 2;
        for (int y = 0; y < box; y++)
        for (int x = 0; x < box; x++)
            result[y * box + x] = image[(y + d) % box * box + (x + d) % box];
        return result;
    }
}
