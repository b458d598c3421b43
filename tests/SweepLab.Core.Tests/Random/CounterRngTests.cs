using SweepLab.Core.Random;

namespace SweepLab.Core.Tests.Random;

public class CounterRngTests
{
    /// <summary>
    /// Random123 tests/kat_vectors, the three "philox4x32 10" lines: counter[4], key[2] -> result[4] (hex words).
    /// </summary>
    public static TheoryData<uint[], uint[], uint[]> Random123Vectors => new()
    {
        { new uint[] { 0, 0, 0, 0 }, new uint[] { 0, 0 }, new uint[] { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 } },
        { new uint[] { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff }, new uint[] { 0xffffffff, 0xffffffff },
          new uint[] { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd } },
        { new uint[] { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 }, new uint[] { 0xa4093822, 0x299f31d0 },
          new uint[] { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 } },
    };

    [Theory]
    [MemberData(nameof(Random123Vectors))]
    public void Philox_matches_Random123_known_answers(uint[] ctr, uint[] key, uint[] expected)
    {
        CounterRng.Philox4x32x10(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out uint r0, out uint r1, out uint r2, out uint r3);
        Assert.Equal(expected, new[] { r0, r1, r2, r3 });
    }

    /// <summary>An independent transcription of the published round function (arrays, Math.BigMul, key kept per round).</summary>
    private static uint[] ReferencePhilox(uint[] counter, uint[] key)
    {
        var c = (uint[])counter.Clone();
        for (int r = 0; r < 10; r++)
        {
            uint k0 = unchecked(key[0] + (uint)r * 0x9E3779B9u);
            uint k1 = unchecked(key[1] + (uint)r * 0xBB67AE85u);
            ulong hi0 = Math.BigMul(0xD2511F53ul, c[0], out ulong lo0);
            ulong hi1 = Math.BigMul(0xCD9E8D57ul, c[2], out ulong lo1);
            // a 32 x 32 product fits in 64 bits, so the "hi" of BigMul is zero and the word split is in lo
            Assert.Equal(0ul, hi0);
            Assert.Equal(0ul, hi1);
            c = new[] { (uint)(lo1 >> 32) ^ c[1] ^ k0, (uint)lo1, (uint)(lo0 >> 32) ^ c[3] ^ k1, (uint)lo0 };
        }
        return c;
    }

    [Fact]
    public void Keyed_counter_mapping_matches_an_independent_reference()
    {
        ulong seed = 0x0123456789ABCDEFul;
        foreach (var (stream, index, draw) in new[] { (0u, 0ul, 0u), (7u, 123456789012ul, 3u), (uint.MaxValue, ulong.MaxValue, uint.MaxValue) })
        {
            var expected = ReferencePhilox(
                new[] { (uint)index, (uint)(index >> 32), draw, stream },
                new[] { (uint)seed, (uint)(seed >> 32) });
            ulong value = CounterRng.NextUInt64(seed, stream, index, draw);
            Assert.Equal(((ulong)expected[1] << 32) | expected[0], value);
        }
    }

    [Fact]
    public void Values_are_pure_functions_of_the_key()
    {
        Assert.Equal(CounterRng.NextUInt64(42, 1, 1000, 2), CounterRng.NextUInt64(42, 1, 1000, 2));
        Assert.NotEqual(CounterRng.NextUInt64(42, 1, 1000, 2), CounterRng.NextUInt64(43, 1, 1000, 2));
        Assert.NotEqual(CounterRng.NextUInt64(42, 1, 1000, 2), CounterRng.NextUInt64(42, 2, 1000, 2));
        Assert.NotEqual(CounterRng.NextUInt64(42, 1, 1000, 2), CounterRng.NextUInt64(42, 1, 1001, 2));
        Assert.NotEqual(CounterRng.NextUInt64(42, 1, 1000, 2), CounterRng.NextUInt64(42, 1, 1000, 3));
        // the high word of the index reaches the output
        Assert.NotEqual(CounterRng.NextUInt64(42, 1, 5, 0), CounterRng.NextUInt64(42, 1, 5 + (1ul << 32), 0));
        Assert.NotEqual(CounterRng.NextUInt64(5, 1, 5, 0), CounterRng.NextUInt64(5 + (1ul << 32), 1, 5, 0));
    }

