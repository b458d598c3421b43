using System.Globalization;
using SweepLab.Cli.Commands;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Sweeping;

/// <summary>Runs a planned sweep on this machine and derives its tables and report from the store.</summary>
internal static partial class SweepExecution
{
    public static readonly string[] StabilityMetrics = ["split_ratio", "smallest_class_fraction", "mean_ess", "accuracy", "ari"];

    /// <summary>Metrics left out of the tables because they differ between a resumed and an uninterrupted sweep.</summary>
    public static readonly string[] VolatileMetrics = ["wall_seconds"];

    public static int RunLocal(string output, SweepPlan plan, SweepDataset dataset, string deviceName, int workers, int groupSize,
        bool report, IReadOnlyList<RunSpec>? runs, string? writerName = null)
    {
        static void Log(string message) => Console.Error.WriteLine(message);
        Interruption.Kept = () => $"no run has completed yet in {output}; run the same command to resume";
        dataset.Materialise(Log);
        var table = dataset.Table;
        using var device = Devices.Open(deviceName);
        using var objective = new EngineObjective(table, dataset, device, groupSize, Log);
        using var store = new RunStore(output, writerName);
        // Ctrl-C and SIGTERM (scancel, preemption, time limits) stop at once (Interruption): the running group's
        // unfinished runs are dropped and read as interrupted, finished ones are kept, and a rerun resumes.
        using var cleanup = Interruption.OnStop(store.RemoveOwnTemporaryFolders);
        Interruption.Kept = () => KeptRuns(output, plan);
        DiskSpace.OutputFolder = output;
        DiskSpace.NeededBytes = () => NeededBytes(output, plan);
        var cancel = Interruption.Token;
        try
        {
            var options = SweepRunnerOptions.FromSpec(plan.Spec) with
            {
                Workers = Math.Max(1, workers),
                RemoveStaleTemporaryFolders = writerName is null,
                Progress = p => Log(string.Create(CultureInfo.InvariantCulture,
                    $"runs {p.Done}/{p.Total} done ({p.Skipped} from before, {p.Pruned} pruned, {p.Failed} failed), {p.Elapsed.TotalSeconds:0}s elapsed{(p.EstimatedRemaining is { } eta ? $", ETA {eta.TotalSeconds:0}s" : "")}")),
            };
            var runner = new SweepRunner(store, objective, options);
            if (runs is not null)
            {
                var batch = runner.RunAsync(runs, cancel).GetAwaiter().GetResult();
                ThrowIfDiskFull(store, runs);
                Log($"worker: {batch.Completed} completed, {batch.Pruned} pruned, {batch.Failed} failed, {batch.Skipped} already done");
                return batch.Failed > 0 || batch.Cancelled ? 3 : CommandGuard.ExitOk;
            }
            var study = SweepStudy.RunAsync(plan, runner, cancel).GetAwaiter().GetResult();
            ThrowIfDiskFull(store, plan.Runs);
            WriteTables(output, study, store);
            var e = study.Execution;
            Console.WriteLine($"{output}: {e.Total} runs: {e.Skipped + e.Completed} complete ({e.Skipped} from before), {e.Pruned} pruned, {e.Failed} failed, {e.NotStarted} not started{(e.Cancelled ? " (cancelled)" : "")}{(e.StoppedByBudget ? " (budget reached)" : "")}");
            if (report && !e.Cancelled) WriteReport(output);
            return e.Failed > 0 || e.Cancelled ? 3 : CommandGuard.ExitOk;
        }
        finally
        {
            Interruption.Kept = () => $"the runs complete in {output} are kept";
        }
    }

    /// <summary>Runs that failed because the disk filled are not failed configurations: say so (exit 2) instead of
    /// writing tables that list them as failed; a rerun after freeing space retries them.</summary>
    private static void ThrowIfDiskFull(RunStore store, IReadOnlyList<RunSpec> runs)
    {
        foreach (var run in runs)
        {
            if (store.GetState(run.RunId) != RunState.Failed) continue;
            string? error = store.History(run.RunId).LastError;
            if (error is not null && (error.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) || error.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)))
                throw new IOException($"run {run.RunId}: no space left on device", 28);
        }
    }

    /// <summary>The space the sweep still needs: the mean size of its complete run folders times the runs left, plus
    /// the tables (about the size of the runs' own iteration tables); null before any run completed.</summary>
    private static long? NeededBytes(string output, SweepPlan plan)
    {
        var sizes = plan.Runs.Select(r => Path.Combine(output, RunStore.RunsFolderName, r.RunId))
            .Where(d => File.Exists(Path.Combine(d, RunRecord.FileName)))
            .Select(d => new DirectoryInfo(d).EnumerateFiles().Sum(f => f.Length)).ToList();
        if (sizes.Count == 0) return null;
        long perRun = sizes.Sum() / sizes.Count;
        return perRun * (plan.Runs.Count - sizes.Count) + sizes.Sum() / 4 + (1 << 20);
    }

    /// <summary>What an interrupted sweep keeps, counted from the run folders.</summary>
    private static string KeptRuns(string output, SweepPlan plan)
    {
        // Read the folders, not the store: the store's lock may be held by a thread the stop has frozen.
        int kept = plan.Runs.Count(r => File.Exists(Path.Combine(output, RunStore.RunsFolderName, r.RunId, RunRecord.FileName)));
        return $"{kept} of {plan.Runs.Count} runs are complete in {output} and kept; the running group was dropped; run the same command to resume";
    }

    /// <summary>results.csv, iterations.csv, stability.csv (and search tables) from the store alone.</summary>
    public static void WriteTables(string output, StudyResult study, RunStore store) =>
        ResultTables.Write(output, study, store, new ResultTableOptions
        {
            StabilityMetrics = StabilityMetrics,
            FlagMetric = "collapsed",
            Agreement = SweepCommands.Agreement,
            AgreementColumn = "agreement",
            ExcludedMetrics = VolatileMetrics,
        });


    /// <summary>report.html and summary.md from the tables and run folders.</summary>
    public static void WriteReport(string output)
    {
        var report = Reports.ReportWriter.Write(output);
        Console.WriteLine($"report: {Path.Combine(output, "report.html")} ({report.Charts.Count} charts)");
    }
}
