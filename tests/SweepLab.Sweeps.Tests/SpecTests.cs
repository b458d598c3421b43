using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace SweepLab.Sweeps.Tests;

public class SettingValueTests
{
    [Fact]
    public void CanonicalTextIsInvariantAndShortest()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("0.1", SettingValue.FromReal(0.1).CanonicalText);
            Assert.Equal("1E-05", SettingValue.FromReal(1e-5).CanonicalText);
            Assert.Equal("-2.5", SettingValue.FromReal(-2.5).CanonicalText);
            Assert.Equal("5000", SettingValue.FromInteger(5000).CanonicalText);
            Assert.Equal("true", SettingValue.FromBoolean(true).CanonicalText);
            Assert.Equal("soft_then_hard", SettingValue.FromString("soft_then_hard").CanonicalText);
            Assert.Equal("0", SettingValue.FromReal(-0.0).CanonicalText);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void EqualityIgnoresLineAndNumberKindButNotCategory()
    {
        Assert.Equal(SettingValue.FromInteger(1, line: 3), SettingValue.FromReal(1.0, line: 9));
        Assert.Equal(SettingValue.FromInteger(1).GetHashCode(), SettingValue.FromReal(1.0).GetHashCode());
        Assert.NotEqual(SettingValue.FromString("1"), SettingValue.FromInteger(1));
        Assert.NotEqual(SettingValue.FromString("true"), SettingValue.FromBoolean(true));
        Assert.NotEqual(SettingValue.FromReal(0.1), SettingValue.FromReal(0.1 + 1e-17 * 3));
        Assert.Equal(SettingKind.Integer, SettingValue.FromInteger(1).Kind);
        Assert.Equal(SettingKind.Real, SettingValue.FromReal(1).Kind);
    }

    [Fact]
    public void ConversionsAndRefusals()
    {
        Assert.True(SettingValue.FromReal(3.0).TryGetInt64(out long three));
        Assert.Equal(3, three);
        Assert.False(SettingValue.FromReal(3.5).TryGetInt64(out _));
        Assert.False(SettingValue.FromString("3").TryGetInt64(out _));
        Assert.Equal(0.25, SettingValue.FromReal(0.25).AsDouble);
        Assert.Equal(7.0, SettingValue.FromInteger(7).AsDouble);
        Assert.Throws<ArgumentOutOfRangeException>(() => SettingValue.FromReal(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => SettingValue.FromReal(double.PositiveInfinity));
        Assert.Throws<InvalidOperationException>(() => SettingValue.FromString("x").AsDouble);
        Assert.Throws<InvalidOperationException>(() => SettingValue.FromInteger(1).AsBoolean);
        Assert.Equal(12, SettingValue.FromInteger(1).WithLine(12).Line);
    }
}

public class AxisValuesTests
{
    private static string Texts(IReadOnlyList<SettingValue> values) => string.Join(" ", values.Select(v => v.CanonicalText));

    [Fact]
    public void IntegerRangeExcludesStopAndStaysIntegral()
    {
        var values = AxisValues.Range(10, 50, 10);
        Assert.Equal("10 20 30 40", Texts(values));
        Assert.All(values, v => Assert.Equal(SettingKind.Integer, v.Kind));
        Assert.Equal("5 3 1", Texts(AxisValues.Range(5, 0, -2)));
        Assert.Equal("0 2 4", Texts(AxisValues.Range(0, 5, 2)));
    }

    [Fact]
    public void RealRangeHasNoRepresentationNoise()
    {
        // 3 * 0.1 is 0.30000000000000004 in binary; the stop (0.3) stays excluded and the values read as typed.
        Assert.Equal("0 0.1 0.2", Texts(AxisValues.Range(0.0, 0.3, 0.1)));
        Assert.Equal("0 0.1 0.2 0.3", Texts(AxisValues.Range(0.0, 0.31, 0.1)));
        Assert.Equal("0.7 0.8 0.9", Texts(AxisValues.Range(0.7, 1.0, 0.1)));
    }

    [Fact]
    public void LinspaceIncludesBothEnds()
    {
        var ints = AxisValues.Linspace(1000, 10000, 10);
        Assert.Equal("1000 2000 3000 4000 5000 6000 7000 8000 9000 10000", Texts(ints));
        Assert.All(ints, v => Assert.Equal(SettingKind.Integer, v.Kind));
        Assert.Equal("0 0.25 0.5 0.75 1", Texts(AxisValues.Linspace(0.0, 1.0, 5)));
        var mixed = AxisValues.Linspace(0, 1, 3);
        Assert.Equal("0 0.5 1", Texts(mixed));
        Assert.All(mixed, v => Assert.Equal(SettingKind.Real, v.Kind));
        Assert.Equal("0.1", Texts(AxisValues.Linspace(0.1, 0.9, 1)));
    }

    [Fact]
    public void LogspaceIsPowersOfTen()
    {
        Assert.Equal("0.001 0.01 0.1 1", Texts(AxisValues.Logspace(-3, 0, 4)));
        var values = AxisValues.Logspace(0, 1, 3);
        Assert.Equal(Math.Sqrt(10), values[1].AsDouble, 14);
        Assert.Equal(10.0, values[2].AsDouble);
    }

