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
    public void With_truth_healthy_configurations_rank_first_then_by_accuracy()
    {
        var summary = new SweepSummary(SweepOutput.Load(sweep.Dir));
        var ranked = summary.Ranked;
        Assert.Equal(Enumerable.Range(1, ranked.Count), ranked.Select(c => c.Rank));
        int healthy = ranked.Count(c => c.Healthy);
        Assert.InRange(healthy, 3, ranked.Count - 3); // the fixture's landscape has both regions
        Assert.All(ranked.Take(healthy), c => Assert.True(c.Healthy));
        Assert.All(ranked.Skip(healthy), c => Assert.False(c.Healthy));
        foreach (var c in ranked)
            Assert.Equal(!(c.PCollapsed > 0) && !(c.Stat("smallest_class_fraction").Mean < 0.05) && !(c.Agreement < 0.5), c.Healthy);
        for (int i = 1; i < ranked.Count; i++)
            if (ranked[i - 1].Healthy == ranked[i].Healthy)
                Assert.True(ranked[i - 1].Stat("accuracy").Mean >= ranked[i].Stat("accuracy").Mean || double.IsNaN(ranked[i].Stat("accuracy").Mean),
                    $"rank {ranked[i - 1].Rank} accuracy {ranked[i - 1].Stat("accuracy").Mean} before rank {ranked[i].Rank} {ranked[i].Stat("accuracy").Mean}");
        // a near-collapsed configuration never outranks a healthy one, however accurate its finished seeds were
        Assert.True(ranked.Take(healthy).All(h => ranked.Skip(healthy).All(u => h.Rank < u.Rank)));
        Assert.Contains("higher mean accuracy first", summary.RankingRule);
        // A looser stability threshold can only add stable configurations.
        var loose = new SweepSummary(summary.Sweep, new ReportOptions { StableSplitStd = 0.5 });
        Assert.All(summary.Configs.Where(c => c.Stable), c => Assert.True(loose.Configs.Single(l => l.ConfigId == c.ConfigId).Stable));
    }

    [Fact]
    public void Without_truth_healthy_first_then_stable_then_collapse_and_spread()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Truth = false });
        var summary = new SweepSummary(SweepOutput.Load(dir.Path));
        var ranked = summary.Ranked;
        int healthy = ranked.Count(c => c.Healthy);
        Assert.All(ranked.Take(healthy), c => Assert.True(c.Healthy));
        for (int i = 1; i < ranked.Count; i++)
        {
            var a = ranked[i - 1];
            var b = ranked[i];
            if (a.Healthy != b.Healthy) continue;
            Assert.True(!(b.Stable && !a.Stable), $"unstable rank {a.Rank} before stable rank {b.Rank}");
            if (a.Stable != b.Stable) continue;
            Assert.True(a.PCollapsed <= b.PCollapsed, $"rank {a.Rank} p={a.PCollapsed} before rank {b.Rank} p={b.PCollapsed}");
            if (a.PCollapsed == b.PCollapsed)
                Assert.True(a.Stat("split_ratio").Std <= b.Stat("split_ratio").Std || double.IsNaN(b.Stat("split_ratio").Std));
        }
        Assert.Contains("without ground truth", summary.RankingRule);
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
        // 95% interval of the mean: t(0.975, 3) = 3.182446305284263 x s / sqrt(4)
        Assert.Equal(3.182446305284263 * Math.Sqrt(5.0 / 3.0) / 2, s.Ci95, 9);
        Assert.Equal("2.5 ± 2.054 (n = 4)", s.FormatInterval());
        Assert.Equal("7 (n = 1)", MetricStats.Of([7]).FormatInterval());
        Assert.Equal("n/a", MetricStats.Of([]).Format());
    }
}
