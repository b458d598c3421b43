using System.Globalization;
using System.Text.Json;
using CsvHelper;
using SweepLab.Formats;

namespace SweepLab.Reports;

/// <summary>Final state of a run as results.csv records it.</summary>
public enum RunStatus
{
    Complete,
    Pruned,
    Failed,
}

/// <summary>One row of results.csv: a run, its settings (canonical text) and its final metrics (NaN when empty).</summary>
public sealed record RunRow(
    string RunId,
    string ConfigId,
    int Repeat,
    long Seed,
    RunStatus Status,
    int? PrunedAtIteration,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>Complete or pruned: the run reported final metrics (failed runs did not).</summary>
    public bool Finished => Status != RunStatus.Failed;

    /// <summary>The metric, or NaN when the run did not record it.</summary>
    public double Metric(string name) => Metrics.TryGetValue(name, out double v) ? v : double.NaN;
}

/// <summary>One run's per-iteration series from iterations.csv, aligned on <see cref="Iterations"/>.</summary>
public sealed record RunIterations(string RunId, IReadOnlyList<int> Iterations, IReadOnlyDictionary<string, double[]> Series)
{
    /// <summary>The series, or null when the run did not report that metric.</summary>
    public double[]? Get(string metric) => Series.TryGetValue(metric, out var s) ? s : null;
}

/// <summary>The parts of DIR/runs/&lt;run_id&gt;/result.json that reports use.</summary>
public sealed record RunDetail(
    string RunId,
    IReadOnlyDictionary<string, string> Config,
    IReadOnlyList<double> ClassFractionsHard,
    IReadOnlyList<long> EssHistogram,
    IReadOnlyList<int>? TrueClassOfClass,
    IReadOnlyList<double>? ClassFscResolutionAngstrom,
    double WallSeconds = double.NaN);

/// <summary>sweep.json: the sweep's name, its setting columns, the settings that vary, the sweep file's text (kept as
/// written, never parsed here), how runs were chosen (null when sweep.json predates the <c>search</c> key), and the
/// blocks a reproduce file copies (null when sweep.json predates the <c>reproduce</c> key).</summary>
public sealed record SweepInfo(string Name, IReadOnlyList<string> Settings, IReadOnlyList<string> Varying, string Yaml, SearchInfo? Search = null,
    ReproduceBlocks? Reproduce = null);

/// <summary>
/// sweep.json's <c>reproduce</c>: the sweep file's top-level <c>dataset</c> and <c>seed</c> entries as YAML text
/// ("dataset:\n  simulate: ...\n"), each null when the file has none. The CLI, the one YAML reader, serialises them,
/// so reports assemble reproduce files without reading YAML.
/// </summary>
public sealed record ReproduceBlocks(string? Dataset, string? Seed);

/// <summary>
/// sweep.json's <c>search</c>: the strategy and its parameters. A boundary search bisects <see cref="Axis"/> over
/// [<see cref="Low"/>, <see cref="High"/>] until the bracket where <see cref="Outcome"/> flips is at most
/// <see cref="Tolerance"/> wide; successive halving runs rungs of <see cref="BudgetSetting"/> = <see cref="Rungs"/>,
/// keeping the best 1 / <see cref="Eta"/> by <see cref="Metric"/>. Fields of the other kind are null or NaN.
/// </summary>
public sealed record SearchInfo(
    string Kind,
    string? Axis = null,
    double Low = double.NaN,
    double High = double.NaN,
    double Tolerance = double.NaN,
    string? Outcome = null,
    string? Metric = null,
    bool Maximize = true,
    int Eta = 0,
    string? BudgetSetting = null,
    IReadOnlyList<long>? Rungs = null)
{
    public bool IsGrid => Kind == "grid";
    public bool IsBoundary => Kind == "boundary";
    public bool IsHalving => Kind == "halving";

    /// <summary>The metric the boundary outcome tests ("split_ratio" of "split_ratio &lt; 0.2"), or null.</summary>
    public string? OutcomeMetric => Outcome is not null && Sweeps.MetricPredicate.TryParse(Outcome, out var p, out _) ? p!.Metric : null;
}

