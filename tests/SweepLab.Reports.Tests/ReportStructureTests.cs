using System.Text.Json;
using System.Text.RegularExpressions;

namespace SweepLab.Reports.Tests;

/// <summary>What the HTML holds, checked without a browser: one plotly.js, no network references, and each
/// chart's figure JSON with the traces the report says it drew.</summary>
public partial class ReportStructureTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
    [GeneratedRegex(@"<script\b[^>]*>", RegexOptions.IgnoreCase)]
    internal static partial Regex ScriptTag();

    [GeneratedRegex(@"<script>slDraw\('(chart-\d+)', (.*?)\);</script>", RegexOptions.Singleline)]
    internal static partial Regex DrawCall();

    internal static int Count(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>Asserts the page is self-contained and that every chart's JSON matches its ChartInfo; returns the figures.</summary>
    internal static Dictionary<string, JsonElement> AssertWellFormed(SweepReport report)
    {
        string html = report.Html;
        Assert.Equal(1, Count(html, "* plotly.js v")); // the bundle's licence header: exactly one copy
        Assert.True(html.Length - html.Replace("Plotly.newPlot", "", StringComparison.Ordinal).Length < 200, "plotly.js duplicated");
        foreach (Match tag in ScriptTag().Matches(html))
            Assert.DoesNotContain("src", tag.Value, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"<(link|img|iframe)\b[^>]*(https?:)?//", html);
        var figures = new Dictionary<string, JsonElement>();
        foreach (Match m in DrawCall().Matches(html))
            figures[m.Groups[1].Value] = JsonDocument.Parse(m.Groups[2].Value).RootElement.Clone();
        Assert.Equal(report.Charts.Select(c => c.Id), figures.Keys);
        foreach (var chart in report.Charts)
        {
            var data = figures[chart.Id].GetProperty("data");
            Assert.Equal(chart.TraceCount, data.GetArrayLength());
            Assert.Equal(chart.TraceTypes, data.EnumerateArray().Select(t => t.GetProperty("type").GetString()!));
            Assert.Contains($"id=\"{chart.Id}\" data-traces=\"{chart.TraceCount}\"", html);
            Assert.DoesNotContain("\"NaN\"", data.GetRawText()); // gaps are null, not strings plotly.js would misread
        }
        return figures;
    }

    [Fact]
    public void Full_sweep_report_has_every_section_and_chart()
    {
        var report = ReportBuilder.BuildReport(sweep.Dir);
        var figures = AssertWellFormed(report);
        var bySection = report.Charts.GroupBy(c => c.Section).ToDictionary(g => g.Key, g => g.ToList());
        // split + accuracy heatmaps; P(collapse), spread and agreement; one ESS heatmap; 6 convergence; parcoords; 3 slice sets.
        Assert.Equal(2, bySection["split"].Count);
        Assert.Equal(3, bySection["stability"].Count);
        Assert.Single(bySection["ess"]);
        Assert.Equal(6, bySection["convergence"].Count);
        Assert.Single(bySection["parallel"]);
        Assert.Equal(3, bySection["maps"].Count);
        Assert.Equal(16, report.Charts.Count);
        // Facets: 3 panels (hard_classification values), one heatmap each, over 4 x 3 cells.
        Assert.All(bySection["split"].Concat(bySection["stability"]), c => Assert.Equal(["heatmap", "heatmap", "heatmap"], c.TraceTypes));
        var z = figures[bySection["split"][0].Id].GetProperty("data")[0].GetProperty("z");
        Assert.Equal(3, z.GetArrayLength());
        Assert.Equal(4, z[0].GetArrayLength());
        // 36 configurations > 12: the ESS view is one heatmap with a row per configuration.
        Assert.Equal(36, figures[bySection["ess"][0].Id].GetProperty("data")[0].GetProperty("z").GetArrayLength());
        // Convergence: 3 seeds x (2 class fractions + ESS + changed + log-likelihood + volume change) + 3 schedules.
        Assert.All(bySection["convergence"].Where(c => c.Title.Contains('#')), c => Assert.InRange(c.TraceCount, 9, 21));
        Assert.Equal(21, bySection["convergence"][0].TraceCount);
        // Parallel coordinates: 3 settings + split, ESS, accuracy, ARI, convergence iteration, collapsed.
        Assert.Equal(9, figures[bySection["parallel"][0].Id].GetProperty("data")[0].GetProperty("dimensions").GetArrayLength());
        Assert.All(bySection["maps"], c => Assert.Equal(6, c.TraceCount)); // 2 classes x 3 sections
        // Stable cells outlined: one rect per stable configuration across the two stability heatmaps that mark them.
        int stable = report.Summary.Configs.Count(c => c.Stable);
        var pCollapse = figures[bySection["stability"][0].Id].GetProperty("layout").GetProperty("shapes");
        Assert.Equal(stable, pCollapse.GetArrayLength());
        Assert.Contains("Best settings", report.Html); // with ground truth; "Most stable settings" without
        Assert.Contains("are never ranked above healthy ones", report.Html);
        Assert.Equal(10, Count(report.Html, "<details><summary>#"));
        Assert.True(report.Html.Length < 10_000_000, $"report is {report.Html.Length} bytes");
        // How long the build takes is the bench's (scripts/bench.sh report), beside a raw read of this folder.
    }

    [Fact]
    public void Building_twice_gives_the_same_bytes()
    {
        string a = ReportBuilder.Build(sweep.Dir);
        string b = ReportBuilder.Build(sweep.Dir);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Writer_replaces_report_and_summary_atomically()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("class_similarity", ["0", "0.2"])], Seeds = 2, Maps = false, Failed = new HashSet<int>() });
        File.WriteAllText(Path.Combine(dir.Path, "report.html"), "old");
        var report = ReportWriter.Write(dir.Path);
        Assert.Equal(report.Html, File.ReadAllText(Path.Combine(dir.Path, "report.html")));
        Assert.Equal(report.Markdown, File.ReadAllText(Path.Combine(dir.Path, "summary.md")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void One_axis_sweep_draws_lines_over_the_axis()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("batch_size_per_class", ["1000", "2000", "5000", "10000"])], Failed = new HashSet<int>() });
        var report = ReportBuilder.BuildReport(dir.Path);
        var figures = AssertWellFormed(report);
        var split = report.Charts.First(c => c.Section == "split");
        Assert.Equal(["scatter"], split.TraceTypes);
        var trace = figures[split.Id].GetProperty("data")[0];
        Assert.Equal(4, trace.GetProperty("y").GetArrayLength());
        Assert.Equal(4, trace.GetProperty("error_y").GetProperty("array").GetArrayLength());
        Assert.Equal("category", figures[split.Id].GetProperty("layout").GetProperty("xaxis").GetProperty("type").GetString());
        // Four configurations: one ESS line each.
        Assert.Equal(4, report.Charts.Single(c => c.Section == "ess").TraceCount);
        // Parallel coordinates: the one setting + split, ESS, accuracy, ARI, convergence iteration, collapsed.
        Assert.Equal(7, figures[report.Charts.Single(c => c.Section == "parallel").Id].GetProperty("data")[0].GetProperty("dimensions").GetArrayLength());
    }

    [Fact]
    public void Sweep_without_varying_settings_or_truth_still_reports()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [], Seeds = 4, Truth = false, Failed = new HashSet<int>() });
        var report = ReportBuilder.BuildReport(dir.Path);
        AssertWellFormed(report);
        Assert.False(report.Summary.Sweep.HasTruth);
        Assert.Single(report.Summary.Configs);
        Assert.Equal(["bar"], report.Charts.First(c => c.Section == "split").TraceTypes);
        Assert.DoesNotContain(report.Charts, c => c.Title.Contains("Accuracy", StringComparison.Ordinal));
        Assert.DoesNotContain("<th>accuracy</th>", report.Html);
        Assert.Single(report.Charts, c => c.Section == "convergence");
        Assert.Single(report.Charts, c => c.Section == "maps");
        Assert.Contains("configuration", report.Markdown);
    }

    [Fact]
    public void Four_axes_average_over_the_fourth_and_say_so()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec
        {
            Axes = [("class_similarity", ["0", "0.2", "0.3"]), ("batch_size_per_class", ["1000", "10000"]), ("hard_classification", ["off", "on"]), ("learning_rate_half_life_iterations", ["0", "50"])],
            Seeds = 2, Maps = false, Failed = new HashSet<int>(),
        });
        var report = ReportBuilder.BuildReport(dir.Path);
        var figures = AssertWellFormed(report);
        Assert.Contains("each cell averages over", report.Html);
        var split = report.Charts.First(c => c.Section == "split");
        Assert.Equal(2, split.TraceCount); // facets: the third axis (2 values); the fourth (2 values) averaged
        Assert.DoesNotContain(report.Charts, c => c.Section == "maps");
        Assert.Contains("No run folder holds class maps", report.Html);
    }
}
