namespace SweepLab.Sweeps;

/// <summary>
/// The work a sweep measures, injected by the caller (the cryo-EM engine in SweepLab, a synthetic function in tests).
/// Runs come in groups so one pass over shared data can advance several runs at once (the main throughput lever):
/// runs with equal <see cref="GroupKey"/> (say, the same seed and batch schedule, so they draw the same particles)
/// are handed over together, at most <see cref="PreferredGroupSize"/> at a time, in plan order.
/// </summary>
public interface IRunObjective
{
    /// <summary>How many runs the objective likes to advance together; 1 runs them one by one.</summary>
    int PreferredGroupSize { get; }

    /// <summary>Runs with equal keys may share a group; a constant key lets any runs share one.</summary>
    string GroupKey(RunSpec run);

    /// <summary>
    /// Runs every run of the group, writing each run's files (at least <see cref="RunStore.ResultFileName"/>) into
    /// <see cref="RunContext.OutputDirectory"/> and ending each with <see cref="RunContext.Complete"/> or
    /// <see cref="RunContext.Fail"/>. An exception fails the runs not yet ended. Several groups may run at once on
    /// different threads (one per worker); a group's contexts may be used from any thread.
    /// </summary>
    Task RunGroupAsync(IReadOnlyList<RunContext> runs, CancellationToken cancellationToken);
}

/// <summary>Decides from a run's own iteration reports whether to stop it early (Optuna's pruner role).</summary>
public interface IPruner
{
    bool ShouldPrune(RunSpec run, int iteration, IReadOnlyDictionary<string, double> metrics);
}

/// <summary>
/// Prunes a run as soon as a report at or after <paramref name="minIteration"/> satisfies the predicate, such as
/// <c>collapsed == 1</c>. The decision depends on the run's own reports only, so it is the same however runs
/// are scheduled, and the sweep stays deterministic.
/// </summary>
public sealed class PredicatePruner(MetricPredicate predicate, int minIteration = 0) : IPruner
{
    public MetricPredicate Predicate { get; } = predicate ?? throw new ArgumentNullException(nameof(predicate));

    public bool ShouldPrune(RunSpec run, int iteration, IReadOnlyDictionary<string, double> metrics) =>
        iteration >= minIteration && Predicate.IsSatisfiedBy(metrics);
}
