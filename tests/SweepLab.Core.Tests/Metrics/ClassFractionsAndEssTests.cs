using SweepLab.Core.Metrics;

namespace SweepLab.Core.Tests.Metrics;

public class ClassFractionsAndEssTests
{
    [Fact]
    public void Hard_and_soft_fractions()
    {
        Assert.Equal(new[] { 0.25, 0.75, 0.0 }, ClassFractions.Hard(new[] { 1, 0, 1, 1 }, 3));
        double[] posteriors = { 1.0, 0.0, 0.5, 0.5, 0.2, 0.8 };
        var soft = ClassFractions.Soft(posteriors, 2);
        Assert.Equal(1.7 / 3, soft[0], 15);
        Assert.Equal(1.3 / 3, soft[1], 15);
        Assert.Throws<ArgumentException>(() => ClassFractions.Soft(new double[5], 2));
    }

    [Fact]
    public void Split_ratio_and_collapse_flag()
    {
        Assert.Equal(1.0, ClassFractions.MinorityToMajorityRatio(new[] { 0.5, 0.5 }));
        Assert.Equal(0.001 / 0.999, ClassFractions.MinorityToMajorityRatio(new[] { 0.999, 0.001 }), 15);
        Assert.Equal(new[] { 0.6, 0.3, 0.1 }, ClassFractions.SortedDescending(new[] { 0.1, 0.6, 0.3 }));
        Assert.True(ClassFractions.IsCollapsed(new[] { 0.99, 0.01 }, 0.02));
        Assert.False(ClassFractions.IsCollapsed(new[] { 0.98, 0.02 }, 0.02));
        Assert.False(ClassFractions.IsCollapsed(new[] { 0.5, 0.5 }, 0.02));
    }

    [Fact]
    public void Ess_histogram_bins_over_one_to_k()
    {
        // K = 3, 4 bins of width 0.5: [1,1.5) [1.5,2) [2,2.5) [2.5,3]
        double[] ess = { 1.0, 1.2, 1.5, 1.99, 2.0, 2.7, 3.0, 3.0 + 1e-12, 1.0 - 1e-12 };
        var s = EssStatistics.Summarise(ess, 3, 4);
        Assert.Equal(new long[] { 3, 2, 1, 3 }, s.BinCounts);
        Assert.Equal(ess.Average(), s.Mean, 14);
        Assert.Equal(1.99, s.Median);
        Assert.Equal(2.0, s.BinLowerEdge(2, 3));
        Assert.Equal(1.5, EssStatistics.Summarise(new[] { 1.0, 2.0 }, 2, 5).Median);
        Assert.Throws<ArgumentOutOfRangeException>(() => EssStatistics.Summarise(new[] { 3.5 }, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => EssStatistics.Summarise(new[] { double.NaN }, 3));
    }
}
