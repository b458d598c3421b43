using System.Globalization;
using Cocona;
using SweepLab.Reports;

namespace SweepLab.Cli.Commands;

internal sealed class ReportCommand
{
    [Command("report", Description = "Write DIR/report.html (self-contained, works offline) and DIR/summary.md for a sweep output folder.")]
    public int Report(
        [Argument(Description = "Sweep output folder (results.csv, iterations.csv, sweep.json, runs/)")] string dir,
        [Option("stable-split-std", Description = "A configuration is stable below this split-ratio standard deviation across seeds")] double stableSplitStd = 0.05,
        [Option(Description = "Rows of the ranked table")] int top = 10,
        [Option("convergence", Description = "Configurations whose convergence curves are drawn")] int convergence = 6,
        [Option("slices", Description = "Runs whose class-map slices are shown")] int slices = 3) =>
        CommandGuard.Run(() =>
        {
            var options = ReportCommands.Options(stableSplitStd, top, convergence, slices);
            var started = DateTime.UtcNow;
            Outputs.ConfigurationExport.WriteForRanked(dir, options);
            var report = ReportWriter.Write(SweepFolders.Load(dir), options);
            ReportCommands.Print(Path.Combine(dir, ReportWriter.ReportFile), report.Charts.Count, started);
            Console.WriteLine($"{Path.Combine(dir, ReportWriter.SummaryFile)}");
            Console.WriteLine($"{report.Summary.Configs.Count(c => c.Stable)} of {report.Summary.Configs.Count} configurations stable");
            return CommandGuard.ExitOk;
        });
}

internal sealed class CompareCommand
{
    [Command("compare", Description = "Side-by-side report of two or more sweep folders (same axes and colour scales, table of differences), or of the groups of one sweep split by a setting (--by).")]
    public int Compare(
        [Argument(Description = "Sweep output folders: two or more, or one with --by")] string[] dirs,
        [Option(Description = "Output HTML file (a .md table is written beside it)")] string @out = "compare.html",
        [Option(Description = "Compare the groups of one sweep by this setting, e.g. hard_classification")] string? by = null,
        [Option("stable-split-std", Description = "A configuration is stable below this split-ratio standard deviation across seeds")] double stableSplitStd = 0.05) =>
        CommandGuard.Run(() =>
        {
            var options = ReportCommands.Options(stableSplitStd, 10, 6, 3);
            var started = DateTime.UtcNow;
            ComparisonReport report;
            if (by is not null)
            {
                if (dirs.Length != 1) throw new UserInputException($"--by compares groups within one sweep folder; {dirs.Length} were given");
                report = CompareBuilder.CompareBySetting(dirs[0], by, options);
            }
            else
            {
                if (dirs.Length < 2) throw new UserInputException("compare needs two or more sweep folders, or one folder and --by SETTING");
                report = CompareBuilder.CompareFolders(dirs, options);
            }
            CompareBuilder.Write(report, @out);
            ReportCommands.Print(@out, report.Charts.Count, started);
            Console.WriteLine(Path.ChangeExtension(@out, ".md"));
            Console.WriteLine($"{report.Matched.Count} configurations matched on {(report.KeySettings.Count == 0 ? "(none)" : string.Join(", ", report.KeySettings))}");
            return CommandGuard.ExitOk;
        });
}

internal static class ReportCommands
{
    public static ReportOptions Options(double stableSplitStd, int top, int convergence, int slices)
    {
        var options = new ReportOptions { StableSplitStd = stableSplitStd, RankedRows = top, ConvergenceConfigs = convergence, SliceRuns = slices };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UserInputException($"report options: {e.Message}");
        }
        return options;
    }

    public static void Print(string path, int charts, DateTime started) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{path} ({new FileInfo(path).Length / 1048576.0:0.0} MB, {charts} charts, {(DateTime.UtcNow - started).TotalSeconds:0.0} s)"));
}
