using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace SweepLab.Cli.Tests.Slurm;

/// <summary>
/// The SLURM executor against a real single-node cluster: a sweep through job arrays gives byte for byte the tables
/// of the local executor, and an array element cancelled mid-run is resubmitted with nothing lost or duplicated.
/// </summary>
public sealed class SlurmClusterTests(SlurmClusterFixture cluster, ITestOutputHelper log) : IClassFixture<SlurmClusterFixture>
{
    /// <summary>
    /// 8 runs: 2 class similarities x 2 hard-classification modes x 2 seeds. Runs that share a seed share a batch
    /// schedule, so they form 2 groups of 4; 2 tasks keep each group in one task, where it is stepped together as
    /// in the local executor (on PoCL the low bits of a run depend on its group's make-up, so whole groups are what
    /// makes the tables byte-identical).
    /// </summary>
    private static string WriteSweep(string folder, string slurmOptions)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(path, $$"""
            name: slurm-test
            dataset:
              simulate: {preset: compositional, particles: 300, box: 32, pixel_size: 4, snr: 0.2, seed: 3}
            base:
              classes: 2
              target_resolution_angstrom: 12
              batch_size_per_class: 50
              oem_epochs: 2
              full_batch_iterations: 1
              init_subset_size: 100
              similarity_anneal_start: 1
              similarity_anneal_end: 4
            grid:
              class_similarity: [0.0, 0.5]
              hard_classification: [soft, hard]
            repeats: 2
            seed: 5
            execution:
              executor: slurm
              slurm: {{slurmOptions}}

            """);
        return path;
    }

    private ProcessResult Cli(params string[] args)
    {
        var result = cluster.Cli(args, SlurmClusterFixture.HangWatchdog);
        log.WriteLine($"$ sweeplab {string.Join(' ', args)}\n{result.Stdout}{SlurmClusterFixture.Tail(result.Stderr, 15)}\n({result.Elapsed.TotalSeconds:0.0} s)");
        return result;
    }

    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static List<JsonElement> Jobs(string output, string kind) =>
        Json(Path.Combine(output, "slurm", "jobs.json")).GetProperty("jobs").EnumerateArray().Where(j => j.GetProperty("kind").GetString() == kind).ToList();

    private static void AssertEveryRunOnce(string output, int runs)
    {
        var folders = Directory.GetDirectories(Path.Combine(output, "runs")).Select(Path.GetFileName).ToList();
        Assert.DoesNotContain(folders, f => f!.StartsWith('.'));
        Assert.Equal(runs, folders.Count);
        Assert.All(folders, f => Assert.True(File.Exists(Path.Combine(output, "runs", f!, "result.json")), $"{f} has no result.json"));
        var rows = File.ReadAllLines(Path.Combine(output, "results.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(runs, rows.Count);
        Assert.Equal(folders.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public void SlurmArraysGiveTheLocalExecutorsTables()
    {
        Skip.If(cluster.SkipReason is not null, cluster.SkipReason);
        log.WriteLine($"cluster started in {cluster.StartTime.TotalSeconds:0.0} s");
        string folder = Path.Combine(cluster.Root, "same");
        // max_array_size 1 forces one array per task, as a cluster's MaxArraySize would for a larger sweep.
        string sweep = WriteSweep(folder, "{tasks: 2, throttle: 2, max_array_size: 1, poll_seconds: 0.5}");
        string local = Path.Combine(folder, "local"), slurm = Path.Combine(folder, "slurm");

        var localRun = Cli("run", sweep, "--executor", "local", "--out", local, "--no-report");
        Assert.True(localRun.ExitCode == 0, localRun.ToString());
        var slurmRun = Cli("run", sweep, "--executor", "slurm", "--out", slurm, "--wait", "--no-report");
        Assert.True(slurmRun.ExitCode == 0, slurmRun.ToString());
        log.WriteLine($"local executor {localRun.Elapsed.TotalSeconds:0.0} s, SLURM executor with --wait {slurmRun.Elapsed.TotalSeconds:0.0} s");

        foreach (string table in new[] { "results.csv", "stability.csv", "iterations.csv" })
            Assert.True(File.ReadAllBytes(Path.Combine(local, table)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(slurm, table))), $"{table} differs between the local and the SLURM executor");
        AssertEveryRunOnce(slurm, 8);

        // Two tasks of one whole group each (4 runs sharing a seed), in two arrays, and one merge job that ran on the cluster.
        var tasks = Json(Path.Combine(slurm, "slurm", "tasks.json")).GetProperty("tasks").EnumerateArray()
            .Select(t => t.GetProperty("runs").EnumerateArray().Select(r => r.GetString()!).ToList()).ToList();
        var seedOf = File.ReadAllLines(Path.Combine(slurm, "results.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0], c => c[3]);
        Assert.Equal([4, 4], tasks.Select(t => t.Count));
        Assert.All(tasks, t => Assert.Single(t.Select(r => seedOf[r]).Distinct()));
        Assert.Equal(2, Jobs(slurm, "array").Count);
        var merge = Assert.Single(Jobs(slurm, "merge"));
        Assert.Equal(merge.GetProperty("job_id").GetString(), Json(Path.Combine(slurm, "slurm", "merge.json")).GetProperty("job_id").GetString());
        Assert.True(File.Exists(Path.Combine(slurm, "slurm", "logs", $"merge-{merge.GetProperty("job_id").GetString()}.out")));

        var status = Cli("status", slurm);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("8 runs: 8 complete", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("slurm: 2 tasks: 0 queued, 0 running, 2 done, 0 failed", status.Stdout, StringComparison.Ordinal);

        // A rerun of the same command submits nothing: every run is final.
        var again = Cli("run", sweep, "--executor", "slurm", "--out", slurm, "--no-report");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("every run is final; nothing to submit", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, Jobs(slurm, "array").Count);
    }

    [SkippableFact]
    public void CancelledTaskIsResubmittedAndNothingIsLostOrDuplicated()
    {
        Skip.If(cluster.SkipReason is not null, cluster.SkipReason);
        string folder = Path.Combine(cluster.Root, "requeue");
        // Throttle 1: task 1 waits in the queue while task 0 runs, so the rerun logic sees a queued task too.
        string sweep = WriteSweep(folder, "{tasks: 2, throttle: 1, max_requeue: 2, poll_seconds: 0.5}");
        string local = Path.Combine(folder, "local"), slurm = Path.Combine(folder, "slurm");

        var watch = Stopwatch.StartNew();
        var running = cluster.StartCli(["run", sweep, "--executor", "slurm", "--out", slurm, "--wait", "--no-report"]);
        string? element = null;
        bool midRun = false;
        while (watch.Elapsed < SlurmClusterFixture.HangWatchdog && !running.Process.HasExited)
        {
            string jobsPath = Path.Combine(slurm, "slurm", "jobs.json");
            if (element is null && File.Exists(jobsPath) && Jobs(slurm, "array").FirstOrDefault() is { ValueKind: JsonValueKind.Object } first)
                element = first.GetProperty("job_id").GetString() + "_0";
            // Cancel task 0 once its worker has started a run (its journal has a "started" line) but not finished it.
            if (element is not null)
            {
                var journal = Directory.GetFiles(slurm, "journal.task-0-*.jsonl").Select(File.ReadAllText).FirstOrDefault() ?? "";
                if (journal.Contains("\"started\"", StringComparison.Ordinal))
                {
                    midRun = !journal.Contains("\"completed\"", StringComparison.Ordinal);
                    // Cancel at once: a status call here (a process start, ~2 s) would let a short task finish first.
                    var cancel = cluster.Slurm("scancel", element);
                    Assert.True(cancel.ExitCode == 0, cancel.ToString());
                    log.WriteLine($"cancelled {element} at {watch.Elapsed.TotalSeconds:0.0} s, mid-run: {midRun}");
                    break;
                }
            }
            Thread.Sleep(50);
        }
        var result = SlurmClusterFixture.Finish(running, SlurmClusterFixture.HangWatchdog, watch);
        log.WriteLine($"SLURM executor with --wait and one cancelled task: {result.Elapsed.TotalSeconds:0.0} s\n{result.Stdout}\n{SlurmClusterFixture.Tail(result.Stderr)}");
        Assert.True(element is not null && midRun, $"task 0 was not caught mid-run (element {element ?? "none"})\n{result}");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("resubmitting their tasks (1/2)", result.Stderr, StringComparison.Ordinal);

        // Task 0 went in twice (the second time alone), task 1 once; every run ended exactly once.
        var arrays = Jobs(slurm, "array");
        Assert.Equal(2, arrays.Count);
        Assert.Equal([0, 1], arrays[0].GetProperty("tasks").EnumerateArray().Select(t => t.GetInt32()));
        Assert.Equal([0], arrays[1].GetProperty("tasks").EnumerateArray().Select(t => t.GetInt32()));
        AssertEveryRunOnce(slurm, 8);

        var localRun = Cli("run", sweep, "--executor", "local", "--out", local, "--no-report");
        Assert.True(localRun.ExitCode == 0, localRun.ToString());
        Assert.True(File.ReadAllBytes(Path.Combine(local, "results.csv")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(slurm, "results.csv"))),
            "results.csv after the resubmission differs from the local executor's");

        var status = Cli("status", slurm);
        Assert.Contains("slurm: 2 tasks: 0 queued, 0 running, 2 done, 0 failed", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("submitted 2 times", status.Stdout, StringComparison.Ordinal);
    }
}
