using System.Text.Json;

namespace SweepLab.Reports.Tests;

public class CompareTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
    private static FixtureSpec Schedule(string name, string hard, string[] similarities) => new()
    {
        Name = name,
        Axes = [("class_similarity", similarities), ("batch_size_per_class", ["1000", "5000", "10000"])],
        Fixed = new Dictionary<string, string> { ["hard_classification"] = hard },
        Failed = new HashSet<int>(),
        Maps = false,
    };

    [Fact]
    public void Groups_within_one_sweep_match_on_the_other_settings()
    {
        var report = CompareBuilder.CompareBySetting(sweep.Dir, "hard_classification");
        ReportStructureTests.AssertWellFormed(new SweepReport(report.Html, report.Markdown, report.Charts, new SweepSummary(SweepOutput.Load(sweep.Dir))));
        Assert.Equal(["hard_classification = hard_then_soft:20", "hard_classification = off", "hard_classification = soft_then_hard:30"], report.Sides.Select(s => s.Name));
        Assert.Equal(["class_similarity", "batch_size_per_class"], report.KeySettings);
        Assert.Equal(12, report.Matched.Count);
        // Side-by-side maps (split, collapse, spread, accuracy): one heatmap per side; then one difference panel per other side.
        Assert.Equal(5, report.Charts.Count);
        Assert.All(report.Charts.Take(4), c => Assert.Equal(3, c.TraceCount));
        Assert.Equal(2, report.Charts[4].TraceCount);
        // Differences against a naive recomputation from the runs.
        foreach (var m in report.Matched)
        {
            for (int side = 1; side < 3; side++)
            {
                double[] Split(int s) => sweep.Runs.Where(r => r.Status != "failed" && r.Settings["hard_classification"] == report.Sides[s].Configs[0].Settings["hard_classification"]
                    && r.Settings["class_similarity"] == m.Key["class_similarity"] && r.Settings["batch_size_per_class"] == m.Key["batch_size_per_class"])
                    .Select(r => r.Metrics["split_ratio"]).ToArray();
                double[] a = Split(0), b = Split(side);
                static double Var(double[] v) => v.Sum(x => (x - v.Average()) * (x - v.Average())) / (v.Length - 1);
                var d = m.DifferencesFromReference[side - 1].Single(x => x.Metric == "split_ratio");
                Assert.Equal(b.Average() - a.Average(), d.Difference, 12);
                Assert.Equal(Math.Sqrt(Var(a) / a.Length + Var(b) / b.Length), d.StandardError, 12);
            }
        }
        Assert.Contains("mean over 12", report.Html);
        Assert.Contains("| class_similarity | batch_size_per_class | Δ split ratio |", report.Markdown);
        Assert.Throws<ArgumentException>(() => CompareBuilder.CompareBySetting(sweep.Dir, "classes")); // one value only
        Assert.Throws<ArgumentException>(() => CompareBuilder.CompareBySetting(sweep.Dir, "no_such_setting"));
    }

    [Fact]
    public void Two_sweeps_share_axes_and_colour_scales_and_match_common_configurations()
    {
        using var dir = new TempDir();
        string a = Path.Combine(dir.Path, "soft-then-hard"), b = Path.Combine(dir.Path, "hard-then-soft");
        SweepFixture.Write(a, Schedule("soft-then-hard", "soft_then_hard:30", ["0", "0.1", "0.2"]));
        SweepFixture.Write(b, Schedule("hard-then-soft", "hard_then_soft:20", ["0.1", "0.2", "0.3"]));
        var report = CompareBuilder.CompareFolders([a, b]);
        var figures = ReportStructureTests.AssertWellFormed(new SweepReport(report.Html, report.Markdown, report.Charts, new SweepSummary(SweepOutput.Load(a))));
        Assert.Equal(["soft-then-hard", "hard-then-soft"], report.Sides.Select(s => s.Name));
        Assert.Equal(["class_similarity", "batch_size_per_class"], report.KeySettings); // hard_classification is constant per sweep
        Assert.Equal(6, report.Matched.Count); // similarities 0.1 and 0.2 x 3 batch sizes
        Assert.All(report.Matched, m => Assert.Contains(m.Key["class_similarity"], new[] { "0.1", "0.2" }));
        foreach (var chart in report.Charts.Take(3))
        {
            var data = figures[chart.Id].GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(2, data.Count);
            foreach (string p in new[] { "zmin", "zmax", "colorscale" })
                Assert.Equal(data[0].GetProperty(p).GetRawText(), data[1].GetProperty(p).GetRawText());
            // Both panels span the union of the axes' values; cells a sweep did not run are empty (null).
            Assert.Equal(["0", "0.1", "0.2", "0.3"], data[0].GetProperty("x").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(data[0].GetProperty("x").GetRawText(), data[1].GetProperty("x").GetRawText());
            Assert.Equal(JsonValueKind.Null, data[0].GetProperty("z")[0][3].ValueKind); // soft-then-hard never ran 0.3
            Assert.Equal(JsonValueKind.Null, data[1].GetProperty("z")[0][0].ValueKind); // hard-then-soft never ran 0
        }
        string md = Path.Combine(dir.Path, "out", "compare.md");
        CompareBuilder.Write(report, Path.Combine(dir.Path, "out", "compare.html"));
        Assert.True(File.Exists(md));
        Assert.Throws<ArgumentException>(() => CompareBuilder.CompareFolders([a]));
    }

    [Fact]
    public void Mean_difference_spread_is_the_standard_error_of_the_mean()
    {
        var d = new[] { 0.1, 0.3, 0.2, 0.6 }.Select(x => new MetricDifference("m", MetricStats.Empty, MetricStats.Empty, x, double.NaN));
        var mean = CompareBuilder.MeanDifference(d);
        Assert.Equal(0.3, mean.Mean, 12);
        double sd = Math.Sqrt(new[] { 0.04, 0.0, 0.01, 0.09 }.Sum() / 3);
        Assert.Equal(sd / 2, mean.Std, 12);
    }

    [SkippableFact]
    public void Comparison_renders_in_chromium()
    {
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        using var dir = new TempDir();
        var report = CompareBuilder.CompareBySetting(sweep.Dir, "hard_classification");
        string page = Path.Combine(dir.Path, "compare.html");
        CompareBuilder.Write(report, page);
        RenderChecks.AssertEveryChartDrew(Chromium.DumpDom(page), report.Charts);
    }
}
