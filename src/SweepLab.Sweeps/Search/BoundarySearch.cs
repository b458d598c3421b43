namespace SweepLab.Sweeps;

/// <summary>How a bisection line ended.</summary>
public enum BoundaryStatus
{
    /// <summary>The outcome differs at Low and High, which are at most the tolerance apart.</summary>
    Found,

    /// <summary>The outcome is the same at both ends of the range: no boundary inside it (or an even number).</summary>
    NoFlip,

    /// <summary>A run of the line failed; the line stopped there.</summary>
    Failed,

    /// <summary>Stopped by a budget or cancellation; the next sweep continues it.</summary>
    Incomplete,
}

/// <summary>
/// The result of bisecting one configuration and seed: the last bracket [<paramref name="Low"/>, <paramref name="High"/>]
/// with the outcome at each end (null where not evaluated), how many runs it took, and the runs evaluated at the
/// bracket's two sides (<paramref name="LowRunId"/>, <paramref name="HighRunId"/>; null where not evaluated), so a
/// report can link and rerun both sides of the edge.
/// </summary>
public sealed record BoundaryResult(
    SettingMap Configuration,
    string ConfigId,
    int RepeatIndex,
    long Seed,
    BoundaryStatus Status,
    double Low,
    double High,
    bool? OutcomeAtLow,
    bool? OutcomeAtHigh,
    int Evaluations,
    string? LowRunId = null,
    string? HighRunId = null)
{
    /// <summary>The midpoint of the final bracket: the boundary to within half the tolerance, when found.</summary>
    public double Estimate => Low + (High - Low) / 2;
}

/// <summary>What a boundary search did: one result per line and every run it asked for (finished, failed or, when a
/// budget or cancellation stopped it, not yet run), in evaluation order.</summary>
public sealed record BoundarySearchResult(IReadOnlyList<BoundaryResult> Lines, IReadOnlyList<RunSpec> Runs, SweepBatchResult Execution, string Axis = "");

/// <summary>
/// Stability-boundary finder. For every configuration of the plan and every repeat (a "line"), evaluates the
/// outcome predicate at both ends of [low, high]; where it differs, bisects until the bracket is at most the
/// tolerance wide. Lines advance together in waves (all ends, then all first midpoints, ...), so each wave is one
/// batch for the runner and can be grouped and parallelised. Every evaluation is an ordinary stored run: the
/// search reads outcomes back from the store, so a resumed search replays the finished steps without running them
/// and every decision is a pure function of stored results.
/// </summary>
public sealed class BoundarySearch : ISearchStrategy
{
    /// <summary>The strategy behind <see cref="ISearchStrategy"/>; the search itself is <see cref="RunAsync"/>.</summary>
    public static BoundarySearch Instance { get; } = new();

    private BoundarySearch() { }

    public string Name => "boundary";

    double ISearchStrategy.RunsPerConfigurationBound(SearchSpec search) => MaxEvaluations(Spec(search));

    private static BoundarySearchSpec Spec(SearchSpec search) =>
        search as BoundarySearchSpec ?? throw new ArgumentException("not a boundary search", nameof(search));

    public IReadOnlyDictionary<string, object?> Describe(SearchSpec search)
    {
        var b = Spec(search);
        return new Dictionary<string, object?>
        {
            ["kind"] = Name, ["axis"] = b.Axis, ["low"] = b.Low, ["high"] = b.High, ["tolerance"] = b.Tolerance,
            ["outcome"] = b.Outcome.ToString(), ["prune_when"] = b.PruneWhen?.ToString(),
        };
    }

