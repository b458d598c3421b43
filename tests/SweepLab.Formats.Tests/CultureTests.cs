using SweepLab.Core.Ctf;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Star;

namespace SweepLab.Formats.Tests;

/// <summary>Machine-read text must not depend on the user's locale (German writes 1,5 for 1.5).</summary>
public class CultureTests
{
    private static readonly OpticsGroupInfo Group = new(1, "g", 300, 2.7, 0.1, 1.06, 128);

    private static List<ParticleInfo> Particles()
    {
        var r = new TestRandom(8);
        return Enumerable.Range(0, 20).Select(i => new ParticleInfo($"{i + 1:D6}@s.mrcs",
            Rotation.FromRelionEulerDegrees(r.Uniform(-180, 180), r.Uniform(1, 179), r.Uniform(-180, 180)),
            r.Uniform(-3, 3), -1.5,
            new CtfParameters(r.Uniform(5000, 20000), 12345.678, -12.5, 300, 2.7, 0.1, 0, 0.25, 1), 1)).ToList();
    }

    [Fact]
    public void StarTextAndParsedValuesAreTheSameUnderAGermanCulture()
    {
        var particles = Particles();
        var columns = new[] { StarColumn.FromDoubles("swlEss", [.. Enumerable.Range(0, 20).Select(i => 1 + i / 7.0)]) };
        string invariant = Culture.Under("", () => StarWriter.ToText(RelionParticles.BuildNew(particles, [Group], columns)));
        string german = Culture.Under("de-DE", () => StarWriter.ToText(RelionParticles.BuildNew(particles, [Group], columns)));
        Assert.Equal(invariant, german);
        Assert.Contains("12345.678", german);
        Assert.DoesNotContain("12345,678", german);

        using var dir = new TempDir();
        string path = dir.File("p.star");
        File.WriteAllText(path, invariant);
        var a = Culture.Under("", () => RelionParticles.Read(path));
        var b = Culture.Under("de-DE", () => RelionParticles.Read(path));
        Assert.Equal(a.Particles, b.Particles);
        Assert.Equal(1.06, b.PixelSizeAngstrom);
        Assert.Equal(-1.5, b.Particles[0].OriginYAngstrom);
    }

    [Fact]
    public void CsFilesAreByteIdenticalUnderAGermanCulture()
    {
        using var dir = new TempDir();
        var particles = Particles();
        Culture.Under("", () => { CryoSparcParticles.Write(dir.File("a.cs"), particles, [Group]); return 0; });
        Culture.Under("de-DE", () => { CryoSparcParticles.Write(dir.File("b.cs"), particles, [Group]); return 0; });
        Assert.Equal(File.ReadAllBytes(dir.File("a.cs")), File.ReadAllBytes(dir.File("b.cs")));
        var t = Culture.Under("de-DE", () => CryoSparcParticles.Read(dir.File("b.cs")));
        Assert.Equal(20, t.Count);
    }

    [Fact]
    public void NumbersRoundTripExactly()
    {
        var r = new TestRandom(4);
        var values = new List<double> { 0.1, 1.0 / 3, -0.0, 1e-300, 123456789.123456789, double.Epsilon, Math.PI * 1e20 };
        for (int i = 0; i < 1000; i++) values.Add(BitConverter.Int64BitsToDouble((long)(r.NextULong() >> 2)));
        foreach (var v in values)
        {
            string text = Culture.Under("de-DE", () => InvariantNumbers.Format(v));
            double parsed = Culture.Under("de-DE", () => InvariantNumbers.TryParse(text, out double back) ? back : double.NaN);
            Assert.Equal(BitConverter.DoubleToInt64Bits(v), BitConverter.DoubleToInt64Bits(parsed));
            Assert.DoesNotContain(",", text);
        }
        Assert.True(InvariantNumbers.TryParse("3.000000", out int three));
        Assert.Equal(3, three);
        Assert.False(InvariantNumbers.TryParse("3.5", out int _));
    }
}
