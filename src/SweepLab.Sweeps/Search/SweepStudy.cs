namespace SweepLab.Sweeps;

/// <summary>
/// What a study did: every run it asked for, in the deterministic order tables use (plan order for a grid; wave
/// order for a boundary search; rung order for halving), how execution went, and the search's own results.
/// </summary>
public sealed record StudyResult(
    IReadOnlyList<RunSpec> Runs,
    SweepBatchResult Execution,
    BoundarySearchResult? Boundary,
    HalvingSearchResult? Halving);

/// <summary>
/// Runs a planned sweep with the strategy its spec names (<see cref="SearchStrategies.For"/>) through a runner, or replays it
/// from the store alone (for status and tables without computing anything).
/// </summary>
public static class SweepStudy
{
    /// <param name="progress">For adaptive searches, told before each batch where the search stands in evaluations
    /// (the runner's own progress counts the runs of one batch only).</param>
    public static Task<StudyResult> RunAsync(SweepPlan plan, SweepRunner runner, CancellationToken cancellationToken = default,
        Action<SearchProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return ExecuteAsync(plan, runner.Store, runner.RunAsync, cancellationToken, progress);
    }

    /// <summary>What the store holds for this plan, computing nothing; adaptive searches stop where results end, and
    /// their <see cref="StudyResult.Runs"/> are the runs asked for so far (those of the wave or rung where results end
    /// included), which is what <c>status</c> counts.</summary>
    public static Task<StudyResult> ReplayAsync(SweepPlan plan, RunStore store) =>
        ExecuteAsync(plan, store, (_, _) => Task.FromResult(SweepBatchResult.Empty), CancellationToken.None, null);

    private static async Task<StudyResult> ExecuteAsync(
        SweepPlan plan,
        RunStore store,
        Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> runBatch,
        CancellationToken cancellationToken,
        Action<SearchProgress>? progress)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        return await SearchStrategies.For(plan.Spec.Search).RunAsync(plan, store, runBatch, cancellationToken, progress).ConfigureAwait(false);
    }
}