    [Fact]
    public void Uniform_doubles_have_the_moments_of_U01()
    {
        const int n = 400_000;
        double sum = 0, sumSq = 0, min = 1, max = 0;
        for (int i = 0; i < n; i++)
        {
            double u = CounterRng.NextDouble(2024, 0, (ulong)i, 0);
            Assert.InRange(u, 0.0, 1.0 - 1e-17);
            sum += u; sumSq += u * u;
            min = Math.Min(min, u); max = Math.Max(max, u);
        }
        double mean = sum / n;
        double variance = sumSq / n - mean * mean;
        // standard error of the mean: sqrt(1/12/n) = 4.6e-4; allow 5 sigma
        Assert.InRange(mean, 0.5 - 2.3e-3, 0.5 + 2.3e-3);
        // sd of the sample variance of U(0,1): sqrt(1/180/n) = 1.2e-4
        Assert.InRange(variance, 1.0 / 12 - 6e-4, 1.0 / 12 + 6e-4);
        Assert.True(min < 1e-4 && max > 1 - 1e-4);
    }

    [Fact]
    public void Bounded_integers_are_uniform_by_chi_square()
    {
        const int n = 200_000, bins = 10;
        var counts = new int[bins];
        for (int i = 0; i < n; i++) counts[CounterRng.NextBelow(9, 3, (ulong)i, 1, bins)]++;
        double expected = (double)n / bins;
        double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
        // chi-square with 9 degrees of freedom: P(chi2 > 27.9) = 0.001
        Assert.True(chi2 < 27.9, $"chi2 = {chi2}");
        Assert.Equal(0ul, CounterRng.NextBelow(1, 1, 1, 1, 1));
    }

    [Fact]
    public void Normal_deviates_have_standard_normal_moments()
    {
        const int n = 200_000;
        double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        int beyond2 = 0;
        for (int i = 0; i < n; i++)
        {
            CounterRng.NextNormalPair(77, 5, (ulong)i, 0, out double a, out double b);
            foreach (double z in new[] { a, b })
            {
                s1 += z; s2 += z * z; s3 += z * z * z; s4 += z * z * z * z;
                if (Math.Abs(z) > 2) beyond2++;
            }
        }
        int m = 2 * n;
        double mean = s1 / m, var = s2 / m - mean * mean;
        double skew = s3 / m, kurt = s4 / m;
        // standard errors at m = 4e5: mean 1.6e-3, variance 2.2e-3, third moment 3.9e-3, fourth moment 1.7e-2
        Assert.InRange(mean, -8e-3, 8e-3);
        Assert.InRange(var, 1 - 1.1e-2, 1 + 1.1e-2);
        Assert.InRange(skew, -2e-2, 2e-2);
        Assert.InRange(kurt, 3 - 8.5e-2, 3 + 8.5e-2);
        // P(|z| > 2) = 0.0455003
        Assert.InRange((double)beyond2 / m, 0.0455 - 2e-3, 0.0455 + 2e-3);
        Assert.Equal(CounterRng.NextNormal(77, 5, 3, 0), Get(77, 5, 3));

        static double Get(ulong s, uint st, ulong i) { CounterRng.NextNormalPair(s, st, i, 0, out double z, out _); return z; }
    }

    [Fact]
    public void Streams_seeds_and_draws_are_uncorrelated()
    {
        const int n = 100_000;
        // pairs of sequences that share all but one key component must look independent
        (Func<int, double> a, Func<int, double> b, string what)[] pairs =
        {
            (i => CounterRng.NextDouble(1, 0, (ulong)i, 0), i => CounterRng.NextDouble(1, 1, (ulong)i, 0), "stream"),
            (i => CounterRng.NextDouble(1, 0, (ulong)i, 0), i => CounterRng.NextDouble(2, 0, (ulong)i, 0), "seed"),
            (i => CounterRng.NextDouble(1, 0, (ulong)i, 0), i => CounterRng.NextDouble(1, 0, (ulong)i, 1), "draw"),
            (i => CounterRng.NextDouble(1, 0, (ulong)i, 0), i => CounterRng.NextDouble(1, 0, (ulong)i + 1, 0), "neighbour index"),
        };
        foreach (var (fa, fb, what) in pairs)
        {
            double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < n; i++)
            {
                double x = fa(i), y = fb(i);
                sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
            }
            double cov = sab / n - sa / n * (sb / n);
            double r = cov / Math.Sqrt((saa / n - sa / n * (sa / n)) * (sbb / n - sb / n * (sb / n)));
            // sd of r under independence is 1/sqrt(n) = 3.2e-3; 5 sigma
            Assert.True(Math.Abs(r) < 1.6e-2, $"{what}: r = {r}");
        }
    }
}
