using SweepLab.Core.Ctf;
using SweepLab.Core.Geometry;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Star;

namespace SweepLab.Formats.Tests;

public class RelionParticlesTests
{
    // Two particles in two optics groups; pixel size 2.0 so pixel origins convert exactly (2.5 px = 5 A).
    private const string Relion31 = """
        # version 30001

        data_optics

        loop_
        _rlnOpticsGroupName #1
        _rlnOpticsGroup #2
        _rlnVoltage #3
        _rlnSphericalAberration #4
        _rlnAmplitudeContrast #5
        _rlnImagePixelSize #6
        _rlnImageSize #7
        _rlnImageDimensionality #8
        first 1 300 2.7 0.1 2.0 64 2
        second 2 200 2.0 0.07 2.0 64 2

        data_particles

        loop_
        _rlnImageName #1
        _rlnMicrographName #2
        _rlnAngleRot #3
        _rlnAngleTilt #4
        _rlnAnglePsi #5
        _rlnOriginXAngst #6
        _rlnOriginYAngst #7
        _rlnDefocusU #8
        _rlnDefocusV #9
        _rlnDefocusAngle #10
        _rlnPhaseShift #11
        _rlnCtfBfactor #12
        _rlnCtfScalefactor #13
        _rlnOpticsGroup #14
        _rlnClassNumber #15
        _myCustomScore #16
        000001@Extract/job007/a.mrcs  mic1.mrc  10.5  80.25  -30  5.0  -3.0  15000  14000  33.5  0   0   1    1  2  0.5
        000007@Extract/job007/b.mrcs  mic2.mrc  -170  12     95   0.0   2.0  21000  20500  -12   45  50  0.9  2  1  "n/a here"
        """;

    // The same particles as RELION 3.0 writes them: optics per row, origins in pixels, pixel size from
    // detector pixel size (um) and magnification: 14 * 1e4 / 70000 = 2.0 A.
    private const string Relion30 = """
        data_images

        loop_
        _rlnImageName #1
        _rlnMicrographName #2
        _rlnAngleRot #3
        _rlnAngleTilt #4
        _rlnAnglePsi #5
        _rlnOriginX #6
        _rlnOriginY #7
        _rlnDefocusU #8
        _rlnDefocusV #9
        _rlnDefocusAngle #10
        _rlnPhaseShift #11
        _rlnCtfBfactor #12
        _rlnCtfScalefactor #13
        _rlnVoltage #14
        _rlnSphericalAberration #15
        _rlnAmplitudeContrast #16
        _rlnDetectorPixelSize #17
        _rlnMagnification #18
        _rlnImageSize #19
        _rlnClassNumber #20
        _myCustomScore #21
        000001@Extract/job007/a.mrcs  mic1.mrc  10.5  80.25  -30  2.5  -1.5  15000  14000  33.5  0   0   1    300 2.7 0.1  14 70000 64 2  0.5
        000007@Extract/job007/b.mrcs  mic2.mrc  -170  12     95   0.0   1.0  21000  20500  -12   45  50  0.9  200 2.0 0.07 14 70000 64 1  "n/a here"
        """;

