using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SweepLab.Sweeps;

/// <summary>What happened to a run.</summary>
public enum RunEventKind
{
    Started,
    Completed,
    Failed,
    Pruned,
}

/// <summary>One line of the journal. <paramref name="Attempt"/> counts from 1 per run across all sweeps in the folder.</summary>
public sealed record RunEvent(
    RunEventKind Kind,
    string RunId,
    DateTimeOffset Time,
    int Attempt,
    string? Error = null,
    int? Iteration = null,
    double? DurationSeconds = null);

/// <summary>
/// Optuna's journal idea: an append-only file of JSON objects, one event per line, each flushed to the disk before
/// <see cref="Append"/> returns, replayed to recover. A crash mid-write leaves at most one torn line; it is ignored
/// on replay, and a writer that opens such a file first ends the torn line, so later events stay whole.
/// Separate processes (SLURM tasks) write separate journal files in one folder; replay merges them.
/// </summary>
public sealed class RunJournal : IDisposable
{
    private readonly FileStream _stream;
    private readonly Lock _gate = new();

    public string Path { get; }

    public RunJournal(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (_stream.Length > 0)
        {
            _stream.Seek(-1, SeekOrigin.End);
            bool endsWithNewline = _stream.ReadByte() == '\n';
            _stream.Seek(0, SeekOrigin.End);
            if (!endsWithNewline)
            {
                _stream.WriteByte((byte)'\n');
                _stream.Flush(flushToDisk: true);
            }
        }
    }

    public void Append(RunEvent runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        byte[] line = Serialize(runEvent);
        using var section = Core.IO.ExitGate.Enter();
        lock (_gate)
        {
            _stream.Seek(0, SeekOrigin.End);
            _stream.Write(line);
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose()
    {
        lock (_gate) _stream.Dispose();
    }

    internal static byte[] Serialize(RunEvent e)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", e.Kind.ToString().ToLowerInvariant());
            writer.WriteString("run_id", e.RunId);
            writer.WriteString("time", e.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            writer.WriteNumber("attempt", e.Attempt);
            if (e.Iteration is int iteration) writer.WriteNumber("iteration", iteration);
            if (e.DurationSeconds is double seconds && double.IsFinite(seconds)) writer.WriteNumber("duration_seconds", seconds);
            if (e.Error is not null) writer.WriteString("error", e.Error);
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Parses one journal line; null for a torn or foreign line.</summary>
    internal static RunEvent? TryParse(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!Enum.TryParse(root.GetProperty("event").GetString(), ignoreCase: true, out RunEventKind kind)) return null;
            string runId = root.GetProperty("run_id").GetString() ?? "";
            var time = DateTimeOffset.Parse(root.GetProperty("time").GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            int attempt = root.GetProperty("attempt").GetInt32();
            int? iteration = root.TryGetProperty("iteration", out var it) ? it.GetInt32() : null;
            double? duration = root.TryGetProperty("duration_seconds", out var d) ? d.GetDouble() : null;
            string? error = root.TryGetProperty("error", out var er) ? er.GetString() : null;
            return runId.Length == 0 ? null : new RunEvent(kind, runId, time, attempt, error, iteration, duration);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Reads every event of the given journal files (in the order given, lines in file order).</summary>
    /// <returns>The events and how many lines could not be read (torn by a crash).</returns>
    public static (IReadOnlyList<RunEvent> Events, int UnreadableLines) Replay(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var events = new List<RunEvent>();
        int unreadable = 0;
        foreach (string path in paths)
        {
            if (!File.Exists(path)) continue;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                if (TryParse(line) is { } e) events.Add(e);
                else unreadable++;
            }
        }
        return (events, unreadable);
    }
}
