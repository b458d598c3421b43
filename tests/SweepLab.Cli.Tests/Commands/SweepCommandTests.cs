using System.Diagnostics;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>sweeplab plan/run/status through the real program: resume after kill -9, refusal of bad sweeps, memory.</summary>
public class SweepCommandTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string TinySweep = """
        name: tiny
        dataset:
          simulate: {particles: 300, box: 32, pixel_size: 6, snr: 0.3, subunit_mass: 0.3, seed: 5}
        base:
          classes: 2
          target_resolution_angstrom: 15
          batch_size_per_class: 75
          init_subset_size: 75
          oem_epochs: 2
          full_batch_iterations: 1
          similarity_anneal_start: 1
          similarity_anneal_end: 4
        grid:
          class_similarity: [0.0, 0.5]
          hard_classification: [soft, hard, soft_then_hard]
        conditional:
          - when: {hard_classification: soft_then_hard}
            grid: {hard_switch_iteration: [2, 4]}
        repeats: 2
        seed: 3
        """;

    [Fact]
    public void KillMinusNineThenRerunGivesTheSameResultsAsAnUninterruptedRun()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), TinySweep);
        var clean = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "clean", "--no-report", "--group-size", "2");
        Assert.True(clean.ExitCode == 0, clean.Stderr);

        // Kill at a (seeded) random moment after the first runs have been committed, then run the same command again.
        var random = new Random(20261125);
        var process = CliRunner.Start(temp.Path, "run", "sweep.yaml", "--out", "killed", "--no-report", "--group-size", "2");
        string runs = Path.Combine(temp.Path, "killed", "runs");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < CliRunner.HangWatchdog && !(Directory.Exists(runs) && Directory.GetDirectories(runs).Count(d => !Path.GetFileName(d).StartsWith('.')) >= 2))
            Thread.Sleep(20);
        Thread.Sleep(random.Next(0, 400));
        bool killedEarly = !process.HasExited;
        process.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no flush
        process.WaitForExit();
        Assert.True(killedEarly, "the sweep finished before it could be killed; make it longer");
        Assert.False(File.Exists(Path.Combine(temp.Path, "killed", "results.csv")));

        var status = CliRunner.Run(temp.Path, "status", "killed");
        Assert.Contains("missing", status.Stdout);

        var resumed = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "killed", "--no-report", "--group-size", "2");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("from before", resumed.Stdout);
        // The resume read the preprocessed particles the killed run left in DIR/cache, and its results are the same bits.
        Assert.Single(Directory.GetFiles(Path.Combine(temp.Path, "killed", "cache"), "particles-*.slcache"));
        Assert.Contains("loaded from", resumed.Stderr);
        Assert.Contains("preprocessed (kept in", clean.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "clean", "results.csv")), File.ReadAllBytes(Path.Combine(temp.Path, "killed", "results.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "clean", "stability.csv")), File.ReadAllBytes(Path.Combine(temp.Path, "killed", "stability.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "clean", "iterations.csv")), File.ReadAllBytes(Path.Combine(temp.Path, "killed", "iterations.csv")));
        int rows = File.ReadAllLines(Path.Combine(temp.Path, "killed", "results.csv")).Length - 1;
        Assert.Equal(16, rows); // (2 x 2 + 2 x 2) configurations x 2 seeds, each once

        var done = CliRunner.Run(temp.Path, "status", "killed");
        Assert.Contains("16 runs: 16 complete", done.Stdout);
    }

    [Fact]
    public void ABoundarySearchBisectsAnAxisThroughTheEngine()
    {
        // The mechanics end to end: the outcome is the engine's own record of the similarity it started from,
        // so the flip is known (0.5) and the search must bracket it within the tolerance.
        using var temp = new TempFolder();
        string yaml = TinySweep
            .Replace("grid:\n  class_similarity: [0.0, 0.5]\n  hard_classification: [soft, hard, soft_then_hard]\n", "", StringComparison.Ordinal)
            .Replace("conditional:\n  - when: {hard_classification: soft_then_hard}\n    grid: {hard_switch_iteration: [2, 4]}\n", "", StringComparison.Ordinal)
            .Replace("repeats: 2", "repeats: 1", StringComparison.Ordinal)
            + "\nsearch: {kind: boundary, axis: class_similarity, low: 0.0, high: 1.0, tolerance: 0.25, outcome: \"initial_similarity > 0.5\"}\n";
        File.WriteAllText(temp.File("sweep.yaml"), yaml);
        var outcome = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "out", "--no-report");
        Assert.True(outcome.ExitCode == 0, outcome.Stderr + yaml);
        string boundary = File.ReadAllText(Path.Combine(temp.Path, "out", "boundary.csv"));
        output.WriteLine(boundary);
        var lines = boundary.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var row = lines[1].Split(',');
        Assert.Equal("found", row[Array.IndexOf(header, "status")], ignoreCase: true);
        double low = double.Parse(row[Array.IndexOf(header, "low")], System.Globalization.CultureInfo.InvariantCulture);
        double high = double.Parse(row[Array.IndexOf(header, "high")], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(low <= 0.5 && 0.5 <= high && high - low <= 0.25, $"bracket [{low}, {high}]");
        int runs = File.ReadAllLines(Path.Combine(temp.Path, "out", "results.csv")).Length - 1;
        Assert.InRange(runs, 3, 8); // both ends and a few bisection steps, each stored like any run
    }

    [Fact]
    public void PlanPrintsTheRunsWithoutRunningThem()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), TinySweep);
        var plan = CliRunner.Run(temp.Path, "plan", "sweep.yaml");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        Assert.Contains("16 runs: 8 configurations x 2 seeds", plan.Stdout);
        Assert.Contains("varying: class_similarity, hard_classification, hard_switch_iteration", plan.Stdout);
        Assert.Empty(Directory.GetDirectories(temp.Path));
    }

    [Theory]
    [InlineData("  clases: 2\n", "base.clases", 5)]
    [InlineData("  class_similarity_x: 1\n", "class_similarity_x", 5)]
    public void UnknownSettingsAreRefusedWithKeyAndLine(string inserted, string key, int line)
    {
        using var temp = new TempFolder();
        string yaml = TinySweep.Replace("  classes: 2\n", inserted, StringComparison.Ordinal);
        File.WriteAllText(temp.File("sweep.yaml"), yaml);
        var outcome = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "out");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(key, outcome.Stderr);
        Assert.Contains($"sweep.yaml:{line}", outcome.Stderr);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));
    }

    [Theory]
    [InlineData("class_similarity: [0.0, 0.5]", "class_similarity: [0.0, 1.5]", "class_similarity")]
    [InlineData("class_similarity: [0.0, 0.5]", "class_similarity: []", "class_similarity")]
    [InlineData("batch_size_per_class: 75", "batch_size_per_class: lots", "batch_size_per_class")]
    [InlineData("class_similarity: [0.0, 0.5]", "class_similarity: {linspace: [0, 1, 1000]}\n  learning_rate_init: {linspace: [0.1, 1, 1000]}", "max_runs")]
    public void BadSweepsAreRefusedBeforeAnyWork(string original, string replacement, string named)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), TinySweep.Replace(original, replacement, StringComparison.Ordinal));
        var outcome = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "out");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(named, outcome.Stderr);
        Assert.Contains("sweep.yaml:", outcome.Stderr);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "out")));
    }
}
