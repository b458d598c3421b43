namespace SweepLab.Sweeps;

/// <summary>How a <see cref="SweepRunner"/> executes.</summary>
public sealed record SweepRunnerOptions
{
    /// <summary>Groups in flight at once, each on its own thread.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Runs started at most over the runner's lifetime (all batches); null for no limit.</summary>
    public long? MaxRuns { get; init; }

    /// <summary>No new group starts after this much time since the runner's first batch; running groups finish.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Attempts per run within one sweep: 1 tries once; a run still failing is retried by the next sweep.</summary>
    public int AttemptsPerRun { get; init; } = 1;

    /// <summary>Whether runs that failed in an earlier sweep are tried again.</summary>
    public bool RetryFailed { get; init; } = true;

    /// <summary>Stops runs early from their iteration reports; null never prunes.</summary>
    public IPruner? Pruner { get; init; }

    /// <summary>Called (serialised) after every run that ends.</summary>
    public Action<SweepProgress>? Progress { get; init; }

    /// <summary>Delete temporary folders of crashed runs before the first batch; turn off when other processes share the folder.</summary>
    public bool RemoveStaleTemporaryFolders { get; init; } = true;

    /// <summary>The clock of <see cref="TimeBudget"/> and of progress estimates; tests inject a manual one so that
    /// what a budget stops does not depend on the machine's speed.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Options from the spec's execution and search blocks.</summary>
    public static SweepRunnerOptions FromSpec(SweepSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new SweepRunnerOptions
        {
            Workers = spec.Execution.Workers,
            MaxRuns = spec.Execution.MaxRuns?.Value,
            TimeBudget = spec.Execution.TimeBudgetSeconds is double s ? TimeSpan.FromSeconds(s) : null,
            Pruner = spec.Search.PruneWhen is { } p ? new PredicatePruner(p) : null,
        };
    }
}

/// <summary>
/// Progress of a batch: <paramref name="Skipped"/> were already final in the store; <paramref name="Ended"/> counts
/// runs ended in this batch (completed, pruned or failed). The estimate divides the time so far by the runs ended
/// so far (so it reflects parallel workers) and multiplies by the runs left.
/// </summary>
public sealed record SweepProgress(
    int Total,
    int Skipped,
    int Ended,
    int Completed,
    int Pruned,
    int Failed,
    TimeSpan Elapsed,
    TimeSpan? EstimatedRemaining)
{
    /// <summary>Runs final in the store (skipped, completed or pruned).</summary>
    public int Done => Skipped + Completed + Pruned;
}

/// <summary>How a batch went. Runs not started (budget or cancellation) and interrupted ones are run by the next sweep.</summary>
public sealed record SweepBatchResult(
    int Total,
    int Skipped,
    int Completed,
    int Pruned,
    int Failed,
    int NotStarted,
    bool StoppedByBudget,
    bool Cancelled)
{
    public static SweepBatchResult Empty { get; } = new(0, 0, 0, 0, 0, 0, false, false);

    public SweepBatchResult Add(SweepBatchResult other) => new(
        Total + other.Total, Skipped + other.Skipped, Completed + other.Completed, Pruned + other.Pruned,
        Failed + other.Failed, NotStarted + other.NotStarted, StoppedByBudget || other.StoppedByBudget, Cancelled || other.Cancelled);
}

/// <summary>
/// Runs batches of <see cref="RunSpec"/>s through an injected <see cref="IRunObjective"/> on a local pool of workers,
/// storing every outcome in a <see cref="RunStore"/> (Optuna's study role). Runs already final in the store are
/// skipped, so calling it again after a crash or Ctrl-C finishes only what is missing. A failing run is recorded and
/// the sweep goes on. Budgets stop new groups from starting; cancellation lets running groups end (their unfinished
/// runs read as interrupted) and leaves the store consistent.
/// </summary>
public sealed class SweepRunner
{
    private readonly RunStore _store;
    private readonly IRunObjective _objective;
    private readonly SweepRunnerOptions _options;
    private long? _lifetimeStart;
    private readonly Lock _gate = new();
    private long _runsStarted;

