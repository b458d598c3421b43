using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SweepLab.Reports;
using SweepLab.Reports.Tests;

namespace SweepLab.Bench;

/// <summary>
/// Section 5: the HTML report of the report tests' standard sweep folder (36 configurations x 3 seeds, 60 iterations,
/// class maps; written by their fixture generator), built by <see cref="ReportBuilder"/> against a raw read of the
/// folder's files, and rendered offline by headless Chromium (as the report tests do) against Chromium on an empty
/// page, i.e. its start-up. Both goals were wall-clock asserts in the report tests until issue 17.
/// </summary>
public static partial class ReportBench
{
    public const string Section = "report";
    public const double BuildGoalSeconds = 15;
    public const double RenderGoalSeconds = 60;

    [GeneratedRegex("data-rendered-traces=\"")]
    private static partial Regex RenderedChart();

    public static void Run(BenchWorkspace workspace, BenchReport report, BenchOptions options)
    {
        string dir = Path.Combine(workspace.Root, "report-sweep");
        var spec = new FixtureSpec();
        var runs = SweepFixture.Write(dir, spec);
        int configurations = runs.Select(r => r.ConfigId).Distinct().Count();
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories);
        double megabytes = files.Sum(f => new FileInfo(f).Length) / 1e6;
        int repeats = options.Quick ? 1 : 3;

        var raw = Timing.Measure(() => { foreach (string f in files) BenchSink.Value = File.ReadAllBytes(f).Length; }, 1, 3);
        // The goal is on the first build in this process: it pays JIT compilation, as one `sweeplab report` does.
        long start = Stopwatch.GetTimestamp();
        var built = ReportBuilder.BuildReport(dir);
        double first = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var warm = Timing.Measure(() => BenchSink.Value = ReportBuilder.BuildReport(dir).Html.Length, 0, repeats);

        string folder = $"{runs.Count} runs ({configurations} configurations x {spec.Seeds} seeds), {files.Length} files, {megabytes:0.0} MB";
        report.Add(Section, "sweep folder: raw read of every file, page cache", raw.MedianSeconds, "s", $"{folder}; {raw.Describe}");
        report.Add(Section, "ReportBuilder.BuildReport, first in the process", first, "s", "includes JIT compilation");
        report.Add(Section, "ReportBuilder.BuildReport, warm", warm.MedianSeconds, "s", warm.Describe);
        report.Add(Section, "report build (first) / raw read of the folder", first / raw.MedianSeconds, "x");
        report.Add(Section, "report.html size", built.Html.Length / 1e6, "MB", $"{built.Charts.Count} charts");
        report.Target(new BenchTarget($"build the report of a {runs.Count}-run sweep ({configurations} configurations x {spec.Seeds} seeds)",
            $"< {BuildGoalSeconds:0} s (first build in the process)",
            $"{first:0.00} s first, {warm.MedianSeconds:0.00} s warm; raw read of its {files.Length} files {raw.MedianSeconds * 1e3:0} ms",
            first < BuildGoalSeconds, $"{first - BuildGoalSeconds:0.0} s"));
        List<string[]> rows =
        [
            [$"raw read of the sweep folder: {folder}", F(raw.MedianSeconds, "0.000"), "1"],
            ["ReportBuilder.BuildReport, first in the process (with JIT)", F(first, "0.000"), F(first / raw.MedianSeconds, "0")],
            [$"ReportBuilder.BuildReport, warm ({warm.Describe})", F(warm.MedianSeconds, "0.000"), F(warm.MedianSeconds / raw.MedianSeconds, "0")],
        ];

        string renderName = $"render that report ({built.Charts.Count} charts, {built.Html.Length / 1e6:0.0} MB) in headless Chromium";
        string renderGoal = $"< {RenderGoalSeconds:0} s";
        if (Chromium.Executable is null)
        {
            report.Note(Section, Chromium.MissingReason);
            report.Target(new BenchTarget(renderName, renderGoal, "chromium not installed", null));
        }
        else
        {
            string page = Path.Combine(dir, "report.html"), empty = Path.Combine(workspace.Root, "empty.html");
            File.WriteAllText(page, built.Html);
            File.WriteAllText(empty, "<!DOCTYPE html><html><body><p>empty</p></body></html>");
            var startUp = Timing.Measure(() => BenchSink.Value = Chromium.DumpDom(empty).Length, 0, repeats);
            string dom = "";
            var render = Timing.Measure(() => BenchSink.Value = (dom = Chromium.DumpDom(page)).Length, 0, repeats);
            int drawn = RenderedChart().Count(dom);
            report.Add(Section, "Chromium --dump-dom of an empty page (start-up)", startUp.MedianSeconds, "s", startUp.Describe);
            report.Add(Section, "Chromium --dump-dom of the report", render.MedianSeconds, "s", $"{render.Describe}; {drawn} of {built.Charts.Count} charts drawn");
            report.Add(Section, "report rendering / empty page", render.MedianSeconds / startUp.MedianSeconds, "x");
            report.Target(new BenchTarget(renderName, renderGoal,
                $"{render.MedianSeconds:0.0} s ({drawn} of {built.Charts.Count} charts drawn); Chromium on an empty page {startUp.MedianSeconds:0.0} s",
                render.MedianSeconds < RenderGoalSeconds, $"{render.MedianSeconds - RenderGoalSeconds:0.0} s"));
            rows.Add(["Chromium, empty page (its start-up)", F(startUp.MedianSeconds, "0.00"), "1"]);
            rows.Add([$"Chromium, the report ({drawn} of {built.Charts.Count} charts drawn)", F(render.MedianSeconds, "0.00"), F(render.MedianSeconds / startUp.MedianSeconds, "0.0")]);
        }
        report.Table(Section, ["what", "seconds", "vs its reference (first row of its pair)"], rows);
        report.Note(Section, $"The report tests' standard fixture (tests/SweepLab.Reports.Tests/SweepFixture.cs): {folder}. Chromium runs headless and offline with the report tests' flags (tests/SweepLab.Reports.Tests/Chromium.cs); {(repeats == 1 ? "single runs" : $"medians of {repeats}")}.");
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
