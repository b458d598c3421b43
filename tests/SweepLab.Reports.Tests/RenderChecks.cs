using System.Text.RegularExpressions;
using SweepLab.Reports.Html;
using Xunit;

namespace SweepLab.Reports.Tests;

/// <summary>
/// What "rendered" means for a report page in headless Chromium: every chart drew its traces, and a screenshot is not
/// blank. Linked into the CLI tests too, which render reports written by the real program.
/// </summary>
internal static partial class RenderChecks
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
}
