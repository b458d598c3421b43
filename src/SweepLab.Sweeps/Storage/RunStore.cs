using SweepLab.Core.IO;
namespace SweepLab.Sweeps;

/// <summary>Where a run stands in the store.</summary>
public enum RunState
{
    /// <summary>Never started here.</summary>
    Missing,

    /// <summary>Started but neither finished nor failed (a crash or Ctrl-C); computed again on the next run.</summary>
    Interrupted,

    /// <summary>The last attempt failed; retried on the next run.</summary>
    Failed,

    /// <summary>Finished: its folder holds run.json and result.json.</summary>
    Complete,

    /// <summary>Stopped early by the pruner; its folder is final like a complete one.</summary>
    Pruned,
}

/// <summary>What the journal says about a run: attempts so far and the last failure.</summary>
public sealed record RunHistory(int Attempts, RunEventKind? LastEvent, string? LastError, double? LastDurationSeconds);

/// <summary>What <see cref="RunStore.MigrateRunIds"/> did: finished runs moved to their current id, and finished runs
/// left under an earlier id because the same run is also finished under its current one (nothing is deleted).</summary>
public sealed record RunIdMigration(int Renamed, int KeptBeside);

/// <summary>Counts of runs by state, for <c>sweeplab status</c>.</summary>
public sealed record StoreSummary(int Total, int Complete, int Pruned, int Failed, int Interrupted, int Missing);

/// <summary>
/// The result store of a sweep folder DIR. Truth lives in two places, each written atomically:
/// <list type="bullet">
/// <item>DIR/runs/&lt;run-id&gt;/ is a finished run. The objective writes into DIR/runs/.tmp-&lt;run-id&gt;-&lt;guid&gt;/,
/// the runner adds run.json, and the folder is renamed into place in one step, so a half-finished run is never
/// seen: it is computed again. A run is complete when its folder holds run.json and result.json.</item>
/// <item>DIR/journal.jsonl (or journal.&lt;writer&gt;.jsonl per process) logs starts, completions, failures and prunes
/// with times, attempts and error text; replayed on open.</item>
/// </list>
/// The folder decides completeness (a crash between the rename and the journal line loses nothing); the journal
/// decides failed versus interrupted and counts attempts.
/// </summary>
public sealed class RunStore : IDisposable
{
    public const string ResultFileName = "result.json";
    public const string RunsFolderName = "runs";
    internal const string TemporaryPrefix = ".tmp-";

    private readonly RunJournal _journal;
    private readonly Dictionary<string, RunHistory> _history = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly HashSet<string> _temporaries = new(StringComparer.Ordinal);
    private readonly Lock _temporariesGate = new(); // never held while writing, so a stop can always take it

    public string Directory { get; }
    public string RunsDirectory { get; }

    /// <summary>Lines of the journals that could not be read when the store was opened (at most one per crash).</summary>
    public int UnreadableJournalLines { get; }

