using SweepLab.Core.Metrics;
using SweepLab.Core.Random;

namespace SweepLab.Core.Tests.Metrics;

public class FourierShellCorrelationTests
{
    private static float[] RandomVolume(int m, ulong seed, uint stream)
    {
        var v = new float[2 * m * m * m];
        for (int i = 0; i < v.Length / 2; i++)
        {
            CounterRng.NextNormalPair(seed, stream, (ulong)i, 0, out double re, out double im);
            v[2 * i] = (float)re;
            v[2 * i + 1] = (float)im;
        }
        return v;
    }

    private static int ShellOf(int m, int i)
    {
        int half = m / 2;
        int x = i % m - half, y = i / m % m - half, z = i / (m * m) - half;
        return (int)Math.Round(Math.Sqrt(x * x + y * y + z * z));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(65)]
    public void A_volume_with_itself_or_a_positive_multiple_gives_one_and_its_negative_minus_one(int m)
    {
        var v = RandomVolume(m, 1, 0);
        var scaled = v.Select(x => 3.5f * x).ToArray();
        var negated = v.Select(x => -x).ToArray();
        var self = FourierShellCorrelation.Compute(v, scaled, m, 1.3);
        var neg = FourierShellCorrelation.Compute(v, negated, m, 1.3);
        Assert.Equal(m / 2 + 1, self.Correlation.Count);
        for (int s = 0; s < self.Correlation.Count; s++)
        {
            Assert.Equal(1.0, self.Correlation[s], 12);
            Assert.Equal(-1.0, neg.Correlation[s], 12);
        }
        self.ResolutionAngstrom(0.143, out bool crosses);
        Assert.False(crosses);
        Assert.Equal(m * 1.3 / (m / 2), self.ResolutionAt0143Angstrom, 12);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(33)]
    public void Shell_counts_follow_rounded_radius(int m)
    {
        var v = RandomVolume(m, 2, 0);
        var fsc = FourierShellCorrelation.Compute(v, v, m, 1.0);
        Assert.Equal(1, fsc.ShellVoxelCounts[0]);
        Assert.Equal(18, fsc.ShellVoxelCounts[1]);   // |k|^2 in {1, 2}: 6 + 12
        Assert.Equal(62, fsc.ShellVoxelCounts[2]);   // |k|^2 in {3, 4, 5, 6}: 8 + 6 + 24 + 24
        long expectedTotal = Enumerable.Range(0, m * m * m).LongCount(i => ShellOf(m, i) <= m / 2);
        Assert.Equal(expectedTotal, fsc.ShellVoxelCounts.Sum());
    }

    [Fact]
    public void Independent_noise_gives_fsc_near_zero_and_equal_snr_signal_gives_one_half()
    {
        const int m = 40;
        var signal = RandomVolume(m, 3, 0);
        var noise1 = RandomVolume(m, 3, 1);
        var noise2 = RandomVolume(m, 3, 2);
        var independent = FourierShellCorrelation.Compute(noise1, noise2, m, 1.0);
        var half1 = signal.Zip(noise1, (s, n) => s + n).ToArray();
        var half2 = signal.Zip(noise2, (s, n) => s + n).ToArray();
        var snr1 = FourierShellCorrelation.Compute(half1, half2, m, 1.0);
        for (int s = 4; s < independent.Correlation.Count; s++)
        {
            // a shell of n complex voxels: sd of the correlation about 1/sqrt(2n); 6 sigma
            double sd = 1 / Math.Sqrt(2.0 * independent.ShellVoxelCounts[s]);
            Assert.InRange(independent.Correlation[s], -6 * sd, 6 * sd);
            // FSC = SNR / (1 + SNR) with SNR = 1 per voxel
            Assert.InRange(snr1.Correlation[s], 0.5 - 6 * sd, 0.5 + 6 * sd);
        }
    }

    [Theory]
    [InlineData(48)]
    [InlineData(49)]
    public void Resolution_interpolates_the_threshold_crossing(int m)
    {
        // identical up to shell 10, negated beyond: FSC is exactly 1 then -1
        var v = RandomVolume(m, 4, 0);
        var w = (float[])v.Clone();
        for (int i = 0; i < m * m * m; i++)
            if (ShellOf(m, i) > 10) { w[2 * i] = -w[2 * i]; w[2 * i + 1] = -w[2 * i + 1]; }
        var fsc = FourierShellCorrelation.Compute(v, w, m, 1.1);
        double at0143 = fsc.ResolutionAngstrom(0.143, out bool crosses);
        Assert.True(crosses);
        Assert.Equal(m * 1.1 / (10 + (1 - 0.143) / 2), at0143, 10);
        Assert.Equal(m * 1.1 / (10 + (1 - 0.5) / 2), fsc.ResolutionAt05Angstrom, 10);
    }

    [Fact]
    public void Wrong_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => FourierShellCorrelation.Compute(new float[10], new float[10], 4, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FourierShellCorrelation.Compute(new float[128], new float[128], 4, 0));
    }
}
