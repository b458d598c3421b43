using System.Globalization;
using System.Text.Json;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>The seed question "batch 1,000 vs 5,000-10,000 per class" as a sweep: one anneal window in epochs for every batch size.</summary>
public class ScheduleUnitSweepTests
{
    private static string Sweep(string annealEnd) => $"""
        name: batch-grid
        dataset:
          simulate: {"{"}particles: 300, box: 32, pixel_size: 6, snr: 0.3, subunit_mass: 0.3, seed: 5{"}"}
        base:
          classes: 2
          target_resolution_angstrom: 15
          init_subset_size: 75
          oem_epochs: 3
          full_batch_iterations: 1
          similarity_anneal_start: 0.5ep
          similarity_anneal_end: {annealEnd}
        grid:
          batch_size_per_class: [25, 75, 150]
        repeats: 1
        seed: 3
        """;

    [Fact]
    public void A_batch_size_grid_with_an_epoch_window_runs_and_records_both_units()
    {
        using var temp = new TempFolder();
        // In iterations a window that fits one batch size can miss another: at 150 x 2 = 300 = N one iteration is an
        // epoch, and min_oem_iterations 16 makes 16 O-EM + 1 full-batch iterations, so iteration 30 is beyond the run.
        File.WriteAllText(temp.File("iterations.yaml"), Sweep("30"));
        var refused = CliRunner.Run(temp.Path, "plan", "iterations.yaml");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("similarity_anneal_end", refused.Stderr);
        Assert.Contains("iteration 30 (30ep)", refused.Stderr);

        File.WriteAllText(temp.File("epochs.yaml"), Sweep("2ep"));
        var outcome = CliRunner.Run(temp.Path, "run", "epochs.yaml", "--out", "out", "--no-report");
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        // stderr is redirected here: plain progress lines, the last one final, with rate and ETA fields
        var progress = outcome.Stderr.Split('\n').Where(l => l.StartsWith("runs ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.StartsWith("runs 3/3 done", progress[^1]);
        Assert.Contains("runs/min", progress[^1]);
        Assert.DoesNotContain('\r', outcome.Stderr);
        // --quiet: no progress and no messages; the summary line stays on stdout
        var quiet = CliRunner.Run(temp.Path, "run", "epochs.yaml", "--out", "out", "--no-report", "--quiet");
        Assert.True(quiet.ExitCode == 0, quiet.Stderr);
        Assert.Equal("", quiet.Stderr);
        Assert.Contains("3 runs: 3 complete (3 from before)", quiet.Stdout);
        var ends = new Dictionary<int, (double Iteration, double Epochs)>();
        foreach (string file in Directory.GetFiles(Path.Combine(temp.Path, "out", "runs"), "result.json", SearchOption.AllDirectories))
        {
            var json = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            int batch = int.Parse(json.GetProperty("config").GetProperty("batch_size_per_class").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal("2ep", json.GetProperty("config").GetProperty("similarity_anneal_end").GetString());
            var timeline = json.GetProperty("timeline");
            ends[batch] = (timeline.GetProperty("similarity_anneal_end_iteration").GetDouble(), timeline.GetProperty("similarity_anneal_end_epochs").GetDouble());
        }
        // 300 particles: 6, 2 and 1 iterations per epoch, so 2 epochs end at iterations 12, 4 and 2
        Assert.Equal(new Dictionary<int, (double, double)> { [25] = (12, 2), [75] = (4, 2), [150] = (2, 2) }, ends);
    }
}

/// <summary>Defaults run on any valid input: K = 3 on 4,000 particles (the anneal end resolves inside the run).</summary>
public class DefaultsRunTests
{
    [Fact]
    public void A_three_class_default_run_on_4000_particles_finds_the_ten_percent_class()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, "simulate", "--out", "data", "--preset", "multiclass", "--particles", "4000", "--box", "40",
            "--pixel-size", "3.5", "--snr", "0.1", "--seed", "4").ExitCode);
        var outcome = CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.star", "--out", "class", "--classes", "3", "--truth", "data/truth.csv");
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "class", "result.json"))).RootElement;
        Assert.Equal(3, json.GetProperty("class_fractions_hard").GetArrayLength());
        var timeline = json.GetProperty("timeline");
        // 4,000 particles, batch 3 x 1000: 4/3 iterations per epoch; min_oem_iterations 16 raises 5 epochs to 12 (16 O-EM
        // iterations) so the anneal ends at 12 and the 10% class is found (5 epochs made 7 iterations and merged it in 2 of 6 seeds)
        Assert.Equal(12, timeline.GetProperty("oem_epochs").GetDouble());
        Assert.Equal(16, timeline.GetProperty("oem_iterations").GetDouble());
        Assert.Equal(12, timeline.GetProperty("similarity_anneal_end_iteration").GetDouble());
        Assert.True(json.GetProperty("metrics").GetProperty("accuracy").GetDouble() >= 0.99, outcome.Stdout);
    }
}
