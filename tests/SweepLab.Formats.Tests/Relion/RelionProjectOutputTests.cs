using Xunit.Abstractions;
using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Preprocessing;
using static SweepLab.Formats.Tests.Relion.RelionTestData;

namespace SweepLab.Formats.Tests.Relion;

/// <summary>
/// A STAR + MRCS written by RELION 3.1 itself (relion_project) loads into a ParticleSet with the poses, origins and
/// CTFs that generated it, and a cryoSPARC .cs of the same particles loads into the same ParticleSet.
/// </summary>
public class RelionProjectOutputTests(ITestOutputHelper output)
{
    private const int Box = 48, Count = 20;
    private const double Pixel = 2.5, TargetResolution = 6.0;

    private static List<ParticleInfo> Particles(bool withOrigins)
    {
        var r = new TestRandom(31);
        var list = new List<ParticleInfo>();
        for (int i = 0; i < Count; i++)
        {
            var pose = RandomPose(r);
            double u = Math.Round(r.Uniform(8000, 25000), 2);
            var ctf = Ctf(u, Math.Round(u - r.Uniform(0, 1500), 2), Math.Round(r.Uniform(-90, 180), 3),
                phaseShiftDegrees: i % 3 == 0 ? Math.Round(r.Uniform(0, 90), 2) : 0,
                bFactor: i % 4 == 1 ? Math.Round(r.Uniform(0, 80), 1) : 0);
            double ox = Math.Round(r.Uniform(-6, 6), 3), oy = Math.Round(r.Uniform(-6, 6), 3);
            list.Add(new ParticleInfo($"{i + 1:D6}@input.mrcs", pose, withOrigins ? ox : 0, withOrigins ? oy : 0, ctf));
        }
        return list;
    }

    [SkippableFact]
    public void RelionProjectOutputLoadsWithItsPosesCtfsAndOrigins()
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        using var dir = new TempDir();
        var map = BlobMap(Box, 5);
        var input = Particles(withOrigins: true);
        Project(dir.Path, "proj", map, Box, Pixel, input, ctf: true);

        var table = RelionParticles.Read(dir.File("proj.star"));
        Assert.Equal(ParticleTableFormat.Relion31, table.Format);
        Assert.Equal(Count, table.Count);
        Assert.Equal(Box, table.BoxSize);
        Assert.Equal(Pixel, table.PixelSizeAngstrom, 6);
        var optics = Assert.Single(table.OpticsGroups);
        Assert.Equal((Voltage, Cs, AmplitudeContrast), (optics.VoltageKilovolt, optics.SphericalAberrationMillimetre, optics.AmplitudeContrast));
        for (int i = 0; i < Count; i++)
        {
            var (a, b) = (input[i], table.Particles[i]);
            Assert.Equal($"{i + 1:D6}@proj.mrcs", b.ImageName);
            Assert.Equal(i, table.Images[i].Index);
            Assert.True(a.Rotation.MaxAbsDifference(b.Rotation) < 1e-4, $"particle {i}: pose differs by {a.Rotation.MaxAbsDifference(b.Rotation)}");
            Assert.Equal(a.OriginXAngstrom, b.OriginXAngstrom, 1e-4);
            Assert.Equal(a.OriginYAngstrom, b.OriginYAngstrom, 1e-4);
            AssertCtfEqual(a.Ctf, b.Ctf, 1e-4, 1e-4, $"particle {i}");
        }

        // The loader streams the stack RELION wrote: the same data as transforming the images held in memory.
        var set = ParticleSetLoader.Load(table, TargetResolution);
        var (_, images) = MrcFile.ReadVolume(dir.File("proj.mrcs"));
        var inMemory = ParticleImages.ToParticleSet(images, Box, Pixel, table.Particles, TargetResolution);
        Assert.Equal(inMemory.ToArray(), set.ToArray());
        AssertSameGrid(set.Grid, inMemory.Grid);

