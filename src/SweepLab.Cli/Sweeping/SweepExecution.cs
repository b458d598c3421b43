using System.Globalization;
using System.Runtime.InteropServices;
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
        dataset.Materialise(Log);
        var table = dataset.Table;
        using var device = Devices.Open(deviceName);
        using var objective = new EngineObjective(table, dataset, device, groupSize, Log);
        using var store = new RunStore(output, writerName);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); Log("stopping after the running group (Ctrl-C again to kill)"); };
        Console.CancelKeyPress += onCancel;
        // scancel, preemption and time limits send SIGTERM (SIGKILL follows after the cluster's KillWait): stop now,
        // as on Ctrl-C, so unfinished runs are left interrupted and the store consistent for the resubmission.
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
            Log("SIGTERM: stopping; unfinished runs are left interrupted");
        });
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
                var batch = runner.RunAsync(runs, cancel.Token).GetAwaiter().GetResult();
                Log($"worker: {batch.Completed} completed, {batch.Pruned} pruned, {batch.Failed} failed, {batch.Skipped} already done");
                return batch.Failed > 0 || batch.Cancelled ? 3 : CommandGuard.ExitOk;
            }
            var study = SweepStudy.RunAsync(plan, runner, cancel.Token).GetAwaiter().GetResult();
            WriteTables(output, study, store);
            var e = study.Execution;
            Console.WriteLine($"{output}: {e.Total} runs: {e.Skipped + e.Completed} complete ({e.Skipped} from before), {e.Pruned} pruned, {e.Failed} failed, {e.NotStarted} not started{(e.Cancelled ? " (cancelled)" : "")}{(e.StoppedByBudget ? " (budget reached)" : "")}");
            if (report && !e.Cancelled) WriteReport(output);
            return e.Failed > 0 || e.Cancelled ? 3 : CommandGuard.ExitOk;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
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