    public SweepRunner(RunStore store, IRunObjective objective, SweepRunnerOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _objective = objective ?? throw new ArgumentNullException(nameof(objective));
        _options = options ?? new SweepRunnerOptions();
        if (_options.Workers < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Workers, "workers must be at least 1");
        if (_options.AttemptsPerRun < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.AttemptsPerRun, "attempts must be at least 1");
        if (_options.MaxRuns is < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.MaxRuns, "max runs must be at least 1");
    }

    public RunStore Store => _store;

    /// <summary>Runs started so far by this runner (the quantity <see cref="SweepRunnerOptions.MaxRuns"/> caps).</summary>
    public long RunsStarted
    {
        get { lock (_gate) return _runsStarted; }
    }

    private bool BudgetExhausted(out int allowed)
    {
        allowed = int.MaxValue;
        if (_options.TimeBudget is TimeSpan budget && _options.Clock.GetElapsedTime(_lifetimeStart!.Value) >= budget) { allowed = 0; return true; }
        if (_options.MaxRuns is long max)
        {
            long left = max - _runsStarted;
            if (left <= 0) { allowed = 0; return true; }
            allowed = (int)Math.Min(int.MaxValue, left);
        }
        return false;
    }

    /// <summary>Runs every run of <paramref name="runs"/> that is not final in the store yet.</summary>
    public async Task<SweepBatchResult> RunAsync(IReadOnlyList<RunSpec> runs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        lock (_gate)
        {
            if (_lifetimeStart is null)
            {
                if (_options.RemoveStaleTemporaryFolders) _store.RemoveStaleTemporaryFolders();
                _lifetimeStart = _options.Clock.GetTimestamp();
            }
        }

        var unique = new List<RunSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
            if (seen.Add(run.RunId)) unique.Add(run);

        var pending = new List<RunSpec>();
        int skipped = 0;
        foreach (var run in unique)
        {
            var state = _store.GetState(run.RunId);
            if (state is RunState.Complete or RunState.Pruned || (state == RunState.Failed && !_options.RetryFailed)) skipped++;
            else pending.Add(run);
        }

        var batch = new BatchState(unique.Count, skipped, pending.Count, _options.Clock);
        // Groups are a function of the whole run list, not of what is left: a resumed sweep (or a SLURM task) steps
        // each run with the same companions as an uninterrupted one, so floating-point results match bit for bit.
        // Finished companions are recomputed as shadows whose results are discarded.
        var pendingIds = pending.Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var groups = FormGroups(unique).Where(g => g.Any(r => pendingIds.Contains(r.RunId))).ToList();
        int nextGroup = 0;
        ReportProgress(batch);

        void Worker()
        {
            while (true)
            {
                List<RunSpec> group;
                lock (_gate)
                {
                    if (cancellationToken.IsCancellationRequested) { batch.Cancelled = true; return; }
                    if (nextGroup >= groups.Count) return;
                    if (BudgetExhausted(out int allowed)) { batch.StoppedByBudget = true; return; }
                    group = groups[nextGroup++];
                    int fresh = group.Count(r => pendingIds.Contains(r.RunId));
                    if (fresh > allowed)
                    {
                        group = group.Where(r => pendingIds.Contains(r.RunId)).Take(allowed).ToList();
                        fresh = group.Count;
                        batch.StoppedByBudget = true;
                    }
                    _runsStarted += fresh;
                    batch.Started += fresh;
                }
                var failed = RunGroupOnce(group, batch, cancellationToken, pendingIds);
                for (int attempt = 1; failed.Count > 0 && attempt < _options.AttemptsPerRun && !cancellationToken.IsCancellationRequested; attempt++)
                    failed = RunGroupOnce(failed, batch, cancellationToken, pendingIds);
            }
        }

        var workers = Enumerable.Range(0, Math.Min(_options.Workers, Math.Max(1, groups.Count)))
            .Select(_ => Task.Factory.StartNew(Worker, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);

        if (cancellationToken.IsCancellationRequested) batch.Cancelled = true;
        return new SweepBatchResult(unique.Count, skipped, batch.Completed, batch.Pruned, batch.FailedFinal.Count, pending.Count - batch.Started,
            batch.StoppedByBudget, batch.Cancelled);
    }

    /// <summary>Groups pending runs by the objective's key, in plan order of each group's first run.</summary>
    private List<List<RunSpec>> FormGroups(IReadOnlyList<RunSpec> pending)
    {
        int size = Math.Max(1, _objective.PreferredGroupSize);
        var groups = new List<List<RunSpec>>();
        var open = new Dictionary<string, List<RunSpec>>(StringComparer.Ordinal);
        foreach (var run in pending)
        {
            string key = _objective.GroupKey(run) ?? "";
            if (!open.TryGetValue(key, out var group) || group.Count >= size)
            {
                group = [];
                open[key] = group;
                groups.Add(group);
            }
            group.Add(run);
        }
        return groups;
    }

    /// <summary>Runs one group once; returns the runs that failed.</summary>
    private List<RunSpec> RunGroupOnce(List<RunSpec> group, BatchState batch, CancellationToken cancellationToken, IReadOnlySet<string> pendingIds)
    {
        var failed = new List<RunSpec>();
        void Ended(RunContext context, RunRecord? record, Exception? error)
        {
            if (record is not null)
            {
                try
                {
                    _store.CommitRun(record, context.OutputDirectory, context.Attempt, context.ElapsedSeconds);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
                {
                    error = e;
                }
            }
            if (error is not null) _store.RecordFailure(context.Run, context.OutputDirectory, context.Attempt, error.ToString(), context.ElapsedSeconds);
            lock (_gate)
            {
                if (error is not null)
                {
                    failed.Add(context.Run);
                    batch.FailedFinal.Add(context.Run.RunId);
                }
                else
                {
                    batch.FailedFinal.Remove(context.Run.RunId);
                    if (record!.Outcome == RunOutcome.Pruned) batch.Pruned++;
                    else batch.Completed++;
                }
                batch.Ended++;
                ReportProgress(batch);
            }
        }

        var contexts = new List<RunContext>(group.Count);
        var shadows = new List<RunContext>();
        foreach (var run in group)
        {
            if (!pendingIds.Contains(run.RunId))
            {
                // A finished companion: recomputed in a scratch folder, never recorded.
                string scratch = _store.BeginShadow(run);
                var shadow = new RunContext(run, scratch, 0, _options.Pruner, (c, _, _) => _store.AbandonRun(c.OutputDirectory));
                contexts.Add(shadow);
                shadows.Add(shadow);
                continue;
            }
            var (attempt, folder) = _store.BeginRun(run);
            contexts.Add(new RunContext(run, folder, attempt, _options.Pruner, Ended));
        }

        Exception? groupError = null;
        try
        {
            _objective.RunGroupAsync(contexts, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            groupError = e;
        }

        foreach (var context in contexts)
        {
            if (shadows.Contains(context))
            {
                if (context.TryEndSilently()) _store.AbandonRun(context.OutputDirectory);
                continue;
            }
            if (!context.TryEndSilently()) continue;
            if (cancellationToken.IsCancellationRequested)
            {
                _store.AbandonRun(context.OutputDirectory);
                continue;
            }
            var error = groupError ?? new InvalidOperationException("the objective returned without completing or failing the run");
            Ended(context, null, error);
        }
        lock (_gate) return failed;
    }

    private void ReportProgress(BatchState batch)
    {
        if (_options.Progress is null) return;
        lock (_gate)
        {
            var elapsed = batch.Elapsed;
            int left = batch.Pending - batch.Completed - batch.Pruned - batch.FailedFinal.Count;
            TimeSpan? eta = batch.Ended > 0 ? elapsed / batch.Ended * Math.Max(0, left) : null;
            _options.Progress(new SweepProgress(batch.Total, batch.Skipped, batch.Ended, batch.Completed, batch.Pruned,
                batch.FailedFinal.Count, elapsed, eta));
        }
    }

    private sealed class BatchState(int total, int skipped, int pending, TimeProvider clock)
    {
        private readonly long _start = clock.GetTimestamp();

        public int Total { get; } = total;
        public int Skipped { get; } = skipped;
        public int Pending { get; } = pending;
        public TimeSpan Elapsed => clock.GetElapsedTime(_start);
        public int Started { get; set; }
        public int Ended { get; set; }
        public int Completed { get; set; }
        public int Pruned { get; set; }
        public HashSet<string> FailedFinal { get; } = new(StringComparer.Ordinal);
        public bool StoppedByBudget { get; set; }
        public bool Cancelled { get; set; }
    }
}