        // Origin sign: RELION moved each particle to minus its origin; the loader's +origin phase shift must undo that,
        // giving what relion_project makes for the same particles with zero origins.
        var centred = Particles(withOrigins: false);
        Project(dir.Path, "centred", map, Box, Pixel, centred, ctf: true);
        var centredSet = ParticleSetLoader.Load(RelionParticles.Read(dir.File("centred.star")), TargetResolution);
        double scale = MaxAbs(centredSet.ToArray());
        double worst = MaxAbsDifference(set.ToArray(), centredSet.ToArray()) / scale;
        output.WriteLine($"origin-centred vs zero-origin coefficients: max diff {worst:E2} of the largest");
        Assert.True(worst < 1e-4, $"centred coefficients differ from the zero-origin projection by {worst:E2} of the largest");
        var wrongSign = table.Particles.Select(q => q with { OriginXAngstrom = -q.OriginXAngstrom, OriginYAngstrom = -q.OriginYAngstrom }).ToList();
        double wrong = MaxAbsDifference(ParticleImages.ToParticleSet(images, Box, Pixel, wrongSign, TargetResolution).ToArray(), centredSet.ToArray()) / scale;
        output.WriteLine($"with the origin sign flipped: {wrong:E2}");
        Assert.True(wrong > 0.1, $"the origin check cannot see the shift's sign ({wrong:E2})");

        // The same particles as a cryoSPARC .cs (float32 fields, axis-angle poses, shifts in pixels) load identically.
        CryoSparcParticles.Write(dir.File("proj.cs"), table.Particles, table.OpticsGroups);
        var cs = CryoSparcParticles.Read(dir.File("proj.cs"));
        Assert.Equal(ParticleTableFormat.CryoSparc, cs.Format);
        var csSet = ParticleSetLoader.Load(cs, TargetResolution);
        AssertSameGrid(set.Grid, csSet.Grid);
        for (int i = 0; i < Count; i++)
        {
            var (a, b) = (set.Particles[i], csSet.Particles[i]);
            Assert.Equal(a.ImageName, b.ImageName);
            Assert.True(a.Rotation.MaxAbsDifference(b.Rotation) < 1e-5, $"particle {i}: .cs pose differs by {a.Rotation.MaxAbsDifference(b.Rotation)}");
            Assert.Equal(a.OriginXAngstrom, b.OriginXAngstrom, 1e-5);
            Assert.Equal(a.OriginYAngstrom, b.OriginYAngstrom, 1e-5);
            // float32 keeps 7 digits: defocus to ~1e-3 A, angles to ~1e-5 degrees.
            AssertCtfEqual(a.Ctf, b.Ctf, 1e-5, 1e-5, $".cs particle {i}");
        }
        double csWorst = MaxAbsDifference(set.ToArray(), csSet.ToArray()) / MaxAbs(set.ToArray());
        output.WriteLine($".cs vs STAR coefficients: max diff {csWorst:E2} of the largest");
        Assert.True(csWorst < 1e-5, $".cs coefficients differ from the STAR ones by {csWorst:E2} of the largest");
    }

    /// <summary>Absolute tolerance on angles and small values, relative on defocus (float32 storage).</summary>
    private static void AssertCtfEqual(CtfParameters a, CtfParameters b, double absolute, double relative, string what)
    {
        void Close(double x, double y, string name)
        {
            double tolerance = Math.Max(absolute, relative * Math.Abs(x));
            Assert.True(Math.Abs(x - y) <= tolerance, $"{what}: {name} {x} vs {y}");
        }
        Close(a.DefocusUAngstrom, b.DefocusUAngstrom, "defocus U");
        Close(a.DefocusVAngstrom, b.DefocusVAngstrom, "defocus V");
        Close(a.DefocusAngleDegrees, b.DefocusAngleDegrees, "defocus angle");
        Close(a.PhaseShiftDegrees, b.PhaseShiftDegrees, "phase shift");
        Close(a.VoltageKilovolt, b.VoltageKilovolt, "voltage");
        Close(a.SphericalAberrationMillimetre, b.SphericalAberrationMillimetre, "Cs");
        Close(a.AmplitudeContrast, b.AmplitudeContrast, "amplitude contrast");
        Close(a.BFactorAngstrom2, b.BFactorAngstrom2, "B-factor");
        Close(a.Scale, b.Scale, "scale");
    }

    private static void AssertSameGrid(FourierCrop a, FourierCrop b)
    {
        Assert.Equal((a.OriginalBox, a.OriginalPixelSizeAngstrom, a.CroppedBox, a.PixelCount), (b.OriginalBox, b.OriginalPixelSizeAngstrom, b.CroppedBox, b.PixelCount));
        Assert.True(a.KxValues.SequenceEqual(b.KxValues) && a.KyValues.SequenceEqual(b.KyValues), "kept pixels differ");
    }

    private static double MaxAbs(ReadOnlySpan<float> values)
    {
        double m = 0;
        foreach (float v in values) m = Math.Max(m, Math.Abs(v));
        return m;
    }

    private static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }
}