    /// <param name="directory">The sweep folder; created if missing.</param>
    /// <param name="writerName">Null for journal.jsonl; a name (letters, digits, '-', '_') gives this process its own
    /// journal.&lt;name&gt;.jsonl, for executors whose tasks share the folder.</param>
    public RunStore(string directory, string? writerName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (writerName is not null && (writerName.Length == 0 || !writerName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"writer name '{writerName}' may hold only letters, digits, '-' and '_'", nameof(writerName));
        Directory = Path.GetFullPath(directory);
        RunsDirectory = Path.Combine(Directory, RunsFolderName);
        System.IO.Directory.CreateDirectory(RunsDirectory);

        var journals = System.IO.Directory.GetFiles(Directory, "journal*.jsonl")
            .OrderBy(p => Path.GetFileName(p) == "journal.jsonl" ? "" : Path.GetFileName(p), StringComparer.Ordinal)
            .ToArray();
        var (events, unreadable) = RunJournal.Replay(journals);
        UnreadableJournalLines = unreadable;
        foreach (var e in events.OrderBy(e => e.Time)) Apply(e);
        _journal = new RunJournal(Path.Combine(Directory, writerName is null ? "journal.jsonl" : $"journal.{writerName}.jsonl"));
    }

    private void Apply(RunEvent e)
    {
        var previous = _history.GetValueOrDefault(e.RunId) ?? new RunHistory(0, null, null, null);
        _history[e.RunId] = e.Kind switch
        {
            RunEventKind.Started => previous with { Attempts = Math.Max(previous.Attempts, e.Attempt), LastEvent = e.Kind },
            RunEventKind.Failed => previous with { LastEvent = e.Kind, LastError = e.Error, LastDurationSeconds = e.DurationSeconds },
            // A run moved to its current id (MigrateRunIds) brings its attempts in its outcome's line.
            _ => previous with { Attempts = Math.Max(previous.Attempts, e.Attempt), LastEvent = e.Kind, LastDurationSeconds = e.DurationSeconds },
        };
    }

    public string RunDirectory(string runId) => Path.Combine(RunsDirectory, runId);

    public RunHistory History(string runId)
    {
        lock (_gate) return _history.GetValueOrDefault(runId) ?? new RunHistory(0, null, null, null);
    }

    /// <summary>The state of a run: its folder first (complete or pruned), then the journal.</summary>
    public RunState GetState(string runId)
    {
        if (TryLoad(runId) is { } record) return record.Outcome == RunOutcome.Complete ? RunState.Complete : RunState.Pruned;
        return History(runId).LastEvent switch
        {
            null => RunState.Missing,
            RunEventKind.Failed => RunState.Failed,
            _ => RunState.Interrupted,
        };
    }

    /// <summary>True when the run's folder is final (complete or pruned), so it is never computed again.</summary>
    public bool IsFinished(string runId) => GetState(runId) is RunState.Complete or RunState.Pruned;

    /// <summary>The stored record of a finished run, or null when the run has no valid final folder.</summary>
    public RunRecord? TryLoad(string runId)
    {
        string folder = RunDirectory(runId);
        string recordPath = Path.Combine(folder, RunRecord.FileName);
        if (!File.Exists(recordPath) || !File.Exists(Path.Combine(folder, ResultFileName))) return null;
        try
        {
            var record = RunRecord.Parse(File.ReadAllBytes(recordPath), recordPath);
            return record.RunId == runId ? record : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    public StoreSummary Summarize(IEnumerable<RunSpec> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        int total = 0, complete = 0, pruned = 0, failed = 0, interrupted = 0, missing = 0;
        foreach (var run in runs)
        {
            total++;
            switch (GetState(run.RunId))
            {
                case RunState.Complete: complete++; break;
                case RunState.Pruned: pruned++; break;
                case RunState.Failed: failed++; break;
                case RunState.Interrupted: interrupted++; break;
                default: missing++; break;
            }
        }
        return new StoreSummary(total, complete, pruned, failed, interrupted, missing);
    }

    /// <summary>
    /// Logs a new attempt and creates the empty temporary folder the objective writes into.
    /// </summary>
    /// <returns>The attempt number and the temporary folder.</returns>
    public (int Attempt, string TemporaryDirectory) BeginRun(RunSpec run)
    {
        ArgumentNullException.ThrowIfNull(run);
        int attempt;
        lock (_gate)
        {
            attempt = (_history.GetValueOrDefault(run.RunId)?.Attempts ?? 0) + 1;
            var e = new RunEvent(RunEventKind.Started, run.RunId, DateTimeOffset.UtcNow, attempt);
            _journal.Append(e);
            Apply(e);
        }
        return (attempt, CreateTemporaryFolder(run.RunId));
    }

    /// <summary>A scratch folder for a finished companion recomputed in a lockstep group; never committed.</summary>
    public string BeginShadow(RunSpec run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return CreateTemporaryFolder($"shadow-{run.RunId}");
    }

    private string CreateTemporaryFolder(string label)
    {
        string temporary = Path.Combine(RunsDirectory, $"{TemporaryPrefix}{label}-{Guid.NewGuid():N}");
        lock (_temporariesGate) _temporaries.Add(temporary);
        System.IO.Directory.CreateDirectory(temporary);
        return temporary;
    }

    /// <summary>Deletes this store's own unfinished temporary folders (a stop mid-run); other writers' are kept.</summary>
    public void RemoveOwnTemporaryFolders()
    {
        string[] own;
        lock (_temporariesGate) own = [.. _temporaries];
        foreach (string folder in own) DeleteDirectory(folder);
    }

    /// <summary>
    /// Makes a run final: checks the objective's result.json, writes run.json into the temporary folder, and renames
    /// the folder into place. If another writer finished the same run first, its folder is kept and this one dropped.
    /// </summary>
    public void CommitRun(RunRecord record, string temporaryDirectory, int attempt, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(temporaryDirectory);
        using var section = ExitGate.Enter();
        if (!File.Exists(Path.Combine(temporaryDirectory, ResultFileName)))
            throw new InvalidOperationException($"run {record.RunId} finished without writing {ResultFileName} into its folder");
        AtomicFile.WriteAllBytes(Path.Combine(temporaryDirectory, RunRecord.FileName), record.ToJson());
        string final = RunDirectory(record.RunId);
        if (System.IO.Directory.Exists(final))
        {
            if (TryLoad(record.RunId) is not null)
            {
                DeleteDirectory(temporaryDirectory);
            }
            else
            {
                DeleteDirectory(final);
                System.IO.Directory.Move(temporaryDirectory, final);
            }
        }
        else
        {
            System.IO.Directory.Move(temporaryDirectory, final);
        }
        var kind = record.Outcome == RunOutcome.Complete ? RunEventKind.Completed : RunEventKind.Pruned;
        Log(new RunEvent(kind, record.RunId, DateTimeOffset.UtcNow, attempt, Iteration: record.PrunedAtIteration, DurationSeconds: durationSeconds));
    }

    /// <summary>Records a failed attempt (with the error text) and removes its temporary folder.</summary>
    public void RecordFailure(RunSpec run, string? temporaryDirectory, int attempt, string error, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (temporaryDirectory is not null) DeleteDirectory(temporaryDirectory);
        Log(new RunEvent(RunEventKind.Failed, run.RunId, DateTimeOffset.UtcNow, attempt, Error: error, DurationSeconds: durationSeconds));
    }

    /// <summary>Drops an attempt cut short by cancellation: no journal line, so the run reads as interrupted.</summary>
    public void AbandonRun(string temporaryDirectory) => DeleteDirectory(temporaryDirectory);

    /// <summary>The file that says every finished run of the folder is stored under its current id (see
    /// <see cref="MigrateRunIds"/>); a folder without it is scanned once more.</summary>
    public const string RunIdsCurrentFileName = ".run-ids-current";

    /// <summary>True once <see cref="MarkRunIdsCurrent"/> was called for this folder.</summary>
    public bool RunIdsCurrent => File.Exists(Path.Combine(RunsDirectory, RunIdsCurrentFileName));

    /// <summary>Records that every finished run is under its current id, so later opens skip the scan.</summary>
    public void MarkRunIdsCurrent() => AtomicFile.WriteAllText(Path.Combine(RunsDirectory, RunIdsCurrentFileName),
        "Every finished run in this folder is stored under the id of its canonical settings.\n");

    /// <summary>Finished runs stored under an id that is not the one of their canonical settings (an earlier
    /// vocabulary, such as soft for off), as (folder, record, current id); read-only.</summary>
    public IReadOnlyList<(string Folder, RunRecord Record, string CurrentId)> RunsUnderEarlierIds(Func<SettingMap, SettingMap> canonicalise)
    {
        ArgumentNullException.ThrowIfNull(canonicalise);
        var found = new List<(string, RunRecord, string)>();
        foreach (string folder in System.IO.Directory.GetDirectories(RunsDirectory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            string recordPath = Path.Combine(folder, RunRecord.FileName);
            if (name.StartsWith('.') || !File.Exists(recordPath) || !File.Exists(Path.Combine(folder, ResultFileName))) continue;
            RunRecord record;
            try
            {
                record = RunRecord.Parse(File.ReadAllBytes(recordPath), recordPath);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                continue;
            }
            string current = CanonicalJson.RunId(canonicalise(record.Settings), record.Seed);
            // Under its earlier id, or already renamed to its current id with the earlier run.json (a stop in between).
            if (record.RunId != current && (name == record.RunId || name == current)) found.Add((folder, record, current));
        }
        return found;
    }

    /// <summary>
    /// Moves every finished run stored under an earlier id (<see cref="RunsUnderEarlierIds"/>) to the id of its
    /// canonical settings, so a sweep planned with the current ids finds it instead of computing it again. Per run,
    /// each step atomic and the run's files in one folder throughout: the folder is renamed to the current id, then
    /// <paramref name="rewrite"/> updates the objective's own files that name the run (idempotent), then run.json is
    /// replaced by the record with the current ids and canonical settings (last, so a stop before it leaves a folder
    /// that the next call finishes), then the journal logs the run's outcome under its new id with its attempts.
    /// A run finished under both ids keeps both folders (the current one counts). Call it only while no other
    /// process writes the folder; it is idempotent, so a kill -9 at any point loses nothing and the next call completes.
    /// </summary>
    public RunIdMigration MigrateRunIds(Func<SettingMap, SettingMap> canonicalise, Action<string, RunRecord>? rewrite = null)
    {
        int renamed = 0, kept = 0;
        foreach (var (folder, record, current) in RunsUnderEarlierIds(canonicalise))
        {
            using var section = ExitGate.Enter();
            string target = RunDirectory(current);
            if (folder != target)
            {
                if (TryLoad(current) is not null)
                {
                    kept++;
                    continue;
                }
                if (System.IO.Directory.Exists(target)) DeleteDirectory(target); // not final: as CommitRun does
                System.IO.Directory.Move(folder, target);
            }
            var settings = canonicalise(record.Settings);
            var migrated = record with { RunId = current, ConfigId = CanonicalJson.ConfigId(settings), Settings = settings };
            rewrite?.Invoke(target, migrated);
            AtomicFile.WriteAllBytes(Path.Combine(target, RunRecord.FileName), migrated.ToJson());
            var earlier = History(record.RunId);
            Log(new RunEvent(record.Outcome == RunOutcome.Complete ? RunEventKind.Completed : RunEventKind.Pruned, current, DateTimeOffset.UtcNow,
                Math.Max(1, earlier.Attempts), Iteration: record.PrunedAtIteration, DurationSeconds: earlier.LastDurationSeconds));
            renamed++;
        }
        return new RunIdMigration(renamed, kept);
    }

    /// <summary>Deletes temporary folders left by crashed runs; only call it while no other process writes here.</summary>
    public int RemoveStaleTemporaryFolders()
    {
        int removed = 0;
        foreach (string folder in System.IO.Directory.GetDirectories(RunsDirectory, TemporaryPrefix + "*"))
        {
            DeleteDirectory(folder);
            removed++;
        }
        return removed;
    }

    private void Log(RunEvent e)
    {
        lock (_gate)
        {
            _journal.Append(e);
            Apply(e);
        }
    }

    private void DeleteDirectory(string path)
    {
        lock (_temporariesGate) _temporaries.Remove(path);
        try
        {
            if (System.IO.Directory.Exists(path)) System.IO.Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose() => _journal.Dispose();
}