    private static string Write(TempDir dir, string name, string text)
    {
        string path = dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Relion31ValuesAreConvertedToSweepLabConventions()
    {
        using var dir = new TempDir();
        var t = RelionParticles.Read(Write(dir, "p.star", Relion31));
        Assert.Equal(ParticleTableFormat.Relion31, t.Format);
        Assert.Equal(2, t.Count);
        Assert.Equal(2.0, t.PixelSizeAngstrom);
        Assert.Equal(64, t.BoxSize);
        Assert.Equal([1, 0], t.ClassIndices);
        Assert.Equal(new ImageReference(0, "Extract/job007/a.mrcs"), t.Images[0]);
        Assert.Equal(new ImageReference(6, "Extract/job007/b.mrcs"), t.Images[1]);
        Assert.Equal(["first", "second"], t.OpticsGroups.Select(g => g.Name));

        var p0 = t.Particles[0];
        Assert.Equal("000001@Extract/job007/a.mrcs", p0.ImageName);
        Assert.Equal(Rotation.FromRelionEulerDegrees(10.5, 80.25, -30), p0.Rotation);
        Assert.Equal((5.0, -3.0), (p0.OriginXAngstrom, p0.OriginYAngstrom));
        Assert.Equal(new CtfParameters(15000, 14000, 33.5, 300, 2.7, 0.1), p0.Ctf);
        Assert.Equal(1, p0.OpticsGroup);

        var p1 = t.Particles[1];
        Assert.Equal(new CtfParameters(21000, 20500, -12, 200, 2.0, 0.07, 45, 50, 0.9), p1.Ctf);
        Assert.Equal(2, p1.OpticsGroup);
        Assert.Equal((0.0, 2.0), (p1.OriginXAngstrom, p1.OriginYAngstrom));
    }

    [Fact]
    public void Relion30AndRelion31GiveTheSameParticles()
    {
        using var dir = new TempDir();
        var a = RelionParticles.Read(Write(dir, "31.star", Relion31));
        var b = RelionParticles.Read(Write(dir, "30.star", Relion30));
        Assert.Equal(ParticleTableFormat.Relion30, b.Format);
        Assert.Equal(a.Particles, b.Particles);
        Assert.Equal(a.Images, b.Images);
        Assert.Equal(a.ClassIndices, b.ClassIndices);
        Assert.Equal((a.PixelSizeAngstrom, a.BoxSize), (b.PixelSizeAngstrom, b.BoxSize));

        // A bare data_ block and rlnImagePixelSize columns work too.
        string bare = Relion30.Replace("data_images", "data_").Replace("_rlnDetectorPixelSize", "_rlnImagePixelSize")
            .Replace("_rlnMagnification", "_rlnUnusedMagnification").Replace(" 14 70000 ", " 2.0 70000 ");
        var c = RelionParticles.Read(Write(dir, "bare.star", bare));
        Assert.Equal(a.Particles, c.Particles);
    }

    [Fact]
    public void Relion30WithoutPixelSizeOrBoxColumnsTakesThemFromTheStackHeader()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("Extract"));
        MrcFile.Write(dir.File("Extract/s.mrcs"), new float[16 * 16 * 3], 16, 16, 3, 1.5, isStack: true);
        string star = """
            data_
            loop_
            _rlnImageName
            _rlnAngleRot
            _rlnAngleTilt
            _rlnAnglePsi
            _rlnOriginX
            _rlnOriginY
            _rlnDefocusU
            _rlnDefocusV
            _rlnDefocusAngle
            _rlnVoltage
            _rlnSphericalAberration
            _rlnAmplitudeContrast
            3@Extract/s.mrcs 1 2 3 2 -4 10000 10000 0 300 2.7 0.1
            """;
        var t = RelionParticles.Read(Write(dir, "p.star", star));
        Assert.Equal(1.5, t.PixelSizeAngstrom);
        Assert.Equal(16, t.BoxSize);
        Assert.Equal((3.0, -6.0), (t.Particles[0].OriginXAngstrom, t.Particles[0].OriginYAngstrom));
        Assert.Equal(dir.File("Extract/s.mrcs"), t.ResolveImagePath(0));
        Assert.Equal(2, t.Images[0].Index);
        Assert.Null(t.ClassIndices);

