using System.Globalization;
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
        static void Log(string message) => ProgressDisplay.Current.Message(message);
        Interruption.Kept = () => $"no run has completed yet in {output}; run the same command to resume";
        dataset.Materialise(Log);
        var table = dataset.Table;
        using var device = Devices.Open(deviceName);
        using var objective = new EngineObjective(table, dataset, device, groupSize, ParticleMemory.PerWorker(workers), Log);
        using var store = new RunStore(output, writerName);
        // A local run writes the folder alone (SLURM workers share it: their submission renamed earlier ids).
        if (writerName is null) EngineSettings.AdoptEarlierRunIds(output, plan, store, Log);
        // Ctrl-C and SIGTERM (scancel, preemption, time limits) stop at once (Interruption): the running group's
        // unfinished runs are dropped and read as interrupted, finished ones are kept, and a rerun resumes.
        using var cleanup = Interruption.OnStop(store.RemoveOwnTemporaryFolders);
        Interruption.Kept = () => KeptRuns(output, plan);
        DiskSpace.OutputFolder = output;
        DiskSpace.NeededBytes = () => NeededBytes(output, plan);
        var cancel = Interruption.Token;
        try
        {
            SearchProgress? stage = null; // where an adaptive search stands; set between batches
            var options = SweepRunnerOptions.FromSpec(plan.Spec) with
            {
                Workers = Math.Max(1, workers),
                RemoveStaleTemporaryFolders = writerName is null,
                Progress = p => ProgressDisplay.Current.Status(ProgressText(p, Volatile.Read(ref stage)), final: p.Done + p.Failed >= p.Total),
            };
            var runner = new SweepRunner(store, objective, options);
            if (runs is not null)
            {
                var batch = runner.RunAsync(runs, cancel).GetAwaiter().GetResult();
                ThrowIfDiskFull(store, runs);
                Log($"worker: {batch.Completed} completed, {batch.Pruned} pruned, {batch.Failed} failed, {batch.Skipped} already done");
                return batch.Failed > 0 || batch.Cancelled ? 3 : CommandGuard.ExitOk;
            }
            var study = SweepStudy.RunAsync(plan, runner, cancel, s =>
            {
                Volatile.Write(ref stage, s);
                if (s.Finished) Log($"evaluations {s.EvaluationsDone}/{s.EvaluationsExpected} done; {s.Stage}");
            }).GetAwaiter().GetResult();
            ThrowIfDiskFull(store, study.Runs);
            WriteTables(output, study, store);
            var e = study.Execution;
            Console.WriteLine($"{output}: {e.Total} runs: {e.Skipped + e.Completed} complete ({e.Skipped} from before), {e.Pruned} pruned, {e.Failed} failed, {e.NotStarted} not started{(e.Cancelled ? " (cancelled)" : "")}{(e.StoppedByBudget ? " (budget reached)" : "")}");
            if (!e.Cancelled) RelionBaseline.RunIfRequested(output, plan.Spec, dataset, Log, cancel);
            if (report && !e.Cancelled) WriteReport(output);
            return e.Failed > 0 || e.Cancelled ? 3 : CommandGuard.ExitOk;
        }
        finally
        {
            Interruption.Kept = () => $"the runs complete in {output} are kept";
        }
    }

    /// <summary>
    /// One progress line. A grid counts the runs of its one batch; an adaptive search counts evaluations over the
    /// whole search (ended in earlier waves or rungs plus this batch's, against what the search expects to need), then
    /// names the batch, so "runs 2/2" of one bisection wave never reads as the end of the sweep.
    /// </summary>
    internal static string ProgressText(SweepProgress p, SearchProgress? stage)
    {
        var c = CultureInfo.InvariantCulture;
        string counts = $"{p.Skipped} from before, {p.Pruned} pruned, {p.Failed} failed";
        string rate = p.Ended > 0 && p.Elapsed > TimeSpan.Zero ? string.Create(c, $"{p.Ended / p.Elapsed.TotalMinutes:0.#} runs/min, ") : "";
        string elapsed = string.Create(c, $"{rate}{p.Elapsed.TotalSeconds:0}s elapsed");
        if (stage is null)
            return string.Create(c, $"runs {p.Done}/{p.Total} done ({counts}), {elapsed}{(p.EstimatedRemaining is { } eta ? $", ETA {eta.TotalSeconds:0}s" : "")}");
        int done = stage.EvaluationsDone + p.Done + p.Failed;
        int expected = Math.Max(stage.EvaluationsExpected, done);
        // Seconds per run ended in this batch, times the evaluations the search still expects.
        string remaining = p.Ended > 0 ? string.Create(c, $", ETA {(p.Elapsed / p.Ended * (expected - done)).TotalSeconds:0}s") : "";
        return string.Create(c, $"evaluations {done}/{expected} done; {stage.Stage}: runs {p.Done + p.Failed}/{p.Total} ({counts}), {elapsed}{remaining}");
    }

    /// <summary>
    /// The runs a sweep folder's plan has asked for so far: the grid's runs, or for an adaptive search the runs its
    /// replay from the store reaches (every finished wave or rung, and the one where results end).
    /// </summary>
    public static (IReadOnlyList<RunSpec> Runs, StudyResult? Study) PlannedRuns(SweepPlan plan, RunStore store)
    {
        if (!plan.IsAdaptive) return (plan.Runs, null);
        var study = SweepStudy.ReplayAsync(plan, store).GetAwaiter().GetResult();
        return (study.Runs, study);
    }

    /// <summary>For status: what an adaptive search has found so far, one line; null for a grid.</summary>
    public static string? SearchStatus(SweepPlan plan, StudyResult? study) =>
        study is null ? null : SearchStrategies.For(plan.Spec.Search).StatusLine(plan, study);

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
            Agreement = SweepFolders.Agreement,
            AgreementColumn = "agreement",
            ExcludedMetrics = VolatileMetrics,
        });


    /// <summary>report.html and summary.md from the tables and run folders.</summary>
    public static void WriteReport(string output)
    {
        Outputs.ConfigurationExport.WriteForRanked(output);
        var report = Reports.ReportWriter.Write(SweepFolders.Load(output));
        Console.WriteLine($"report: {Path.Combine(output, "report.html")} ({report.Charts.Count} charts)");
    }
}
