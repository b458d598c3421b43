using System.Globalization;
using System.Text.Json;
using SweepLab.Reports;
using SweepLab.Reports.Tests;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>
/// Boundary and halving sweeps through the real program, as a user runs them: exit 0 with tables and a report, status
/// counts the runs the search made, progress counts evaluations, and the report's search sections render in Chromium.
/// </summary>
public class AdaptiveSweepTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Dataset = """
        dataset:
          simulate: {particles: 300, box: 32, pixel_size: 6, snr: 0.3, subunit_mass: 0.3, seed: 5}
        """;

    /// <summary>
    /// The outcome is the engine's record of the similarity it started from, so the flip is known: it lies at 0.5 for
    /// every configuration and seed, and with tolerance 0.25 bisection ends at [0.5, 0.75] after 2 midpoints.
    /// </summary>
    private const string BoundarySweep = "name: tiny-boundary\n" + Dataset + """

        base:
          classes: 2
          target_resolution_angstrom: 15
          init_subset_size: 75
          oem_epochs: 2
          full_batch_iterations: 1
          similarity_anneal_start: 1
          similarity_anneal_end: 2
        grid:
          batch_size_per_class: [75, 150]
        repeats: 2
        seed: 3
        search: {kind: boundary, axis: class_similarity, low: 0, high: 1, tolerance: 0.25, outcome: "initial_similarity > 0.5"}
        """;

    private const string HalvingSweep = "name: tiny-halving\n" + Dataset + """

        base:
          classes: 2
          target_resolution_angstrom: 15
          init_subset_size: 75
          batch_size_per_class: 75
          full_batch_iterations: 1
        grid:
          class_similarity: [0.0, 0.5, 0.9]
        repeats: 2
        seed: 3
        search: {kind: halving, metric: accuracy, eta: 2, budget_setting: oem_epochs, rungs: [1, 2]}
        """;

    private static CliRunner.Outcome Run(TempFolder temp, params string[] args)
    {
        var outcome = CliRunner.Run(temp.Path, args);
        Assert.True(outcome.ExitCode == 0, $"sweeplab {string.Join(' ', args)} exited {outcome.ExitCode}: {outcome.Stderr}");
        return outcome;
    }

    /// <summary>The CLI's report.html is what the library builds from the folder (same bytes), so its chart list is known.</summary>
    private static SweepReport ReportOf(string folder)
    {
        var report = ReportBuilder.BuildReport(folder);
        Assert.Equal(report.Html, File.ReadAllText(Path.Combine(folder, "report.html")));
        return report;
    }

    /// <summary>Last step of a test: the CLI's page in headless Chromium, offline; every chart drew its traces.</summary>
    private static void AssertRendersInChromium(string folder, SweepReport report)
    {
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        RenderChecks.AssertEveryChartDrew(Chromium.DumpDom(Path.Combine(folder, "report.html")), report.Charts);
    }

    [SkippableFact]
    public void ABoundarySweepEndsInAReportWithItsEdgeSection()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), BoundarySweep);
        var run = Run(temp, "run", "sweep.yaml", "--out", "out");
        output.WriteLine(run.Stderr);
        string dir = temp.File("out");
        // 4 lines (2 configurations x 2 seeds), each both ends + 2 midpoints.
        Assert.Contains("16 runs: 16 complete (0 from before)", run.Stdout);
        var progress = run.Stderr.Split('\n').Where(l => l.StartsWith("evaluations ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("evaluations 0/16 done; wave 1: both ends of 4 line(s): runs 0/8", progress[0]);
        // plain progress lines (stderr is redirected) come at most every 10 s plus each batch's last, so the waves'
        // first lines may be left out; the evaluation counts never go back
        var counts = progress.Select(l => int.Parse(l["evaluations ".Length..l.IndexOf('/')], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counts.Order(), counts);
        Assert.Contains(progress, l => l.StartsWith("evaluations 12/16 done; wave 2: bisection step 1 of at most 2: runs 4/4", StringComparison.Ordinal));
        Assert.StartsWith("evaluations 16/16 done; wave 3", progress[^2]);
        Assert.Equal("evaluations 16/16 done; search finished: 4 of 4 line(s) found an edge", progress[^1]);
        Assert.DoesNotContain("runs 8/8 done", run.Stderr); // the batch count alone is no longer the progress line

        var status = Run(temp, "status", "out");
        Assert.Contains("out: 16 runs: 16 complete, 0 pruned, 0 failed, 0 interrupted, 0 missing", status.Stdout);
        Assert.Contains("4 lines (configurations x seeds): 4 found, 0 no flip", status.Stdout);

        // The searched axis is a setting like any other in sweep.json and the tables.
        using (var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "sweep.json"))))
        {
            Assert.Contains("class_similarity", json.RootElement.GetProperty("settings").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("boundary", json.RootElement.GetProperty("search").GetProperty("kind").GetString());
            // The dataset and seed blocks as the CLI serialised them, for reproduce files.
            var reproduce = json.RootElement.GetProperty("reproduce");
            Assert.Equal(Dataset.ReplaceLineEndings("\n") + "\n", reproduce.GetProperty("dataset").GetString());
            Assert.Equal("seed: 3\n", reproduce.GetProperty("seed").GetString());
        }
        var sweep = SweepOutput.Load(dir);
        Assert.Equal([0.0, 0.5, 0.75, 1.0], sweep.Runs.Select(r => double.Parse(r.Settings["class_similarity"], CultureInfo.InvariantCulture)).Distinct().Order());
        Assert.All(sweep.Boundary!, l => Assert.Equal(("found", "class_similarity", 0.5, 0.75, 0.625), (l.Status, l.Axis, l.Low, l.High, l.Estimate)));
        Assert.All(sweep.Boundary!, l => Assert.True(File.Exists(Path.Combine(sweep.RunDirectory(l.LowRunId), "particles.star"))
            && sweep.Runs.Single(r => r.RunId == l.HighRunId).Settings["class_similarity"] == "0.75"));

        var report = ReportOf(dir);
        var section = report.Charts.Where(c => c.Section == "boundary-class-similarity").ToList();
        Assert.Equal(["Where the outcome flips: class_similarity, per configuration and seed", "initial_similarity at every evaluated class_similarity, per configuration (colour = seed)"],
            section.Select(c => c.Title));
        Assert.Equal(2, section[0].TraceCount); // one trace per seed
        Assert.Equal(4, section[1].TraceCount); // 2 configurations x 2 seeds
        // Both sides of every bracket are linked and have a sweep file that reruns them.
        Assert.All(sweep.Boundary!, l => Assert.Contains($"href=\"runs/{l.HighRunId}/particles.star\"", report.Html));
        Assert.Contains("class_similarity: [0.5, 0.75]", report.Html);
        string summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("| batch_size_per_class=75 | 2 | 2 | 0.625 ± 0 | 0.625 | 0.625 | 0 | 0.25 | 0.625 / 0.625 |", summary);

        // The sweep file for a bracket reruns exactly its two sides: planned, its runs are the line's two runs.
        var line = sweep.Boundary!.Single(l => l.Repeat == 1 && l.Settings["batch_size_per_class"] == "150");
        File.WriteAllText(temp.File("bracket.yaml"), ReproduceYaml.ForBracket(sweep.Info, line));
        var plan = Run(temp, "plan", "bracket.yaml");
        Assert.Contains("4 runs: 2 configurations x 2 seeds", plan.Stdout);
        Assert.Contains(line.LowRunId, plan.Stdout);
        Assert.Contains(line.HighRunId, plan.Stdout);

        // The other readers of the folder: report, merge and compare by a setting.
        Run(temp, "report", "out");
        Assert.Contains("merged 16 of 16 runs", Run(temp, "merge", "out", "--no-report").Stdout);
        Run(temp, "compare", "out", "--by", "batch_size_per_class", "--out", "compare.html");

        AssertRendersInChromium(dir, report);
    }

    [SkippableFact]
    public void AHalvingSweepEndsInAReportWithItsRungs()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), HalvingSweep);
        var run = Run(temp, "run", "sweep.yaml", "--out", "out");
        output.WriteLine(run.Stderr);
        string dir = temp.File("out");
        // Rung 1: 3 configurations x 2 seeds at 1 epoch; rung 2: ceil(3 / 2) = 2 configurations x 2 seeds at 2 epochs.
        Assert.Contains("10 runs: 10 complete (0 from before)", run.Stdout);
        var progress = run.Stderr.Split('\n').Where(l => l.StartsWith("evaluations ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("evaluations 0/10 done; rung 1 of 2: 3 configuration(s) at oem_epochs = 1: runs 0/6", progress[0]);
        Assert.StartsWith("evaluations 10/10 done; rung 2 of 2: 2 configuration(s) at oem_epochs = 2: runs 4/4", progress[^2]);
        Assert.Equal("evaluations 10/10 done; search finished: 2 configuration(s) left after rung 2", progress[^1]);

        var status = Run(temp, "status", "out");
        Assert.Contains("out: 10 runs: 10 complete, 0 pruned, 0 failed, 0 interrupted, 0 missing", status.Stdout);
        Assert.Contains("3 configurations, reached rung 2 of 2, finished; best: class_similarity=", status.Stdout);

        var sweep = SweepOutput.Load(dir);
        Assert.Contains("oem_epochs", sweep.Info.Settings);
        Assert.Equal(["1", "2"], sweep.Runs.Select(r => r.Settings["oem_epochs"]).Distinct().Order());
        var rows = sweep.Halving!;
        Assert.Equal([3, 2], rows.GroupBy(r => r.Rung).Select(g => g.Count()));
        Assert.Equal(2, rows.Count(r => r.Rung == 0 && r.Promoted));
        // Each rung's entry joins its runs in results.csv.
        Assert.All(rows, r => Assert.Equal(2, sweep.Runs.Count(x => x.ConfigId == r.RunsConfigId)));
        var winner = rows.Single(r => r.Rung == 1 && r.Rank == 1);
        Assert.Equal(winner.Score, sweep.Runs.Where(x => x.ConfigId == winner.RunsConfigId).Average(x => x.Metric("accuracy")), 12);

        // The winner's sweep file reruns its last-rung runs.
        var summary = new SweepSummary(sweep);
        File.WriteAllText(temp.File("winner.yaml"), ReproduceYaml.For(sweep.Info, summary.Configs.Single(c => c.ConfigId == winner.RunsConfigId)));
        var plan = Run(temp, "plan", "winner.yaml");
        Assert.All(sweep.Runs.Where(x => x.ConfigId == winner.RunsConfigId), x => Assert.Contains(x.RunId, plan.Stdout));

        var report = ReportOf(dir);
        var section = report.Charts.Where(c => c.Section == "halving").ToList();
        Assert.Single(section);
        Assert.Equal(3, section[0].TraceCount); // one line per configuration
        Assert.Contains("Final ranking (rung 2, oem_epochs = 2)", report.Html);
        Assert.Contains("## Successive halving: final ranking (rung 2, oem_epochs = 2)", File.ReadAllText(Path.Combine(dir, "summary.md")));

        AssertRendersInChromium(dir, report);
    }
}