        var missing = star.Replace("3@Extract/s.mrcs", "3@Extract/missing.mrcs");
        var e = Assert.Throws<DataFormatException>(() => RelionParticles.Read(Write(dir, "m.star", missing), new ParticleReadOptions(ProjectDirectory: dir.Path)));
        Assert.Equal(dir.File("m.star"), e.FilePath);
        Assert.Contains("missing.mrcs", e.Message);
    }

    [Fact]
    public void ImagePathsResolveBesideTheStarFileThenInTheProjectDirectory()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("Select/job009"));
        Directory.CreateDirectory(dir.File("Extract/job007"));
        File.WriteAllText(dir.File("Extract/job007/a.mrcs"), "");
        var t = RelionParticles.Read(Write(dir, "Select/job009/particles.star", Relion31));
        Assert.Equal(Path.Combine(dir.Path, "Extract/job007/a.mrcs"), t.ResolveImagePath(0, projectDirectory: dir.Path));
        var e = Assert.Throws<DataFormatException>(() => t.ResolveImagePath(1, projectDirectory: dir.Path));
        Assert.Contains("b.mrcs", e.Message);
        Assert.Contains(dir.File("Select/job009"), e.Message);

        Assert.Equal(new ImageReference(122, "stack.mrcs"), ImageReference.Parse("000123@stack.mrcs"));
        Assert.Equal("000123@stack.mrcs", ImageReference.Parse("000123@stack.mrcs").ToString());
        Assert.Equal(new ImageReference(0, "single.mrc", false), ImageReference.Parse("single.mrc"));
        Assert.Throws<DataFormatException>(() => ImageReference.Parse("0@stack.mrcs"));
        Assert.Throws<DataFormatException>(() => ImageReference.Parse("x@stack.mrcs"));
        Assert.Throws<DataFormatException>(() => ImageReference.Parse("12@"));
    }

    [Theory]
    [InlineData("_rlnAnglePsi #5", "rlnAnglePsi")]
    [InlineData("_rlnAngleRot #3", "rlnAngleRot")]
    [InlineData("_rlnDefocusU #8", "rlnDefocusU")]
    [InlineData("_rlnDefocusAngle #10", "rlnDefocusAngle")]
    [InlineData("_rlnImageName #1", "rlnImageName")]
    [InlineData("_rlnOriginYAngst #7", "rlnOriginYAngst")]
    public void MissingRequiredColumnsAreNamed(string label, string column)
    {
        using var dir = new TempDir();
        string path = Write(dir, "p.star", Relion31.Replace(label, "_rlnSomethingElse"));
        var e = Assert.Throws<DataFormatException>(() => RelionParticles.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("_" + column, e.Message);
    }

    [Fact]
    public void MissingOpticsColumnsAreNamed()
    {
        using var dir = new TempDir();
        foreach (var (label, column) in new[] { ("_rlnVoltage #3", "rlnVoltage"), ("_rlnImagePixelSize #6", "rlnImagePixelSize") })
        {
            string path = Write(dir, "o.star", Relion31.Replace(label, "_rlnSomethingElse"));
            Assert.Contains("_" + column, Assert.Throws<DataFormatException>(() => RelionParticles.Read(path)).Message);
        }
    }

    [Fact]
    public void CtfFreeDataNeedNoCtfColumnsAndGetAUnitCtf()
    {
        using var dir = new TempDir();
        string text = Relion31;
        foreach (var label in new[] { "_rlnDefocusU #8", "_rlnDefocusV #9", "_rlnDefocusAngle #10" })
            text = text.Replace(label, "_rlnIgnored" + label[4..^3]);
        string path = Write(dir, "noctf.star", text);
        Assert.Contains("_rlnDefocusU", Assert.Throws<DataFormatException>(() => RelionParticles.Read(path)).Message);
        path = Write(dir, "noctf.star", text.Replace("_rlnSphericalAberration #4", "_rlnIgnoredCs #4"));
        Assert.Contains("_rlnSphericalAberration", Assert.Throws<DataFormatException>(() => RelionParticles.Read(path)).Message);
        var t = RelionParticles.Read(path, new ParticleReadOptions(CtfAbsent: true));
        Assert.True(t.CtfAbsent);
        foreach (var p in t.Particles)
            foreach (var (kx, ky) in new[] { (0.0, 0.0), (0.1, 0.05), (-0.2, 0.24) })
            {
                Assert.Equal(1.0, CtfMath.Value(p.Ctf, kx, ky), 15);
                Assert.Equal(1f, CtfMath.Value(p.Ctf.ToCoefficients(), (float)kx, (float)ky), 6);
            }
    }

    [Theory]
    [InlineData("  80.25  ", "  eighty ", "rlnAngleTilt", "is not a number")]
    [InlineData("  15000  14000", "  nan  14000", "rlnDefocusU", "not finite")]
    [InlineData("  2  0.5\n", "  0  0.5\n", "rlnClassNumber", "start at 1")]
    [InlineData("  1    1  2  0.5", "  1    7  2  0.5", "optics group 7", "not defined")]
    [InlineData(" 0.1 2.0 64", " 1.5 2.0 64", "rlnAmplitudeContrast", "[0, 1)")]
    [InlineData(" 300 2.7", " -300 2.7", "rlnVoltage", "positive")]
    public void BadValuesNameTheLine(string original, string replacement, string fragment1, string fragment2)
    {
        using var dir = new TempDir();
        string text = Relion31.Replace(original, replacement);
        Assert.NotEqual(Relion31, text);
        string path = Write(dir, "bad.star", text);
        var e = Assert.Throws<DataFormatException>(() => RelionParticles.Read(path));
        Assert.NotNull(e.LineNumber);
        string line = text.Split('\n')[e.LineNumber!.Value - 1];
        Assert.Contains(replacement.Trim(), line);
        Assert.Contains(fragment1, e.Message);
        Assert.Contains(fragment2, e.Message);
        Assert.StartsWith($"{path}, line {e.LineNumber}", e.Message);
    }

    [Fact]
    public void Relion30BadCtfValuesNameTheLine()
    {
        using var dir = new TempDir();
        string text = Relion30.Replace("200 2.0 0.07 14", "200 2.0 1.07 14");
        string path = Write(dir, "bad30.star", text);
        var e = Assert.Throws<DataFormatException>(() => RelionParticles.Read(path));
        Assert.Equal(1, e.ParticleIndex);
        Assert.Contains("1.07", text.Split('\n')[e.LineNumber!.Value - 1]);
        Assert.Contains("amplitude", e.Message);
    }

    [Fact]
    public void OpticsGroupsWithDifferentPixelSizesAreRefused()
    {
        using var dir = new TempDir();
        string path = Write(dir, "px.star", Relion31.Replace("second 2 200 2.0 0.07 2.0 64", "second 2 200 2.0 0.07 1.1 64"));
        Assert.Contains("differ in pixel size", Assert.Throws<DataFormatException>(() => RelionParticles.Read(path)).Message);
        string micrographs = Write(dir, "mics.star", "data_optics\nloop_\n_rlnOpticsGroup\n1\n\ndata_micrographs\nloop_\n_rlnMicrographName\na.mrc\n");
        Assert.Contains("no data_particles", Assert.Throws<DataFormatException>(() => RelionParticles.Read(micrographs)).Message);
        string nothing = Write(dir, "none.star", "data_model\n_rlnX 1\n");
        Assert.Contains("no particle table", Assert.Throws<DataFormatException>(() => RelionParticles.Read(nothing)).Message);
    }

    [Fact]
    public void WritingBackKeepsUnknownColumnsAndBlocksAndOrder()
    {
        using var dir = new TempDir();
        string input = Write(dir, "in.star", Relion31 + "\n\ndata_extra\n\n_rlnSomething 42\n");
        var t = RelionParticles.Read(input);
        string output = dir.File("out.star");
        RelionParticles.Write(output, t, [
            StarColumn.ClassNumbers([0, 4]),
            StarColumn.MaxValueProbDistribution([0.75, 1.0 / 3]),
            StarColumn.FromDoubles("swlEffectiveClassCount", [1.25, 2.5]),
        ]);
        var doc = StarReader.Read(output);
        Assert.Equal(["optics", "particles", "extra"], doc.Blocks.Select(b => b.Name));
        Assert.Equal("42", doc.Find("extra")!.GetPair("rlnSomething"));
        var loop = doc.Find("particles")!.Loop!;
        var original = t.SourceDocument!.Find("particles")!.Loop!;
        Assert.Equal(original.Columns.Concat(["rlnMaxValueProbDistribution", "swlEffectiveClassCount"]), loop.Columns);
        foreach (var name in new[] { "rlnImageName", "rlnMicrographName", "myCustomScore", "rlnAngleRot" })
            Assert.Equal(original.Column(original.ColumnIndex(name)), loop.Column(loop.ColumnIndex(name)));
        Assert.Equal(["1", "5"], loop.Column(loop.ColumnIndex("rlnClassNumber")));
        Assert.Equal(1.0 / 3, double.Parse(loop[1, loop.ColumnIndex("rlnMaxValueProbDistribution")], System.Globalization.CultureInfo.InvariantCulture));

        var back = RelionParticles.Read(output);
        Assert.Equal(t.Particles, back.Particles);
        Assert.Equal([0, 4], back.ClassIndices);
        Assert.StartsWith("# version 30001", File.ReadAllText(output));
        Assert.Throws<ArgumentException>(() => RelionParticles.Write(output, t, [StarColumn.FromInts("x", [1])]));
    }

    [Fact]
    public void A30InputIsWrittenBackAs31WithOriginsInAngstrom()
    {
        using var dir = new TempDir();
        var t = RelionParticles.Read(Write(dir, "30.star", Relion30));
        string output = dir.File("out.star");
        RelionParticles.Write(output, t, [StarColumn.ClassNumbers([2, 2])]);
        var doc = StarReader.Read(output);
        var loop = doc.Find("particles")!.Loop!;
        Assert.False(loop.HasColumn("rlnOriginX"));
        Assert.False(loop.HasColumn("rlnVoltage"));
        Assert.Equal(["5", "0"], loop.Column(loop.ColumnIndex("rlnOriginXAngst")));
        Assert.Equal(["0.5", "n/a here"], loop.Column(loop.ColumnIndex("myCustomScore")));
        var back = RelionParticles.Read(output);
        Assert.Equal(ParticleTableFormat.Relion31, back.Format);
        Assert.Equal(t.Particles, back.Particles);
        Assert.Equal([2, 2], back.ClassIndices);
    }

    [Fact]
    public void FromScratchWriterRoundTrips()
    {
        using var dir = new TempDir();
        var r = new TestRandom(5);
        var optics = new[] { new OpticsGroupInfo(1, "g1", 300, 2.7, 0.1, 1.1, 65), new OpticsGroupInfo(3, "g3", 300, 0.01, 0.07, 1.1, 65) };
        // Tilt 0 and 180 (gimbal lock) are included: the Euler decomposition must still give back the matrix.
        var gimbal = new[] { (0.0, 0.0, 0.0), (30.0, 180.0, 0.0), (0.0, 180.0, -75.0), (10.0, 0.0, 20.0), (0.0, 180.0, 180.0) };
        var particles = Enumerable.Range(0, 50).Select(i =>
        {
            var g = optics[i % 2];
            var (rot, tilt, psi) = i < gimbal.Length ? gimbal[i] : (r.Uniform(-180, 180), r.Uniform(0, 180), r.Uniform(-180, 180));
            return new SweepLab.Core.Particles.ParticleInfo($"{i + 1:D6}@sim/stack.mrcs",
                Rotation.FromRelionEulerDegrees(rot, tilt, psi),
                r.Uniform(-5, 5), r.Uniform(-5, 5),
                new CtfParameters(r.Uniform(5000, 30000), r.Uniform(5000, 30000), r.Uniform(-90, 90), g.VoltageKilovolt,
                    g.SphericalAberrationMillimetre, g.AmplitudeContrast, r.Uniform(0, 10), r.Uniform(0, 50), 1),
                g.Number);
        }).ToList();
        string path = dir.File("sim.star");
        RelionParticles.WriteNew(path, particles, optics, [StarColumn.ClassNumbers(Enumerable.Range(0, 50).Select(i => i % 3).ToArray())]);
        var t = RelionParticles.Read(path);
        Assert.Equal(1.1, t.PixelSizeAngstrom);
        Assert.Equal(65, t.BoxSize);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i % 3), t.ClassIndices!);
        for (int i = 0; i < 50; i++)
        {
            var (a, b) = (particles[i], t.Particles[i]);
            Assert.True(a.Rotation.MaxAbsDifference(b.Rotation) < 1e-12);
            Assert.Equal(a.Ctf, b.Ctf);
            Assert.Equal((a.ImageName, a.OriginXAngstrom, a.OriginYAngstrom, a.OpticsGroup), (b.ImageName, b.OriginXAngstrom, b.OriginYAngstrom, b.OpticsGroup));
        }
        var wrongGroup = particles.Take(1).Select(p => p with { OpticsGroup = 2 }).ToList();
        Assert.Throws<ArgumentException>(() => RelionParticles.WriteNew(path, wrongGroup, optics));
        var wrongVoltage = particles.Take(1).Select(p => p with { Ctf = new CtfParameters(1, 1, 0, 200, 2.7, 0.1) }).ToList();
        Assert.Throws<ArgumentException>(() => RelionParticles.WriteNew(path, wrongVoltage, optics));
    }

    [Fact]
    public void FourThousandParticlesOfARefine3DFileReadCompletely()
    {
        // Values and counts only: speed is measured by scripts/bench.sh preprocess, beside a raw read of the same file.
        using var dir = new TempDir();
        var t = RelionParticles.Read(Write(dir, "big.star", Refine3DStar.Text(4000)));
        Assert.Equal((ParticleTableFormat.Relion31, 4000, 4000), (t.Format, t.Count, t.Images.Count));
        Assert.Equal((Refine3DStar.ImagePixelSizeAngstrom, Refine3DStar.ImageSize), (t.PixelSizeAngstrom, t.BoxSize));
        Assert.Equal(Enumerable.Range(0, 4000).Select(Refine3DStar.ClassIndex), t.ClassIndices!);
        Assert.Equal(Enumerable.Range(0, 4000).Select(Refine3DStar.ImageName), t.Particles.Select(p => p.ImageName));
        Assert.All(t.Particles, p => Assert.Equal(1, p.OpticsGroup));
    }
}