    public string? StatusLine(SweepPlan plan, StudyResult study)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(study);
        if (study.Boundary is not { } result) return null;
        var b = Spec(plan.Spec.Search);
        var lines = result.Lines;
        int Count(BoundaryStatus s) => lines.Count(l => l.Status == s);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"boundary search on {b.Axis} in [{b.Low}, {b.High}] to {b.Tolerance} ({b.Outcome}): {lines.Count} lines (configurations x seeds): {Count(BoundaryStatus.Found)} found, {Count(BoundaryStatus.NoFlip)} no flip, {Count(BoundaryStatus.Failed)} failed, {Count(BoundaryStatus.Incomplete)} unfinished; at most {plan.MaxRunCount} runs in all");
    }

    async Task<StudyResult> ISearchStrategy.RunAsync(SweepPlan plan, RunStore store,
        Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> runBatch, CancellationToken cancellationToken, Action<SearchProgress>? progress)
    {
        var result = await RunAsync(plan, store, runBatch, cancellationToken, progress).ConfigureAwait(false);
        return new StudyResult(result.Runs, result.Execution, result, null);
    }

    /// <summary>Runs per line at most: both ends plus ceil(log2(range / tolerance)) midpoints.</summary>
    public static int MaxEvaluations(BoundarySearchSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        double ratio = (spec.High - spec.Low) / spec.Tolerance;
        return 2 + (ratio > 1 ? (int)Math.Ceiling(Math.Log2(ratio)) : 0);
    }

    /// <summary>Midpoints a bracket of this width still needs: halvings until it is at most the tolerance wide.</summary>
    internal static int RemainingBisections(double width, double tolerance)
    {
        int steps = 0;
        for (double w = width; w > tolerance && steps < 64; w /= 2) steps++;
        return steps;
    }

    private sealed class Line(SettingMap configuration, int repeat, long seed, double low, double high)
    {
        public SettingMap Configuration { get; } = configuration;
        public int Repeat { get; } = repeat;
        public long Seed { get; } = seed;
        public double Low { get; set; } = low;
        public double High { get; set; } = high;
        public bool? AtLow { get; set; }
        public bool? AtHigh { get; set; }
        public int Evaluations { get; set; }
        public int Ended { get; set; }
        public bool EndsDone { get; set; }
        public string? LowRunId { get; set; }
        public string? HighRunId { get; set; }
        public BoundaryStatus? Status { get; set; }
    }

    /// <param name="plan">The checked plan; its search block gives the strategy.</param>
    /// <param name="store">Where outcomes are read back from.</param>
    /// <param name="runBatch">Runs a batch (usually <see cref="SweepRunner.RunAsync"/>); a no-op replays the store only.</param>
    /// <param name="cancellationToken">Stops the search after the batch in flight.</param>
    /// <param name="progress">Told before every wave where the search stands, in evaluations; null for silence.</param>
    public static async Task<BoundarySearchResult> RunAsync(
        SweepPlan plan,
        RunStore store,
        Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> runBatch,
        CancellationToken cancellationToken = default,
        Action<SearchProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runBatch);
        if (plan.Spec.Search is not BoundarySearchSpec spec) throw new ArgumentException("the plan's search is not a boundary search", nameof(plan));

        var lines = new List<Line>();
        foreach (var configuration in plan.Configurations)
            for (int r = 0; r < plan.Seeds.Count; r++) lines.Add(new Line(configuration, r, plan.Seeds[r], spec.Low, spec.High));

        RunSpec At(Line line, double value) =>
            new(plan.Canonical(line.Configuration.With(spec.Axis, SettingValue.FromReal(value, spec.Line))), line.Seed, line.Repeat);

        var requested = new List<RunSpec>();
        var execution = SweepBatchResult.Empty;
        int maxBisections = RemainingBisections(spec.High - spec.Low, spec.Tolerance);
        int waves = 0;

        // Runs a line is expected to take in all: what ended, plus both ends if not yet run, plus the midpoints its
        // bracket still needs (none once it stopped).
        int Expected(Line l) => l.Status is not null ? l.Ended
            : l.Ended + (l.EndsDone ? 0 : 2) + RemainingBisections(l.High - l.Low, spec.Tolerance);

        // Runs a wave and returns each run's outcome, or null (and the line's status) where the run did not finish.
        async Task<bool?[]> Evaluate(IReadOnlyList<(Line Line, RunSpec Run)> wave)
        {
            waves++;
            progress?.Invoke(new SearchProgress(
                waves == 1 ? $"wave 1: both ends of {lines.Count} line(s)" : $"wave {waves}: bisection step {waves - 1} of at most {maxBisections}",
                waves, wave.Count, lines.Sum(l => l.Ended), lines.Sum(Expected)));
            requested.AddRange(wave.Select(w => w.Run));
            execution = execution.Add(await runBatch(wave.Select(w => w.Run).ToArray(), cancellationToken).ConfigureAwait(false));
            var outcomes = new bool?[wave.Count];
            for (int i = 0; i < wave.Count; i++)
            {
                var (line, run) = wave[i];
                var record = store.TryLoad(run.RunId);
                if (record is null)
                {
                    bool failed = store.GetState(run.RunId) == RunState.Failed;
                    if (failed) line.Ended++;
                    line.Status = failed ? BoundaryStatus.Failed : BoundaryStatus.Incomplete;
                    continue;
                }
                line.Evaluations++;
                line.Ended++;
                outcomes[i] = spec.Outcome.IsSatisfiedBy(record.FinalMetrics);
            }
            return outcomes;
        }

        // Wave 0: both ends of every line.
        var ends = lines.SelectMany(l => new[] { (l, At(l, l.Low)), (l, At(l, l.High)) }).ToArray();
        var endOutcomes = await Evaluate(ends).ConfigureAwait(false);
        for (int i = 0; i < lines.Count; i++)
        {
            lines[i].EndsDone = true;
            lines[i].AtLow = endOutcomes[2 * i];
            lines[i].AtHigh = endOutcomes[2 * i + 1];
            if (endOutcomes[2 * i] is not null) lines[i].LowRunId = ends[2 * i].Item2.RunId;
            if (endOutcomes[2 * i + 1] is not null) lines[i].HighRunId = ends[2 * i + 1].Item2.RunId;
            if (lines[i].Status is null && lines[i].AtLow == lines[i].AtHigh) lines[i].Status = BoundaryStatus.NoFlip;
        }

        // Then midpoints: each replaces the end whose outcome it shares, halving the bracket.
        while (true)
        {
            var wave = new List<(Line Line, RunSpec Run)>();
            foreach (var line in lines.Where(l => l.Status is null))
            {
                if (line.High - line.Low <= spec.Tolerance) line.Status = BoundaryStatus.Found;
                else wave.Add((line, At(line, Midpoint(line.Low, line.High))));
            }
            if (wave.Count == 0) break;
            var outcomes = await Evaluate(wave).ConfigureAwait(false);
            for (int i = 0; i < wave.Count; i++)
            {
                if (outcomes[i] is not bool outcome) continue;
                var (line, run) = wave[i];
                double mid = run.Settings[spec.Axis].AsDouble;
                if (outcome == line.AtLow) (line.Low, line.LowRunId) = (mid, run.RunId);
                else (line.High, line.HighRunId) = (mid, run.RunId);
            }
        }

        if (!execution.Cancelled && !execution.StoppedByBudget)
            progress?.Invoke(new SearchProgress(
                $"search finished: {lines.Count(l => l.Status == BoundaryStatus.Found)} of {lines.Count} line(s) found an edge",
                waves + 1, 0, lines.Sum(l => l.Ended), lines.Sum(l => l.Ended), Finished: true));
        var results = lines.Select(l => new BoundaryResult(l.Configuration, CanonicalJson.ConfigId(l.Configuration), l.Repeat, l.Seed,
            l.Status ?? BoundaryStatus.Incomplete, l.Low, l.High, l.AtLow, l.AtHigh, l.Evaluations, l.LowRunId, l.HighRunId)).ToArray();
        return new BoundarySearchResult(results, requested, execution, spec.Axis);
    }

    /// <summary>The midpoint, rounded to 15 significant digits when that keeps it strictly inside the bracket.</summary>
    internal static double Midpoint(double low, double high)
    {
        double mid = low + (high - low) / 2;
        double rounded = AxisValues.Round15(mid);
        return rounded > low && rounded < high ? rounded : mid;
    }
}