    [Fact]
    public void BadGeneratorsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => AxisValues.Range(0, 10, 0));
        Assert.Throws<ArgumentException>(() => AxisValues.Range(5, 5, 1));
        Assert.Throws<ArgumentException>(() => AxisValues.Range(0, 10, -1));
        Assert.Throws<ArgumentException>(() => AxisValues.Range(0, 10_000_000, 1));
        Assert.Throws<ArgumentException>(() => AxisValues.Linspace(0, 1, 0));
        Assert.Throws<ArgumentException>(() => AxisValues.Logspace(0, 400, 2));
    }
}

public class MetricPredicateTests
{
    [Theory]
    [InlineData("collapsed == 1", "collapsed", ComparisonOperator.Equal, 1.0)]
    [InlineData("split_ratio<0.2", "split_ratio", ComparisonOperator.Less, 0.2)]
    [InlineData("ess >= -1.5e-3", "ess", ComparisonOperator.GreaterOrEqual, -1.5e-3)]
    [InlineData(" a != 0 ", "a", ComparisonOperator.NotEqual, 0.0)]
    [InlineData("b <= 2", "b", ComparisonOperator.LessOrEqual, 2.0)]
    [InlineData("c > 3", "c", ComparisonOperator.Greater, 3.0)]
    public void Parses(string text, string metric, ComparisonOperator op, double threshold)
    {
        var p = MetricPredicate.Parse(text);
        Assert.Equal(new MetricPredicate(metric, op, threshold), p);
        Assert.Equal(p, MetricPredicate.Parse(p.ToString()));
    }

    [Theory]
    [InlineData("collapsed = 1")]
    [InlineData("== 1")]
    [InlineData("x < abc")]
    [InlineData("x y < 1")]
    [InlineData("x < NaN")]
    public void RefusesMalformed(string text) => Assert.False(MetricPredicate.TryParse(text, out _, out _));

    [Fact]
    public void Evaluates()
    {
        var p = MetricPredicate.Parse("split_ratio < 0.2");
        Assert.True(p.IsSatisfiedBy(0.1));
        Assert.False(p.IsSatisfiedBy(0.2));
        Assert.False(p.IsSatisfiedBy(double.NaN));
        Assert.False(p.IsSatisfiedBy(new Dictionary<string, double> { ["other"] = 0 }));
        Assert.True(p.IsSatisfiedBy(new Dictionary<string, double> { ["split_ratio"] = 0.05 }));
    }
}

public class IdTests
{
    [Fact]
    public void CanonicalJsonSortsKeysAndUsesCanonicalNumbers()
    {
        var a = Specs.Map(("b", "x"), ("a", 1.0), ("c", true), ("d", 1e-5));
        Assert.Equal("{\"seed\":7,\"settings\":{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":1E-05}}", CanonicalJson.Settings(a, 7));
        Assert.Equal("{\"settings\":{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":1E-05}}", CanonicalJson.Settings(a));
    }

    [Fact]
    public void RunIdIsSha256PrefixAndIndependentOfOrder()
    {
        var a = Specs.Map(("b", "x"), ("a", 1));
        var b = Specs.Map(("a", 1.0), ("b", "x"));
        var run = new RunSpec(a, 7, 0);
        string expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("{\"seed\":7,\"settings\":{\"a\":1,\"b\":\"x\"}}")))[..16];
        Assert.Equal(expected, run.RunId);
        Assert.Equal(run.RunId, new RunSpec(b, 7, 3).RunId);
        Assert.Equal(run.ConfigId, new RunSpec(b, 8, 1).ConfigId);
        Assert.NotEqual(run.RunId, new RunSpec(a, 8, 0).RunId);
        Assert.NotEqual(run.ConfigId, new RunSpec(a.With("a", 2), 7, 0).ConfigId);
        Assert.Matches("^[0-9a-f]{16}$", run.RunId);
    }

    [Fact]
    public void SeedsMatchAnIndependentSplitMixAndDiffer()
    {
        static long Reference(long seed, int repeat)
        {
            var mod = BigInteger.One << 64;
            BigInteger z = ((new BigInteger(unchecked((ulong)seed))) + new BigInteger(0x9E3779B97F4A7C15UL) * (repeat + 1)) % mod;
            z = ((z ^ (z >> 30)) * new BigInteger(0xBF58476D1CE4E5B9UL)) % mod;
            z = ((z ^ (z >> 27)) * new BigInteger(0x94D049BB133111EBUL)) % mod;
            z ^= z >> 31;
            return (long)(z >> 33);
        }
        var seeds = new HashSet<long>();
        foreach (long baseSeed in new long[] { 0, 42, -1, long.MaxValue })
        {
            for (int r = 0; r < 50; r++)
            {
                long s = SeedDerivation.ForRepeat(baseSeed, r);
                Assert.Equal(Reference(baseSeed, r), s);
                Assert.InRange(s, 0, int.MaxValue);
                seeds.Add(s);
            }
        }
        Assert.Equal(200, seeds.Count);
    }
}
