namespace SweepLab.Sweeps;

/// <summary>
/// How a study chooses its runs (Optuna's sampler role): the full grid at once, or an adaptive strategy that asks for
/// batches and reads their outcomes back from the store. Each strategy is one stateless instance; every decision is
/// a function of the plan and stored results, so running again with a no-op batch runner replays it.
/// </summary>
public interface ISearchStrategy
{
    /// <summary>The sweep file's <c>search.kind</c> for this strategy (grid, boundary, halving).</summary>
    string Name { get; }

    /// <summary>Runs (at most) this many runs per configuration and seed of the plan: an upper bound for adaptive ones,
    /// which the planner checks against execution.max_runs.</summary>
    double RunsPerConfigurationBound(SearchSpec search);

    /// <summary>sweep.json's <c>search</c> entry: the kind and the strategy's parameters, which reports read back.</summary>
    IReadOnlyDictionary<string, object?> Describe(SearchSpec search);

    /// <summary>What an adaptive search has found so far, one line for <c>status</c>; null for a grid, or when the
    /// study holds no result of this strategy.</summary>
    string? StatusLine(SweepPlan plan, StudyResult study);

    /// <param name="plan">The checked plan; its search block is this strategy's.</param>
    /// <param name="store">Where outcomes are read back from.</param>
    /// <param name="runBatch">Runs a batch (usually <see cref="SweepRunner.RunAsync"/>); a no-op replays the store only.</param>
    /// <param name="cancellationToken">Stops the search after the batch in flight.</param>
    /// <param name="progress">Told before each batch of an adaptive search where it stands, in evaluations; null for silence.</param>
    Task<StudyResult> RunAsync(
        SweepPlan plan,
        RunStore store,
        Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> runBatch,
        CancellationToken cancellationToken = default,
        Action<SearchProgress>? progress = null);
}

/// <summary>The strategies, and the one place that maps a search block to its strategy.</summary>
public static class SearchStrategies
{
    public static IReadOnlyList<ISearchStrategy> All { get; } = [GridSearch.Instance, BoundarySearch.Instance, SuccessiveHalving.Instance];

    /// <summary>The strategy that runs <paramref name="search"/>.</summary>
    public static ISearchStrategy For(SearchSpec search) => search switch
    {
        BoundarySearchSpec => BoundarySearch.Instance,
        HalvingSearchSpec => SuccessiveHalving.Instance,
        GridSearchSpec => GridSearch.Instance,
        null => throw new ArgumentNullException(nameof(search)),
        _ => throw new ArgumentException($"no search strategy for {search.GetType().Name}", nameof(search)),
    };
}

/// <summary>Every configuration of the grid, each repeated, in plan order, as one batch.</summary>
public sealed class GridSearch : ISearchStrategy
{
    public static GridSearch Instance { get; } = new();

    private GridSearch() { }

    public string Name => "grid";

    public double RunsPerConfigurationBound(SearchSpec search) => 1;

    public IReadOnlyDictionary<string, object?> Describe(SearchSpec search)
    {
        ArgumentNullException.ThrowIfNull(search);
        return new Dictionary<string, object?> { ["kind"] = Name, ["prune_when"] = search.PruneWhen?.ToString() };
    }

    public string? StatusLine(SweepPlan plan, StudyResult study) => null;

    public async Task<StudyResult> RunAsync(
        SweepPlan plan,
        RunStore store,
        Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> runBatch,
        CancellationToken cancellationToken = default,
        Action<SearchProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(runBatch);
        var execution = await runBatch(plan.Runs, cancellationToken).ConfigureAwait(false);
        return new StudyResult(plan.Runs, execution, null, null);
    }
}
