namespace SweepLab.Sweeps;

/// <summary>
/// One configuration at one rung of successive halving: its score (mean of the metric over its repeats; NaN when
/// it has none), whether it could be ranked at all (every repeat finished unpruned with a finite metric), and
/// whether it went on to the next rung. <paramref name="RunsConfigId"/> is the config id of the rung's runs (the
/// configuration with the budget setting added), the key that joins this entry to results.csv and stability.csv.
/// </summary>
public sealed record HalvingEntry(
    SettingMap Configuration,
    string ConfigId,
    int Rung,
    long Budget,
    double Score,
    bool Eligible,
    bool Promoted,
    int Rank,
    string RunsConfigId = "");

/// <summary>What successive halving did: every (configuration, rung) entry, every run it asked for in order
/// (finished, failed, or not yet run when a budget stopped it), and the winners.</summary>
public sealed record HalvingSearchResult(
    IReadOnlyList<HalvingEntry> Entries,
    IReadOnlyList<RunSpec> Runs,
    IReadOnlyList<SettingMap> Survivors,
    bool Finished,
    SweepBatchResult Execution);

/// <summary>
/// Successive halving (Jamieson and Talwalkar 2016) over the plan's configurations, synchronous and with restarts:
/// rung k runs each surviving configuration's repeats with the budget setting at <c>rungs[k]</c>, ranks the
/// configurations by the mean metric over repeats, and keeps the best ceil(n / eta) for rung k + 1. A configuration
/// with a pruned (say, collapsed) or failed repeat is not ranked, so the pruner's verdict is final. Ties go to the
/// earlier configuration in plan order. Decisions depend only on stored results, so a resumed search makes the same
/// ones. Runs restart from iteration 0 at each rung, costing at most 1 + 1/eta + 1/eta^2 + ... times the rung-by-rung
/// work of a checkpointing scheme.
/// </summary>
public sealed class SuccessiveHalving : ISearchStrategy
{
    /// <summary>The strategy behind <see cref="ISearchStrategy"/>; the search itself is <see cref="RunAsync"/>.</summary>
    public static SuccessiveHalving Instance { get; } = new();

    private SuccessiveHalving() { }

    public string Name => "halving";

    double ISearchStrategy.RunsPerConfigurationBound(SearchSpec search) => Spec(search).Rungs.Count;

    private static HalvingSearchSpec Spec(SearchSpec search) =>
        search as HalvingSearchSpec ?? throw new ArgumentException("not successive halving", nameof(search));

    public IReadOnlyDictionary<string, object?> Describe(SearchSpec search)
    {
        var h = Spec(search);
        return new Dictionary<string, object?>
        {
            ["kind"] = Name, ["metric"] = h.Metric, ["maximize"] = h.Maximize, ["eta"] = h.Eta,
            ["budget_setting"] = h.BudgetSetting, ["rungs"] = h.Rungs, ["prune_when"] = h.PruneWhen?.ToString(),
        };
    }