/// <summary>
/// A sweep output folder as <c>sweeplab run</c> writes it, read once: sweep.json, results.csv, iterations.csv and the
/// optional agreement column of stability.csv. result.json files and class maps are read on demand, since a report
/// needs them for a few runs only. Every reader error names the file and line.
/// </summary>
public sealed class SweepOutput
{
    public const string ResultsFile = "results.csv";
    public const string IterationsFile = "iterations.csv";
    public const string StabilityFile = "stability.csv";
    public const string SweepFile = "sweep.json";
    public const string RunsFolder = "runs";

    private static readonly string[] FixedColumns = ["run_id", "config_id", "repeat", "seed", "status", "pruned_at_iteration"];
    private static readonly string[] AgreementColumns = ["agreement", "mean_pairwise_agreement"];
    private readonly Dictionary<string, RunDetail?> _details = new(StringComparer.Ordinal);

    public string Directory { get; }
    public SweepInfo Info { get; }
    public IReadOnlyList<RunRow> Runs { get; }

    /// <summary>Final metric names in results.csv column order.</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>Per-iteration series by run id (runs without rows are absent).</summary>
    public IReadOnlyDictionary<string, RunIterations> Iterations { get; }

    /// <summary>Mean pairwise agreement between seeds per configuration, from stability.csv when it has the column.</summary>
    public IReadOnlyDictionary<string, double> Agreement { get; }

    /// <summary>boundary.csv of a boundary search, one line per configuration and seed; null when the sweep has none.</summary>
    public IReadOnlyList<BoundaryLine>? Boundary { get; private init; }

    /// <summary>halving.csv of successive halving, one entry per configuration and rung; null when the sweep has none.</summary>
    public IReadOnlyList<HalvingRow>? Halving { get; private init; }

    /// <summary>True when the runs were scored against a known truth (an accuracy column with a value).</summary>
    public bool HasTruth => MetricNames.Contains("accuracy") && Runs.Any(r => double.IsFinite(r.Metric("accuracy")));

    private SweepOutput(string directory, SweepInfo info, IReadOnlyList<RunRow> runs, IReadOnlyList<string> metricNames,
        IReadOnlyDictionary<string, RunIterations> iterations, IReadOnlyDictionary<string, double> agreement)
    {
        Directory = directory;
        Info = info;
        Runs = runs;
        MetricNames = metricNames;
        Iterations = iterations;
        Agreement = agreement;
    }

