using SweepLab.Reports.Html;
using static SweepLab.Reports.Tests.RenderChecks;

namespace SweepLab.Reports.Tests;

/// <summary>The report opened in a real browser, offline: every chart drew its traces and the page is not blank.</summary>
public class BrowserTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
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
