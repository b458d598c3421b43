using SweepLab.Core.Statistics;

namespace SweepLab.Core.Tests.Statistics;

public class SeedSpreadTests
{
    [Theory]
    // Student's t 0.975 quantiles from statistical tables (df = n - 1)
    [InlineData(2, 12.706204736174698)]
    [InlineData(3, 4.302652729749464)]
    [InlineData(5, 2.7764451051977934)]
    [InlineData(31, 2.0422724563012373)]
    public void The_t_quantile_matches_the_table(int n, double t) => Assert.Equal(t, SeedSpread.TQuantile95(n), 8);

    [Fact]
    public void The_interval_of_three_seeds_is_four_times_wider_than_the_standard_error()
    {
        double[] v = [0.91, 0.95, 0.99];
        Assert.Equal(0.04, SeedSpread.SampleStandardDeviation(v), 12);
        Assert.Equal(4.302652729749464 * 0.04 / Math.Sqrt(3), SeedSpread.ConfidenceHalfWidth95(v), 8);
        Assert.True(double.IsNaN(SeedSpread.ConfidenceHalfWidth95([0.5])));
        Assert.True(double.IsNaN(SeedSpread.SampleStandardDeviation([0.5])));
    }
}