    /// <summary>Reads a sweep folder; sweep.json and results.csv are required, the rest optional.</summary>
    public static SweepOutput Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"sweep folder '{directory}' does not exist");
        var info = ReadInfo(Path.Combine(directory, SweepFile));
        (var runs, var metrics, info) = ReadResults(Path.Combine(directory, ResultsFile), info);
        string iterationsPath = Path.Combine(directory, IterationsFile);
        var iterations = File.Exists(iterationsPath) ? ReadIterations(iterationsPath) : new Dictionary<string, RunIterations>();
        string stabilityPath = Path.Combine(directory, StabilityFile);
        var agreement = File.Exists(stabilityPath) ? ReadAgreement(stabilityPath) : new Dictionary<string, double>();
        string boundaryPath = Path.Combine(directory, SearchTables.BoundaryFile);
        string halvingPath = Path.Combine(directory, SearchTables.HalvingFile);
        return new SweepOutput(directory, info, runs, metrics, iterations, agreement)
        {
            Boundary = File.Exists(boundaryPath) ? SearchTables.ReadBoundary(boundaryPath, info.Search?.Axis) : null,
            Halving = File.Exists(halvingPath) ? SearchTables.ReadHalving(halvingPath) : null,
        };
    }

    /// <summary>The same folder with other sweep.json facts, such as reproduce blocks the CLI derived for a sweep.json
    /// written before it held them.</summary>
    public SweepOutput WithInfo(SweepInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new SweepOutput(Directory, info, Runs, MetricNames, Iterations, Agreement) { Boundary = Boundary, Halving = Halving };
    }

    /// <summary>The folder of one run.</summary>
    public string RunDirectory(string runId) => Path.Combine(Directory, RunsFolder, runId);

    /// <summary>result.json of a run, or null when the run has none (failed, or outputs not kept).</summary>
    public RunDetail? Detail(string runId)
    {
        lock (_details)
        {
            if (_details.TryGetValue(runId, out var cached)) return cached;
            string path = Path.Combine(RunDirectory(runId), "result.json");
            var detail = File.Exists(path) ? ReadDetail(path, runId) : null;
            _details[runId] = detail;
            return detail;
        }
    }

    /// <summary>Paths of a run's class maps (class_001.mrc, ...) in class order; empty when there are none.</summary>
    public IReadOnlyList<string> ClassMaps(string runId)
    {
        string folder = RunDirectory(runId);
        if (!System.IO.Directory.Exists(folder)) return [];
        var maps = new List<string>();
        for (int k = 1; ; k++)
        {
            string path = Path.Combine(folder, $"class_{k:D3}.mrc");
            if (!File.Exists(path)) return maps;
            maps.Add(path);
        }
    }

    private static SweepInfo ReadInfo(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist; is this a sweep output folder?", path);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            string name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "sweep";
            var settings = StringArray(root, "settings", path);
            var varying = StringArray(root, "varying", path);
            string yaml = root.TryGetProperty("yaml", out var y) && y.ValueKind == JsonValueKind.String ? y.GetString()! : "";
            var search = root.TryGetProperty("search", out var s) && s.ValueKind == JsonValueKind.Object ? ReadSearch(s, path) : null;
            var reproduce = root.TryGetProperty("reproduce", out var r) && r.ValueKind == JsonValueKind.Object ? ReadReproduce(r, path) : null;
            // A varying setting missing from 'settings' is checked against results.csv's header (ReadResults): sweep.json
            // files of adaptive searches written before the search's own settings were listed lack it.
            return new SweepInfo(name, settings, varying, yaml, search, reproduce);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"not valid JSON: {e.Message}", (int?)(e.LineNumber + 1), innerException: e);
        }
    }

    private static SearchInfo ReadSearch(JsonElement s, string path)
    {
        string? Text(string key) => s.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        double Number(string key) => s.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        string kind = Text("kind") ?? throw new DataFormatException(path, "'search' has no 'kind'");
        var rungs = s.TryGetProperty("rungs", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetInt64() : throw new DataFormatException(path, "'search.rungs' must hold integers")).ToArray()
            : null;
        return new SearchInfo(kind, Text("axis"), Number("low"), Number("high"), Number("tolerance"), Text("outcome"), Text("metric"),
            !s.TryGetProperty("maximize", out var m) || m.ValueKind != JsonValueKind.False, double.IsNaN(Number("eta")) ? 0 : (int)Number("eta"),
            Text("budget_setting"), rungs);
    }

    private static ReproduceBlocks ReadReproduce(JsonElement r, string path)
    {
        string? Block(string key) => !r.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null ? null
            : v.ValueKind == JsonValueKind.String ? v.GetString()
            : throw new DataFormatException(path, $"'reproduce.{key}' must be YAML text or null, found {v.ValueKind}");
        return new ReproduceBlocks(Block("dataset"), Block("seed"));
    }

    private static List<string> StringArray(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new DataFormatException(path, $"'{key}' must be an array of setting names");
        return array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()!
            : throw new DataFormatException(path, $"'{key}' must hold strings, found {e.ValueKind}")).ToList();
    }

    private static (List<RunRow> Runs, List<string> Metrics, SweepInfo Info) ReadResults(string path, SweepInfo info)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist; the sweep has written no results yet", path);
        using var csv = CsvFiles.Open(path);
        var runs = new List<RunRow>();
        List<string>? header = null;
        int[] settingIndex = [];
        List<(string Name, int Index)> metricColumns = [];
        int[] fixedIndex = [];
        while (CsvFiles.Read(csv, path))
        {
            if (header is null)
            {
                header = csv.Headers.ToList();
                var columns = header;
                var given = info;
                var missing = given.Varying.Where(v => !given.Settings.Contains(v)).ToList();
                foreach (string v in missing)
                    if (!columns.Contains(v) && !columns.Contains("setting_" + v))
                        throw new DataFormatException(Path.Combine(Path.GetDirectoryName(path) ?? "", SweepFile), $"'varying' names '{v}', which is not in 'settings'");
                if (missing.Count > 0) info = given with { Settings = [.. given.Settings, .. missing] };
                var names = info.Settings;
                fixedIndex = FixedColumns.Select(c => header.IndexOf(c) is int i and >= 0 ? i
                    : throw new DataFormatException(path, $"missing column '{c}'", 1)).ToArray();
                // A setting that clashes with a fixed column is written as setting_<name> (ResultTables.Header).
                settingIndex = names.Select(s => header.IndexOf(s) is int i and >= 0 && !FixedColumns.Contains(s) ? i
                    : header.IndexOf("setting_" + s) is int j and >= 0 ? j
                    : throw new DataFormatException(path, $"setting '{s}' listed in sweep.json has no column", 1)).ToArray();
                var taken = new HashSet<int>(fixedIndex.Concat(settingIndex));
                metricColumns = header.Select((h, i) => (Name: h, Index: i))
                    .Where(c => !taken.Contains(c.Index)).ToList();
            }
            int line = (int)csv.LineNumber;
            if (csv.FieldCount != header.Count)
                throw new DataFormatException(path, $"{csv.FieldCount} fields, header has {header.Count}", line);
            string F(int i) => csv.GetString(i);
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int s = 0; s < settingIndex.Length; s++) settings[info.Settings[s]] = F(settingIndex[s]);
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, index) in metricColumns) metrics[name] = Real(F(index), path, line, name);
            string status = F(fixedIndex[4]);
            runs.Add(new RunRow(
                RunId: F(fixedIndex[0]),
                ConfigId: F(fixedIndex[1]),
                Repeat: (int)Integer(F(fixedIndex[2]), path, line, "repeat"),
                Seed: Integer(F(fixedIndex[3]), path, line, "seed"),
                Status: status switch
                {
                    "complete" => RunStatus.Complete,
                    "pruned" => RunStatus.Pruned,
                    "failed" => RunStatus.Failed,
                    _ => throw new DataFormatException(path, $"status '{status}' is not complete, pruned or failed", line),
                },
                PrunedAtIteration: F(fixedIndex[5]) is { Length: > 0 } p ? (int)Integer(p, path, line, "pruned_at_iteration") : null,
                Settings: settings,
                Metrics: metrics));
        }
        if (header is null) throw new DataFormatException(path, "the file is empty (no header)");
        return (runs, metricColumns.Select(c => c.Name).ToList(), info);
    }

    private static Dictionary<string, RunIterations> ReadIterations(string path)
    {
        // Long format: gather (iteration, value) per run and metric, then align each run's series on its iterations.
        var raw = new Dictionary<string, Dictionary<string, List<(int Iteration, double Value)>>>(StringComparer.Ordinal);
        using (var csv = CsvFiles.Open(path))
        {
            int[]? index = null;
            while (CsvFiles.Read(csv, path))
            {
                if (index is null)
                {
                    var header = csv.Headers.ToList();
                    index = new[] { "run_id", "iteration", "metric", "value" }.Select(c => header.IndexOf(c) is int i and >= 0 ? i
                        : throw new DataFormatException(path, $"missing column '{c}'", 1)).ToArray();
                }
                CsvFiles.CheckWidth(csv, path, csv.Headers.Count);
                int line = (int)csv.LineNumber;
                string run = csv.GetString(index[0]);
                int iteration = (int)Integer(csv.GetString(index[1]), path, line, "iteration");
                string metric = csv.GetString(index[2]);
                double value = Real(csv.GetString(index[3]), path, line, "value");
                if (!raw.TryGetValue(run, out var byMetric)) raw[run] = byMetric = new(StringComparer.Ordinal);
                if (!byMetric.TryGetValue(metric, out var list)) byMetric[metric] = list = [];
                list.Add((iteration, value));
            }
        }
        var result = new Dictionary<string, RunIterations>(StringComparer.Ordinal);
        foreach (var (run, byMetric) in raw)
        {
            var iterations = byMetric.Values.SelectMany(l => l.Select(p => p.Iteration)).Distinct().Order().ToArray();
            var position = new Dictionary<int, int>();
            for (int i = 0; i < iterations.Length; i++) position[iterations[i]] = i;
            var series = new Dictionary<string, double[]>(StringComparer.Ordinal);
            foreach (var (metric, list) in byMetric)
            {
                var values = new double[iterations.Length];
                Array.Fill(values, double.NaN);
                foreach (var (iteration, value) in list) values[position[iteration]] = value;
                series[metric] = values;
            }
            result[run] = new RunIterations(run, iterations, series);
        }
        return result;
    }

    private static Dictionary<string, double> ReadAgreement(string path)
    {
        var agreement = new Dictionary<string, double>(StringComparer.Ordinal);
        using var csv = CsvFiles.Open(path);
        int config = -1, column = -1;
        bool first = true;
        while (CsvFiles.Read(csv, path))
        {
            if (first)
            {
                first = false;
                var header = csv.Headers.ToList();
                config = header.IndexOf("config_id");
                column = AgreementColumns.Select(c => header.IndexOf(c)).FirstOrDefault(i => i >= 0, -1);
                if (config < 0) throw new DataFormatException(path, "missing column 'config_id'", 1);
                if (column < 0) return agreement;
            }
            CsvFiles.CheckWidth(csv, path, csv.Headers.Count);
            agreement[csv.GetString(config)] = Real(csv.GetString(column), path, (int)csv.LineNumber, csv.Headers[column]);
        }
        return agreement;
    }

    private static RunDetail ReadDetail(string path, string runId)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var config = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object)
                foreach (var p in c.EnumerateObject()) config[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            return new RunDetail(runId, config,
                Reals(root, "class_fractions_hard") ?? [],
                root.TryGetProperty("ess_histogram", out var h) && h.ValueKind == JsonValueKind.Array ? h.EnumerateArray().Select(e => e.GetInt64()).ToArray() : [],
                root.TryGetProperty("true_class_of_class", out var t) && t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(e => e.GetInt32()).ToArray() : null,
                Reals(root, "class_fsc_resolution_angstrom"),
                // Wall time is left out of results.csv (it differs on resume), so the baselines table reads it here.
                root.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("wall_seconds", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : double.NaN);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new DataFormatException(path, $"not a SweepLab result.json: {e.Message}", innerException: e);
        }
    }

    /// <summary>Numbers written with named literals allowed ("NaN", "Infinity") read back as doubles.</summary>
    private static double[]? Reals(JsonElement root, string key) =>
        root.TryGetProperty(key, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                ? double.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture) : e.GetDouble()).ToArray()
            : null;

    private static double Real(string text, string path, int line, string column)
    {
        if (text.Length == 0) return double.NaN;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return v;
        throw new DataFormatException(path, $"column '{column}': '{text}' is not a number", line);
    }

    private static long Integer(string text, string path, int line, string column)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)) return v;
        throw new DataFormatException(path, $"column '{column}': '{text}' is not an integer", line);
    }
}
