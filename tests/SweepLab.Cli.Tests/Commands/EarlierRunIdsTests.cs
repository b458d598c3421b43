using SweepLab.Cli.Commands;
using SweepLab.Cli.Sweeping;
using SweepLab.Cli.Tests.Robustness;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>
/// One vocabulary for enumerated settings: every spelling of a value plans to one run id, and a sweep folder written
/// before (ids of the settings as written: soft and off differed) resumes without computing a finished run again,
/// ending in the tables a fresh sweep writes; report, export, compare and status read it before and after.
/// </summary>
[Collection(ConsoleCollection.Name)] // the earlier folder is written in this process (RunLocal sets the process's stop handlers)
public class EarlierRunIdsTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Sweep = """
        name: earlier
        dataset:
          simulate: {particles: 100, box: 24, pixel_size: 8, snr: 0.3, subunit_mass: 0.3, seed: 5}
        base:
          classes: 2
          target_resolution_angstrom: 20
          batch_size_per_class: 25
          init_subset_size: 25
          oem_epochs: 1
          full_batch_iterations: 1
          similarity_anneal_start: 1
          similarity_anneal_end: 2
        grid:
          hard_classification: [soft, hard, soft_then_hard]
        conditional:
          - when: {hard_classification: soft_then_hard}
            grid: {hard_switch_iteration: [2]}
        repeats: 2
        seed: 3
        """;

    private static SweepPlan PlanOf(string folder, string yaml)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(path, yaml);
        return SweepCommands.Prepare(SweepCommands.LoadSpec(path), Path.Combine(folder, "out")).Plan;
    }

    private const string Spelling = """
        name: spelling
        dataset:
          simulate: {particles: 300, box: 32, pixel_size: 6, snr: 0.3, subunit_mass: 0.3, seed: 5}
        base:
          classes: 2
          target_resolution_angstrom: 15
        grid:
          class_similarity: [0.0, 0.5]
          KEY: [VALUE]
        repeats: 2
        seed: 3
        """;

    [Theory]
    [InlineData("hard_classification", "soft", "off", "OFF", "off")]
    [InlineData("hard_classification", "hard", "on", "On", "on")]
    [InlineData("hard_classification", "soft_then_hard", "soft_then_hard:anneal_end", "SOFT_THEN_HARD", "soft_then_hard:anneal_end")]
    [InlineData("hard_classification", "soft_then_hard:2EP", "soft_then_hard:2ep", "Soft_Then_Hard:2ep", "soft_then_hard:2ep")]
    [InlineData("noise_model", "colored", "coloured", "Coloured", "coloured")]
    [InlineData("auto_mask", "yes", "true", "on", "true")]
    [InlineData("mask_radius_angstrom", "0", "none", "NONE", "none")]
    [InlineData("similarity_anneal_end", "AUTO", "auto", "\"auto\"", "auto")]
    [InlineData("learning_rate_init", "\"0.50\"", "0.5", "5e-1", "0.5")]
    public void EverySpellingOfAValuePlansToOneRunIdAndTheCanonicalText(string key, string a, string b, string c, string canonical)
    {
        using var temp = new TempFolder();
        var plans = new[] { a, b, c }.Select((v, i) => PlanOf(temp.File($"s{i}"), Spelling.Replace("KEY", key, StringComparison.Ordinal).Replace("VALUE", v, StringComparison.Ordinal))).ToArray();
        Assert.Equal(4, plans[0].Runs.Count);
        Assert.All(plans, p => Assert.Equal(plans[0].Runs.Select(r => r.RunId), p.Runs.Select(r => r.RunId)));
        Assert.All(plans[0].Runs, r => Assert.Equal(canonical, r.Settings[key].CanonicalText));
    }

    [Fact]
    public void SoftThenHardBesideItsSwitchIterationKeepsItsNameAndTwoSpellingsOfOneRunAreRefused()
    {
        using var temp = new TempFolder();
        var plan = PlanOf(temp.File("a"), Sweep);
        Assert.Equal(["off", "on", "soft_then_hard"], plan.Configurations.Select(c => c["hard_classification"].CanonicalText).Distinct());
        var twice = Assert.Throws<SweepSpecException>(() => PlanOf(temp.File("b"), Sweep.Replace("[soft, hard, soft_then_hard]", "[soft, off, soft_then_hard]", StringComparison.Ordinal)));
        Assert.Contains("hard_classification = soft and off both read hard_classification = off", twice.Message);
    }

    private static void Copy(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
    }

    private static string[] RunFolders(string dir) =>
        Directory.GetDirectories(Path.Combine(dir, "runs")).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Order(StringComparer.Ordinal).ToArray()!;

    private static int Started(string dir) =>
        Directory.GetFiles(dir, "journal*.jsonl").Sum(f => File.ReadLines(f).Count(l => l.Contains("\"event\":\"started\"", StringComparison.Ordinal)));

    [Fact]
    public void AFolderWithEarlierIdsResumesWithoutComputingItsRunsAgainAndEndsWithAFreshSweepsTables()
    {
        using var temp = new TempFolder();
        string sweep = temp.File("sweep.yaml");
        File.WriteAllText(sweep, Sweep);
        string old = temp.File("old"), copy = temp.File("old-copy"), clean = temp.File("clean");

        // The folder an earlier SweepLab wrote: the same program, planned with the settings as written.
        var spec = SweepCommands.LoadSpec(sweep);
        var earlier = SweepPlanner.Plan(spec);
        var current = EngineSettings.Plan(spec);
        Directory.CreateDirectory(old);
        SweepCommands.WriteSweepFiles(old, sweep, earlier);
        Assert.Equal(0, SweepExecution.RunLocal(old, earlier, SweepDataset.FromSpec(spec, old), "cpu", 1, 2, report: false, runs: null));
        File.Delete(Path.Combine(old, "runs", RunStore.RunIdsCurrentFileName));
        Assert.Equal(earlier.Runs.Select(r => r.RunId).Order(StringComparer.Ordinal), RunFolders(old));
        // soft_then_hard beside its switch iteration is written canonically already: those runs keep their ids.
        Assert.Equal(2, RunFolders(old).Intersect(current.Runs.Select(r => r.RunId)).Count());
        string[] before = ["results.csv", "iterations.csv", "stability.csv"];
        var earlierTables = before.Select(f => File.ReadAllText(Path.Combine(old, f))).ToArray();
        Assert.Contains(",soft,", earlierTables[0]);
        Copy(old, copy);

        // Before any resume, status only reads, and report, export and compare read the earlier folder as before.
        var status = CliRunner.Run(temp.Path, "status", "old-copy");
        Assert.Contains("4 finished runs are stored under the ids of an earlier SweepLab", status.Stdout);
        Assert.Equal(earlier.Runs.Select(r => r.RunId).Order(StringComparer.Ordinal), RunFolders(copy));
        var report = CliRunner.Run(temp.Path, "report", "old-copy");
        Assert.True(report.ExitCode == 0, report.Stderr);
        var export = CliRunner.Run(temp.Path, "export", "old-copy", "--to", "relion", "--config", earlier.Runs[0].ConfigId);
        Assert.True(export.ExitCode == 0, export.Stderr);

        // A stop in the middle of an earlier move: one run already renamed, its run.json still the earlier one.
        Directory.Move(Path.Combine(old, "runs", earlier.Runs[1].RunId), Path.Combine(old, "runs", current.Runs[1].RunId));
        int startedBefore = Started(old);

        var resumed = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "old", "--no-report", "--group-size", "2", "--device", "cpu");
        output.WriteLine(resumed.Stdout + resumed.Stderr);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("6 runs: 6 complete (6 from before)", resumed.Stdout);
        Assert.Contains("4 finished runs were stored under the ids of an earlier SweepLab", resumed.Stderr);
        Assert.Equal(startedBefore, Started(old)); // nothing was computed again
        Assert.Equal(current.Runs.Select(r => r.RunId).Order(StringComparer.Ordinal), RunFolders(old));
        Assert.True(File.Exists(Path.Combine(old, "runs", RunStore.RunIdsCurrentFileName)));

        // The tables are the earlier ones in the one vocabulary (ids of the canonical settings, soft read off), and
        // byte for byte those of a fresh sweep.
        var fresh = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "clean", "--no-report", "--group-size", "2", "--device", "cpu");
        Assert.True(fresh.ExitCode == 0, fresh.Stderr);
        for (int i = 0; i < before.Length; i++)
        {
            string expected = before[i] == "iterations.csv" ? earlierTables[i] // long format: run_id, iteration, metric (one is "hard"), value
                : earlierTables[i].Replace(",soft,", ",off,", StringComparison.Ordinal).Replace(",hard,", ",on,", StringComparison.Ordinal);
            for (int r = 0; r < earlier.Runs.Count; r++)
                expected = expected.Replace(earlier.Runs[r].RunId, current.Runs[r].RunId, StringComparison.Ordinal)
                    .Replace(earlier.Runs[r].ConfigId, current.Runs[r].ConfigId, StringComparison.Ordinal);
            Assert.Equal(expected, File.ReadAllText(Path.Combine(old, before[i])));
            Assert.Equal(File.ReadAllBytes(Path.Combine(clean, before[i])), File.ReadAllBytes(Path.Combine(old, before[i])));
        }
        Assert.DoesNotContain(",soft,", File.ReadAllText(Path.Combine(old, "results.csv")));
        Assert.Contains($"\"run_id\": \"{current.Runs[1].RunId}\"", File.ReadAllText(Path.Combine(old, "runs", current.Runs[1].RunId, "result.json")));

        // A second resume has nothing to move or compute; report and compare read the migrated folder.
        var again = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "old", "--no-report", "--group-size", "2", "--device", "cpu");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.DoesNotContain("earlier SweepLab", again.Stderr);
        Assert.Equal(startedBefore, Started(old));
        Assert.True(CliRunner.Run(temp.Path, "report", "old").ExitCode == 0);
        var compare = CliRunner.Run(temp.Path, "compare", "old", "old-copy", "--out", "compare.html");
        Assert.True(compare.ExitCode == 0, compare.Stderr);
    }
}