    public string? StatusLine(SweepPlan plan, StudyResult study)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(study);
        if (study.Halving is not { } result) return null;
        var h = Spec(plan.Spec.Search);
        int rungs = result.Entries.Select(e => e.Rung).DefaultIfEmpty(-1).Max() + 1;
        string best = result.Survivors.Count == 0 ? "none could be ranked"
            : string.Join(", ", plan.VaryingSettings.Where(result.Survivors[0].ContainsKey).Select(v => $"{v}={result.Survivors[0][v].CanonicalText}"));
        string state = result.Finished ? $"finished; best: {(best.Length == 0 ? "the only configuration" : best)}" : "unfinished";
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"successive halving on {h.BudgetSetting} (rungs {string.Join(", ", h.Rungs)}, eta {h.Eta}, {(h.Maximize ? "maximising" : "minimising")} {h.Metric}): {plan.Configurations.Count} configurations, reached rung {rungs} of {h.Rungs.Count}, {state}; at most {plan.MaxRunCount} runs in all");
    }

    async Task<StudyResult> ISearchStrategy.RunAsync(SweepPlan plan, RunStore store,
        Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> runBatch, CancellationToken cancellationToken, Action<SearchProgress>? progress)
    {
        var result = await RunAsync(plan, store, runBatch, cancellationToken, progress).ConfigureAwait(false);
        return new StudyResult(result.Runs, result.Execution, null, result);
    }

    /// <param name="plan">The checked plan; its search block gives the strategy.</param>
    /// <param name="store">Where outcomes are read back from.</param>
    /// <param name="runBatch">Runs a batch (usually <see cref="SweepRunner.RunAsync"/>); a no-op replays the store only.</param>
    /// <param name="cancellationToken">Stops the search after the batch in flight.</param>
    /// <param name="progress">Told before every rung where the search stands, in evaluations; null for silence.</param>
    public static async Task<HalvingSearchResult> RunAsync(
        SweepPlan plan,
        RunStore store,
        Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> runBatch,
        CancellationToken cancellationToken = default,
        Action<SearchProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runBatch);
        if (plan.Spec.Search is not HalvingSearchSpec spec) throw new ArgumentException("the plan's search is not successive halving", nameof(plan));

        var entries = new List<HalvingEntry>();
        var requested = new List<RunSpec>();
        var execution = SweepBatchResult.Empty;
        IReadOnlyList<SettingMap> survivors = plan.Configurations;
        int ended = 0;

        for (int rung = 0; rung < spec.Rungs.Count; rung++)
        {
            long budget = spec.Rungs[rung];
            var budgetValue = SettingValue.FromInteger(budget, spec.Line);
            var runs = survivors
                .SelectMany(c => plan.Seeds.Select((seed, r) => new RunSpec(plan.Canonical(c.With(spec.BudgetSetting, budgetValue)), seed, r)))
                .ToArray();
            // Expected: this rung's runs, then ceil(n / eta) configurations per later rung (fewer if some cannot be ranked).
            int expected = ended;
            for (int k = rung, n = survivors.Count; k < spec.Rungs.Count; k++, n = (n + spec.Eta - 1) / spec.Eta) expected += n * plan.Seeds.Count;
            progress?.Invoke(new SearchProgress($"rung {rung + 1} of {spec.Rungs.Count}: {survivors.Count} configuration(s) at {spec.BudgetSetting} = {budget}",
                rung + 1, runs.Length, ended, expected));
            requested.AddRange(runs);
            execution = execution.Add(await runBatch(runs, cancellationToken).ConfigureAwait(false));

            var scored = new List<(SettingMap Configuration, double Score, bool Eligible)>();
            bool complete = true;
            int index = 0;
            foreach (var configuration in survivors)
            {
                var metricValues = new List<double>();
                bool eligible = true;
                for (int r = 0; r < plan.Seeds.Count; r++, index++)
                {
                    var run = runs[index];
                    var record = store.TryLoad(run.RunId);
                    if (record is null)
                    {
                        eligible = false;
                        if (store.GetState(run.RunId) != RunState.Failed) complete = false;
                        else ended++;
                        continue;
                    }
                    ended++;
                    if (record.Outcome == RunOutcome.Pruned || !record.FinalMetrics.TryGetValue(spec.Metric, out double value) || !double.IsFinite(value))
                    {
                        eligible = false;
                        continue;
                    }
                    metricValues.Add(value);
                }
                double score = metricValues.Count > 0 ? metricValues.Average() : double.NaN;
                scored.Add((configuration, score, eligible));
            }
            if (!complete)
            {
                // Budget or cancellation stopped the rung: record what is known, promote nothing yet.
                entries.AddRange(scored.Select(s => Entry(s.Configuration, rung, budget, s.Score, s.Eligible, false, 0)));
                return new HalvingSearchResult(entries, requested, survivors, false, execution);
            }

            var ranked = scored.Select((s, i) => (s, i)).Where(x => x.s.Eligible)
                .OrderBy(x => spec.Maximize ? -x.s.Score : x.s.Score).ThenBy(x => x.i)
                .Select(x => x.i).ToArray();
            bool last = rung == spec.Rungs.Count - 1;
            int keep = last ? ranked.Length : Math.Min(ranked.Length, (survivors.Count + spec.Eta - 1) / spec.Eta);
            var rankOf = new Dictionary<int, int>();
            for (int k = 0; k < ranked.Length; k++) rankOf[ranked[k]] = k + 1;
            var promoted = new HashSet<int>(ranked.Take(keep));
            for (int i = 0; i < scored.Count; i++)
            {
                var s = scored[i];
                entries.Add(Entry(s.Configuration, rung, budget, s.Score, s.Eligible, !last && promoted.Contains(i), rankOf.GetValueOrDefault(i)));
            }
            // Survivors keep plan order between rungs (a stable, readable run order); after the last rung they are
            // the ranked winners, best first.
            survivors = last
                ? ranked.Select(i => scored[i].Configuration).ToArray()
                : Enumerable.Range(0, scored.Count).Where(promoted.Contains).Select(i => scored[i].Configuration).ToArray();
            if (survivors.Count == 0) break;
        }
        progress?.Invoke(new SearchProgress($"search finished: {survivors.Count} configuration(s) left after rung {entries.Select(e => e.Rung).DefaultIfEmpty(-1).Max() + 1}",
            spec.Rungs.Count + 1, 0, ended, ended, Finished: true));
        return new HalvingSearchResult(entries, requested, survivors, true, execution);

        HalvingEntry Entry(SettingMap configuration, int rung, long budget, double score, bool eligible, bool promoted, int rank) =>
            new(configuration, CanonicalJson.ConfigId(configuration), rung, budget, score, eligible, promoted, rank,
                CanonicalJson.ConfigId(plan.Canonical(configuration.With(spec.BudgetSetting, SettingValue.FromInteger(budget, spec.Line)))));
    }
}
