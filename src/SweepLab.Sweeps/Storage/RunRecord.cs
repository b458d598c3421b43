using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace SweepLab.Sweeps;

/// <summary>Metric name -> value in the order the objective reported them (tables keep that order).</summary>
public sealed class MetricMap : IReadOnlyDictionary<string, double>
{
    private readonly string[] _keys;
    private readonly Dictionary<string, double> _values;

    public static MetricMap Empty { get; } = new([]);

    public MetricMap(IEnumerable<KeyValuePair<string, double>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var keys = new List<string>();
        _values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("a metric name must not be empty", nameof(entries));
            if (!_values.TryAdd(key, value)) throw new ArgumentException($"metric '{key}' appears twice", nameof(entries));
            keys.Add(key);
        }
        _keys = keys.ToArray();
    }

    public double this[string key] => _values[key];
    public IEnumerable<string> Keys => _keys;
    public IEnumerable<double> Values => _keys.Select(k => _values[k]);
    public int Count => _keys.Length;
    public bool ContainsKey(string key) => _values.ContainsKey(key);
    public bool TryGetValue(string key, out double value) => _values.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, double>> GetEnumerator()
    {
        foreach (var key in _keys) yield return new KeyValuePair<string, double>(key, _values[key]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The metrics an objective reported for one iteration of a run.</summary>
public sealed record IterationMetrics(int Iteration, MetricMap Metrics);

/// <summary>Terminal states of a finished run folder.</summary>
public enum RunOutcome
{
    Complete,
    Pruned,
}

/// <summary>
/// What the runner stores beside the objective's own files in a finished run folder (<c>run.json</c>): the run's
/// identity and settings, whether it completed or was pruned, its final metrics and its per-iteration reports.
/// The folder is self-describing, so tables can be rebuilt from folders alone (for example after a SLURM merge).
/// </summary>
public sealed record RunRecord(
    string RunId,
    string ConfigId,
    long Seed,
    int RepeatIndex,
    SettingMap Settings,
    RunOutcome Outcome,
    int? PrunedAtIteration,
    MetricMap FinalMetrics,
    IReadOnlyList<IterationMetrics> Iterations)
{
    public const string FileName = "run.json";

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("run_id", RunId);
            writer.WriteString("config_id", ConfigId);
            writer.WriteNumber("seed", Seed);
            writer.WriteNumber("repeat", RepeatIndex);
            writer.WriteString("status", Outcome == RunOutcome.Complete ? "complete" : "pruned");
            if (PrunedAtIteration is int at) writer.WriteNumber("pruned_at_iteration", at);
            writer.WriteStartObject("settings");
            foreach (var (key, value) in Settings)
            {
                writer.WritePropertyName(key);
                WriteTypedValue(writer, value);
            }
            writer.WriteEndObject();
            writer.WritePropertyName("final_metrics");
            WriteMetrics(writer, FinalMetrics);
            writer.WriteStartArray("iterations");
            foreach (var iteration in Iterations)
            {
                writer.WriteStartObject();
                writer.WriteNumber("iteration", iteration.Iteration);
                writer.WritePropertyName("metrics");
                WriteMetrics(writer, iteration.Metrics);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Reads run.json; throws <see cref="InvalidDataException"/> naming the file when it is malformed.</summary>
    public static RunRecord Parse(ReadOnlySpan<byte> json, string sourceName)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            var settings = new SettingMap(root.GetProperty("settings").EnumerateObject()
                .Select(p => new KeyValuePair<string, SettingValue>(p.Name, ReadTypedValue(p.Value))));
            var iterations = root.GetProperty("iterations").EnumerateArray()
                .Select(e => new IterationMetrics(e.GetProperty("iteration").GetInt32(), ReadMetrics(e.GetProperty("metrics"))))
                .ToArray();
            string status = root.GetProperty("status").GetString() ?? "";
            var outcome = status switch
            {
                "complete" => RunOutcome.Complete,
                "pruned" => RunOutcome.Pruned,
                _ => throw new InvalidDataException($"{sourceName}: unknown status '{status}'"),
            };
            return new RunRecord(
                root.GetProperty("run_id").GetString() ?? "",
                root.GetProperty("config_id").GetString() ?? "",
                root.GetProperty("seed").GetInt64(),
                root.GetProperty("repeat").GetInt32(),
                settings,
                outcome,
                root.TryGetProperty("pruned_at_iteration", out var at) ? at.GetInt32() : null,
                ReadMetrics(root.GetProperty("final_metrics")),
                iterations);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{sourceName}: not a valid run record ({e.Message})", e);
        }
    }

    /// <summary>Settings keep their kind in run.json: a real that happens to be whole is written "2.0".</summary>
    private static void WriteTypedValue(Utf8JsonWriter writer, SettingValue value)
    {
        if (value.Kind == SettingKind.Real)
        {
            string text = value.CanonicalText;
            writer.WriteRawValue(text.Contains('.') || text.Contains('E') ? text : text + ".0");
        }
        else
        {
            CanonicalJson.WriteValue(writer, value);
        }
    }

    private static SettingValue ReadTypedValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => SettingValue.FromString(element.GetString()!),
        JsonValueKind.True => SettingValue.FromBoolean(true),
        JsonValueKind.False => SettingValue.FromBoolean(false),
        JsonValueKind.Number => element.GetRawText().AsSpan().IndexOfAny(".eE") < 0 && element.TryGetInt64(out long n)
            ? SettingValue.FromInteger(n)
            : SettingValue.FromReal(element.GetDouble()),
        _ => throw new FormatException($"a setting cannot be {element.ValueKind}"),
    };

    /// <summary>Metrics are doubles; NaN and infinities (which JSON lacks) are written as the strings "NaN", "Infinity", "-Infinity".</summary>
    private static void WriteMetrics(Utf8JsonWriter writer, MetricMap metrics)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in metrics)
        {
            if (double.IsFinite(value)) writer.WriteNumber(key, value);
            else writer.WriteString(key, value.ToString(CultureInfo.InvariantCulture));
        }
        writer.WriteEndObject();
    }

    private static MetricMap ReadMetrics(JsonElement element) => new(element.EnumerateObject().Select(p =>
        new KeyValuePair<string, double>(p.Name, p.Value.ValueKind == JsonValueKind.String
            ? double.Parse(p.Value.GetString()!, CultureInfo.InvariantCulture)
            : p.Value.GetDouble())));
}
