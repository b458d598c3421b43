using System.Diagnostics;

namespace SweepLab.Sweeps;

/// <summary>
/// One run as the objective sees it: what to run, where to write, and how to report. Thread-safe.
/// A run ends exactly once, with <see cref="Complete"/> (the folder is final: it is committed at once, so a
/// finished run survives a crash of the rest of its group) or <see cref="Fail"/>.
/// </summary>
public sealed class RunContext
{
    private readonly Lock _gate = new();
    private readonly List<IterationMetrics> _iterations = [];
    private readonly IPruner? _pruner;
    private readonly Action<RunContext, RunRecord?, Exception?> _ended;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int? _prunedAt;
    private bool _isEnded;

    internal RunContext(RunSpec run, string outputDirectory, int attempt, IPruner? pruner, Action<RunContext, RunRecord?, Exception?> ended)
    {
        Run = run;
        OutputDirectory = outputDirectory;
        Attempt = attempt;
        _pruner = pruner;
        _ended = ended;
    }

    public RunSpec Run { get; }

    /// <summary>The run's temporary folder; renamed to DIR/runs/&lt;run-id&gt; when the run completes.</summary>
    public string OutputDirectory { get; }

    /// <summary>1 for the first attempt of this run in this folder, 2 for its first retry, ...</summary>
    public int Attempt { get; }

    public bool IsPruned
    {
        get { lock (_gate) return _prunedAt is not null; }
    }

    public bool IsEnded
    {
        get { lock (_gate) return _isEnded; }
    }

    internal double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

    /// <summary>
    /// Records one iteration's metrics (kept in run.json and iterations.csv) and asks the pruner.
    /// </summary>
    /// <returns>True when the run should stop (pruned): the objective should stop advancing it and call
    /// <see cref="Complete"/> with the metrics it has; the run is then stored as pruned.</returns>
    public bool ReportIteration(int iteration, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var copy = new MetricMap(metrics);
        lock (_gate)
        {
            if (_isEnded) throw new InvalidOperationException($"run {Run.RunId} has already ended");
            _iterations.Add(new IterationMetrics(iteration, copy));
            if (_prunedAt is null && _pruner is not null && _pruner.ShouldPrune(Run, iteration, copy)) _prunedAt = iteration;
            return _prunedAt is not null;
        }
    }

    /// <summary>Ends the run: its folder (with result.json written) becomes final, as complete or, if pruned, as pruned.</summary>
    public void Complete(IReadOnlyDictionary<string, double> finalMetrics)
    {
        ArgumentNullException.ThrowIfNull(finalMetrics);
        RunRecord record;
        lock (_gate)
        {
            EndOnce();
            record = new RunRecord(Run.RunId, Run.ConfigId, Run.Seed, Run.RepeatIndex, Run.Settings,
                _prunedAt is null ? RunOutcome.Complete : RunOutcome.Pruned, _prunedAt, new MetricMap(finalMetrics), _iterations.ToArray());
        }
        _ended(this, record, null);
    }

    /// <summary>Ends the run as failed; the sweep goes on and a later sweep retries it.</summary>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate) EndOnce();
        _ended(this, null, error);
    }

    /// <summary>Ends the run as cut short (cancellation) unless it has already ended; true when it had not.</summary>
    internal bool TryEndSilently()
    {
        lock (_gate)
        {
            if (_isEnded) return false;
            _isEnded = true;
            return true;
        }
    }

    private void EndOnce()
    {
        if (_isEnded) throw new InvalidOperationException($"run {Run.RunId} has already ended");
        _isEnded = true;
    }
}
