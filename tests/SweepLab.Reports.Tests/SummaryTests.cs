namespace SweepLab.Reports.Tests;

public class SummaryTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
    private static double NaiveStd(double[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
    }

    [Fact]
    public void Aggregates_match_a_naive_recomputation_and_stability_csv()
    {
        var summary = new SweepSummary(SweepOutput.Load(sweep.Dir));
        Assert.Equal(36, summary.Configs.Count);
        var stability = File.ReadAllLines(Path.Combine(sweep.Dir, "stability.csv"));
        var header = stability[0].Split(',').ToList();
        foreach (var config in summary.Configs)
        {
            var finished = sweep.Runs.Where(r => r.ConfigId == config.ConfigId && r.Status != "failed").ToList();
            var split = finished.Select(r => r.Metrics["split_ratio"]).ToArray();
            Assert.Equal(finished.Count, config.Finished);
            Assert.Equal(split.Average(), config.Stat("split_ratio").Mean, 14);
            Assert.Equal(NaiveStd(split), config.Stat("split_ratio").Std, 14);
            double p = finished.Count(r => r.Metrics["collapsed"] == 1) / (double)finished.Count;
            Assert.Equal(p, config.PCollapsed);
            Assert.Equal(finished.Count >= 2 && p == 0 && NaiveStd(split) < 0.05, config.Stable);
            // The same numbers stability.csv holds (written independently by the fixture).
            var row = stability.Single(l => l.StartsWith(config.ConfigId + ",", StringComparison.Ordinal)).Split(',');
            Assert.Equal(double.Parse(row[header.IndexOf("split_ratio_std")], System.Globalization.CultureInfo.InvariantCulture), config.Stat("split_ratio").Std, 12);
            Assert.Equal(double.Parse(row[header.IndexOf("p_collapsed")], System.Globalization.CultureInfo.InvariantCulture), config.PCollapsed, 12);
        }
        // convergence_iteration is NaN for runs that never converged; the mean is over the others.
        var some = summary.Configs.First(c => c.Runs.Any(r => double.IsNaN(r.Metric("convergence_iteration")) && r.Finished)
            && c.Runs.Any(r => double.IsFinite(r.Metric("convergence_iteration"))));
        var finite = some.Runs.Select(r => r.Metric("convergence_iteration")).Where(double.IsFinite).ToArray();
        Assert.Equal(finite.Average(), some.Stat("convergence_iteration").Mean, 12);
        Assert.Equal(finite.Length, some.Stat("convergence_iteration").Count);
    }

    [Fact]
    public void Ranking_puts_stable_first_then_orders_by_collapse_and_spread()
    {
        var summary = new SweepSummary(SweepOutput.Load(sweep.Dir));
        var ranked = summary.Ranked;
        Assert.Equal(Enumerable.Range(1, ranked.Count), ranked.Select(c => c.Rank));
        int stable = ranked.Count(c => c.Stable);
        Assert.InRange(stable, 5, 30); // the fixture's landscape has both regions
        Assert.All(ranked.Take(stable), c => Assert.True(c.Stable));
        Assert.All(ranked.Skip(stable), c => Assert.False(c.Stable));
        for (int i = 1; i < ranked.Count; i++)
        {
            var a = ranked[i - 1];
            var b = ranked[i];
            if (a.Stable != b.Stable) continue;
            Assert.True(a.PCollapsed <= b.PCollapsed, $"rank {a.Rank} p={a.PCollapsed} before rank {b.Rank} p={b.PCollapsed}");
            if (a.PCollapsed == b.PCollapsed)
                Assert.True(a.Stat("split_ratio").Std <= b.Stat("split_ratio").Std || double.IsNaN(b.Stat("split_ratio").Std));
        }
        // A looser threshold can only add stable configurations.
        var loose = new SweepSummary(summary.Sweep, new ReportOptions { StableSplitStd = 0.5 });
        Assert.True(loose.Configs.Count(c => c.Stable) >= stable);
        Assert.All(summary.Configs.Where(c => c.Stable), c => Assert.True(loose.Configs.Single(l => l.ConfigId == c.ConfigId).Stable));
    }

    [Fact]
    public void Axes_are_ordered_by_value_count_with_numeric_sort()
    {
        var summary = new SweepSummary(SweepOutput.Load(sweep.Dir));
        Assert.Equal(["class_similarity", "batch_size_per_class", "hard_classification"], summary.Axes.Select(a => a.Name));
        Assert.Equal(["1000", "5000", "10000"], summary.Axes[1].Values); // numeric, not "10000" < "1000" < "5000"
        Assert.Equal(["hard_then_soft:20", "off", "soft_then_hard:30"], summary.Axes[2].Values);
        var grid = new AxisGrid(summary.Axes, summary.Configs);
        Assert.Single(grid.At("0.1", "5000", "off"));
        Assert.Empty(grid.At("0.7", "5000", "off"));
        Assert.Equal(summary.Configs.Count, grid.X!.Values.Sum(x => grid.Y!.Values.Sum(y => grid.FacetValues.Sum(f => grid.At(x, y, f).Count))));
    }

    [Fact]
    public void MetricStats_spread_is_the_sample_standard_deviation()
    {
        var s = MetricStats.Of([1, 2, 3, 4, double.NaN]);
        Assert.Equal(2.5, s.Mean);
        Assert.Equal(Math.Sqrt(5.0 / 3.0), s.Std, 15);
        Assert.Equal(4, s.Count);
        Assert.True(double.IsNaN(MetricStats.Of([7]).Std));
        Assert.Equal("7", MetricStats.Of([7]).Format());
        Assert.Equal("2.5 ± 1.291", s.Format());
        Assert.Equal("n/a", MetricStats.Of([]).Format());
    }
}
