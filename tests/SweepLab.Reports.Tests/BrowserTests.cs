using System.Text.RegularExpressions;
using SweepLab.Reports.Html;

namespace SweepLab.Reports.Tests;

/// <summary>The report opened in a real browser, offline: every chart drew its traces and the page is not blank.</summary>
public partial class BrowserTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
    [GeneratedRegex("class=\"hm\"")] private static partial Regex HeatmapGroup();
    [GeneratedRegex("class=\"trace scatter")] private static partial Regex ScatterGroup();
    [GeneratedRegex("class=\"trace bars")] private static partial Regex BarGroup();
    [GeneratedRegex("class=\"parcoords\"")] private static partial Regex ParcoordsGroup();
    [GeneratedRegex("class=\"main-svg\"")] private static partial Regex MainSvg();
    [GeneratedRegex("class=\"plot-container plotly\"")] private static partial Regex PlotContainer();
    [GeneratedRegex("data-rendered-traces=\"(\\d+)\"")] private static partial Regex Rendered();

    /// <summary>Per chart: plotly drew it (one plot container, its SVG layers), reported the expected number of traces,
    /// and the SVG holds one trace group per trace of each type.</summary>
    internal static void AssertEveryChartDrew(string dom, IReadOnlyList<ChartInfo> charts)
    {
        var segments = Chromium.ChartSegments(dom);
        Assert.Equal(charts.Select(c => c.Id), segments.Keys);
        Assert.DoesNotContain("data-render-error=\"", dom);
        foreach (var chart in charts)
        {
            string s = segments[chart.Id];
            Assert.Single(PlotContainer().Matches(s));
            Assert.True(MainSvg().Matches(s).Count >= 2, $"{chart.Id}: no plotly SVG layers");
            var rendered = Rendered().Match(s);
            Assert.True(rendered.Success, $"{chart.Id} ({chart.Title}) did not finish drawing");
            Assert.Equal(chart.TraceCount, int.Parse(rendered.Groups[1].Value));
            Assert.Equal(chart.TraceTypes.Count(t => t == "heatmap"), HeatmapGroup().Matches(s).Count);
            Assert.Equal(chart.TraceTypes.Count(t => t == "scatter"), ScatterGroup().Matches(s).Count);
            Assert.Equal(chart.TraceTypes.Count(t => t == "bar"), BarGroup().Matches(s).Count);
            Assert.Equal(chart.TraceTypes.Count(t => t == "parcoords"), ParcoordsGroup().Matches(s).Count);
        }
    }

    /// <summary>Not blank: many colours, and a real share of pixels that are not the page background.</summary>
    internal static void AssertNotBlank(string png, int width, int height)
    {
        var (w, h, rgb) = Png.Decode(png);
        Assert.Equal((width, height), (w, h));
        var colours = new HashSet<int>();
        long nonWhite = 0;
        for (int i = 0; i < w * h; i++)
        {
            int r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
            colours.Add((r >> 3) << 10 | (g >> 3) << 5 | (b >> 3));
            if (r < 240 || g < 240 || b < 240) nonWhite++;
        }
        double share = nonWhite / (double)(w * h);
        Assert.True(colours.Count > 100, $"only {colours.Count} distinct colours");
        Assert.True(share > 0.05, $"only {share:P1} of pixels are not background");
    }

    [SkippableFact]
    public void Every_chart_draws_its_traces_offline()
    {
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        using var dir = new TempDir();
        var report = ReportBuilder.BuildReport(sweep.Dir);
        string page = Path.Combine(dir.Path, "report.html");
        File.WriteAllText(page, report.Html);
        // Rendering time is the bench's (scripts/bench.sh report, beside Chromium rendering an empty page).
        string dom = Chromium.DumpDom(page);
        Assert.Equal(16, report.Charts.Count);
        AssertEveryChartDrew(dom, report.Charts);
    }

    [SkippableFact]
    public void Screenshot_is_not_blank()
    {
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        using var dir = new TempDir();
        var report = ReportWriter.Write(sweep.Dir);
        string png = Path.Combine(dir.Path, "report.png");
        Chromium.Screenshot(Path.Combine(sweep.Dir, "report.html"), png, 1400, 3000);
        AssertNotBlank(png, 1400, 3000);
        // A page with no charts (plotly never ran) is blank by this measure: the check can fail.
        string empty = Path.Combine(dir.Path, "empty.html");
        File.WriteAllText(empty, "<!DOCTYPE html><html><body><p>nothing</p></body></html>");
        string blank = Path.Combine(dir.Path, "blank.png");
        Chromium.Screenshot(empty, blank, 400, 300);
        Assert.ThrowsAny<Exception>(() => AssertNotBlank(blank, 400, 300));
    }

    [SkippableFact]
    public void Small_sweeps_render_too_and_a_page_without_plotly_fails_the_check()
    {
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        using var dir = new TempDir();
        foreach (var (name, spec) in new (string, FixtureSpec)[]
        {
            ("one-axis", new FixtureSpec { Axes = [("batch_size_per_class", ["1000", "5000", "10000"])], Failed = new HashSet<int>() }),
            ("no-axis", new FixtureSpec { Axes = [], Seeds = 3, Truth = false, Failed = new HashSet<int>() }),
        })
        {
            string folder = Path.Combine(dir.Path, name);
            SweepFixture.Write(folder, spec);
            var report = ReportWriter.Write(folder);
            AssertEveryChartDrew(Chromium.DumpDom(Path.Combine(folder, "report.html")), report.Charts);
        }
        // The same page with plotly.js cut out: no chart draws, and the check says so.
        var broken = ReportBuilder.BuildReport(Path.Combine(dir.Path, "one-axis"));
        string page = Path.Combine(dir.Path, "broken.html");
        File.WriteAllText(page, broken.Html.Replace(HtmlDocument.PlotlyJs.Value, "/* plotly.js removed */", StringComparison.Ordinal));
        Assert.ThrowsAny<Exception>(() => AssertEveryChartDrew(Chromium.DumpDom(page), broken.Charts));
    }
}
