using System.Globalization;
using System.Text;
using System.Text.Json;
using SweepLab.Formats.Mrc;

namespace SweepLab.Reports.Tests;

/// <summary>What a synthetic sweep folder holds.</summary>
internal sealed record FixtureSpec
{
    /// <summary>Varying settings and their values (canonical text), in sweep-file order.</summary>
    public IReadOnlyList<(string Name, string[] Values)> Axes { get; init; } =
    [
        ("class_similarity", ["0", "0.1", "0.2", "0.3"]),
        ("batch_size_per_class", ["1000", "5000", "10000"]),
        ("hard_classification", ["off", "soft_then_hard:30", "hard_then_soft:20"]),
    ];

    public int Seeds { get; init; } = 3;
    public bool Truth { get; init; } = true;
    public int Classes { get; init; } = 2;
    public int Iterations { get; init; } = 60;
    public int MapBox { get; init; } = 16;
    public bool Maps { get; init; } = true;

    /// <summary>Run indices (plan order) that fail.</summary>
    public IReadOnlySet<int> Failed { get; init; } = new HashSet<int> { 7, 40 };

    /// <summary>Collapsed runs are recorded as pruned (as a prune_when: collapsed == 1 sweep would).</summary>
    public bool PruneCollapsed { get; init; } = true;

    public string Name { get; init; } = "fixture";

    /// <summary>Settings every run shares beyond classes and target resolution (base settings of the sweep file).</summary>
    public IReadOnlyDictionary<string, string> Fixed { get; init; } = new Dictionary<string, string>();
}

/// <summary>One generated run, as the fixture decided it (the tests' ground truth for what the files say).</summary>
internal sealed record FixtureRun(string RunId, string ConfigId, int Repeat, long Seed, string Status, Dictionary<string, string> Settings,
    Dictionary<string, double> Metrics);

/// <summary>
/// Writes a sweep output folder in exactly the layout <c>sweeplab run</c> writes (results.csv, iterations.csv,
/// stability.csv, sweep.json, runs/&lt;id&gt;/result.json and class maps), from a made-up but realistic landscape:
/// small batches and no class similarity collapse often, the split ratio scatters more across seeds near the
/// collapse edge, and hard-then-soft helps a little. Deterministic: values come from a counter-based hash of
/// (run index, draw).
/// </summary>
internal static class SweepFixture
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string R(double v) => v.ToString("R", C);

    public static IReadOnlyList<FixtureRun> Write(string dir, FixtureSpec spec)
    {
        Directory.CreateDirectory(dir);
        string[] fixedSettings = ["classes", "target_resolution_angstrom", .. spec.Fixed.Keys];
        var settingNames = spec.Axes.Select(a => a.Name).Concat(fixedSettings).ToList();
        var configs = Cartesian(spec.Axes);
        var runs = new List<FixtureRun>();
        var iterations = new StringBuilder("run_id,iteration,metric,value\n");
        int runIndex = 0;
        for (int ci = 0; ci < configs.Count; ci++)
        {
            var settings = new Dictionary<string, string>(configs[ci]) { ["classes"] = spec.Classes.ToString(C), ["target_resolution_angstrom"] = "8" };
            foreach (var (key, value) in spec.Fixed) settings[key] = value;
            string configId = $"c{ci:D3}{Hash((ulong)ci, 99) % 0xfff:x3}";
            for (int r = 0; r < spec.Seeds; r++, runIndex++)
            {
                long seed = 1000 + r * 17;
                string runId = $"{configId}-r{r}";
                if (spec.Failed.Contains(runIndex))
                {
                    runs.Add(new FixtureRun(runId, configId, r, seed, "failed", settings, []));
                    continue;
                }
                var (metrics, series) = Simulate(spec, settings, runIndex);
                bool collapsed = metrics["collapsed"] == 1;
                string status = collapsed && spec.PruneCollapsed ? "pruned" : "complete";
                runs.Add(new FixtureRun(runId, configId, r, seed, status, settings, metrics));
                foreach (var (iteration, values) in series)
                    foreach (var (metric, value) in values)
                        iterations.Append(runId).Append(',').Append(iteration.ToString(C)).Append(',').Append(metric).Append(',').Append(R(value)).Append('\n');
                WriteRunFolder(Path.Combine(dir, "runs", runId), spec, settings, metrics, runIndex);
            }
        }
        var metricNames = runs.Where(r => r.Metrics.Count > 0).SelectMany(r => r.Metrics.Keys).Distinct().ToList();
        WriteResults(Path.Combine(dir, "results.csv"), runs, settingNames, metricNames);
        File.WriteAllText(Path.Combine(dir, "iterations.csv"), iterations.ToString());
        WriteStability(Path.Combine(dir, "stability.csv"), runs, settingNames, spec.Truth);
        WriteSweepJson(Path.Combine(dir, "sweep.json"), spec, settingNames);
        return runs;
    }

    private static List<Dictionary<string, string>> Cartesian(IReadOnlyList<(string Name, string[] Values)> axes)
    {
        var result = new List<Dictionary<string, string>> { new() };
        foreach (var (name, values) in axes)
            result = result.SelectMany(d => values.Select(v => new Dictionary<string, string>(d) { [name] = v })).ToList();
        return result;
    }

    /// <summary>SplitMix64 of (index, draw): the fixture's only source of randomness.</summary>
    internal static ulong Hash(ulong index, ulong draw)
    {
        ulong z = index * 0x9E3779B97F4A7C15UL + draw * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static double Uniform(int run, int draw) => (Hash((ulong)run, (ulong)draw) >> 11) * (1.0 / (1UL << 53));

    private static double Setting(Dictionary<string, string> s, string key, double fallback) =>
        s.TryGetValue(key, out var v) && double.TryParse(v, NumberStyles.Float, C, out double d) ? d : fallback;

    private static (Dictionary<string, double> Metrics, List<(int, List<(string, double)>)> Series) Simulate(
        FixtureSpec spec, Dictionary<string, string> settings, int run)
    {
        int k = spec.Classes;
        double similarity = Setting(settings, "class_similarity", 0.2);
        double batch = Setting(settings, "batch_size_per_class", 5000);
        string hard = settings.TryGetValue("hard_classification", out var h) ? h : "off";
        // Collapse risk: small batches and low similarity; hard-then-soft lowers it a little.
        double risk = 1 / (1 + Math.Exp(-(2.5 - batch / 2000 - 12 * similarity + (hard.StartsWith("hard_then_soft", StringComparison.Ordinal) ? -0.8 : 0))));
        bool collapsed = Uniform(run, 1) < risk;
        double spread = 0.01 + 0.25 * risk;
        double split = collapsed ? 0.01 * Uniform(run, 2) : Math.Clamp(0.82 + spread * (Uniform(run, 3) - 0.5) * 2, 0.06, 1);
        // K = 2: split = small / large; fractions follow.
        double small = split / (1 + split), large = 1 / (1 + split);
        double meanEss = 1 + (k - 1) * (collapsed ? 0.05 : 0.1 + 0.2 * Uniform(run, 4));
        double accuracy = collapsed ? 0.5 + 0.02 * Uniform(run, 5) : 0.95 - 0.3 * spread * Uniform(run, 6);
        bool converges = Uniform(run, 7) > 0.1;
        int prunedAt = collapsed && spec.PruneCollapsed ? 25 : spec.Iterations;
        var metrics = new Dictionary<string, double>
        {
            ["split_ratio"] = split,
            ["largest_class_fraction"] = large,
            ["smallest_class_fraction"] = small,
            ["collapsed"] = collapsed ? 1 : 0,
            ["mean_ess"] = meanEss,
            ["median_ess"] = meanEss * 0.95,
            ["convergence_iteration"] = converges ? 30 + Math.Floor(20 * Uniform(run, 8)) : double.NaN,
            ["iterations"] = prunedAt,
            ["stopped_early"] = collapsed ? 1 : 0,
            ["initial_similarity"] = similarity,
            ["final_log_likelihood"] = -1.2e5 + 5e3 * Uniform(run, 9),
        };
        if (spec.Truth)
        {
            metrics["accuracy"] = accuracy;
            metrics["ari"] = Math.Max(0, 2 * accuracy - 1.0);
            metrics["worst_class_fsc_resolution_angstrom"] = collapsed ? 30 : 9 + 4 * Uniform(run, 10);
        }
        var series = new List<(int, List<(string, double)>)>();
        int switchAt = hard.StartsWith("soft_then_hard", StringComparison.Ordinal) ? 30 : hard.StartsWith("hard_then_soft", StringComparison.Ordinal) ? 20 : -1;
        for (int t = 1; t <= prunedAt; t++)
        {
            double progress = Math.Min(1, t / 30.0);
            double lr = Math.Pow(0.5, t / 15.0);
            double s = t < 10 ? similarity : t >= 40 ? 0 : similarity * (40 - t) / 30.0;
            bool isHard = hard == "on" || (switchAt > 0 && (hard.StartsWith("soft_then_hard", StringComparison.Ordinal) ? t >= switchAt : t < switchAt));
            double f1 = 0.5 + (large - 0.5) * progress + 0.01 * (Uniform(run, 100 + t) - 0.5);
            var values = new List<(string, double)>
            {
                ("learning_rate", lr), ("class_similarity", s), ("hard", isHard ? 1 : 0),
                ("fraction_hard_1", f1), ("fraction_hard_2", 1 - f1),
                ("fraction_soft_1", 0.5 + (f1 - 0.5) * 0.9), ("fraction_soft_2", 1 - (0.5 + (f1 - 0.5) * 0.9)),
                ("mean_ess", 1 + (k - 1) * (1 - progress) * 0.9 + (meanEss - 1) * progress),
                ("median_ess", 1 + (k - 1) * (1 - progress) * 0.85 + (meanEss - 1) * progress),
                ("fraction_changed", t <= 5 ? double.NaN : 0.4 * Math.Exp(-t / 12.0)),
                ("mean_log_likelihood", -1.3e5 + 1e4 * progress),
                ("volume_change_rms", 0.5 * Math.Exp(-t / 10.0)),
            };
            series.Add((t, values));
        }
        return (metrics, series);
    }

    private static void WriteRunFolder(string folder, FixtureSpec spec, Dictionary<string, string> settings, Dictionary<string, double> metrics, int run)
    {
        Directory.CreateDirectory(folder);
        int k = spec.Classes;
        double small = metrics["smallest_class_fraction"], large = metrics["largest_class_fraction"];
        var histogram = new long[20];
        bool collapsed = metrics["collapsed"] == 1;
        for (int b = 0; b < 20; b++)
            histogram[b] = (long)(10000 * (collapsed ? Math.Exp(-b / 1.5) : Math.Exp(-b / 4.0) + 0.05)) + (long)(50 * Uniform(run, 200 + b));
        var result = new Dictionary<string, object?>
        {
            ["sweep_lab_version"] = "0.1.0",
            ["particles"] = "particles.star",
            ["truth"] = spec.Truth ? "truth.star" : null,
            ["device"] = "cpu",
            ["config"] = settings,
            ["metrics"] = metrics.ToDictionary(p => p.Key, p => (object)(double.IsFinite(p.Value) ? p.Value : "NaN")),
            ["class_fractions_hard"] = new[] { large, small },
            ["class_fractions_soft"] = new[] { large, small },
            ["ess_histogram"] = histogram,
            ["true_class_of_class"] = spec.Truth ? new[] { 0, 1 } : null,
            ["class_fsc_resolution_angstrom"] = spec.Truth ? new[] { 9.0, 11.0 } : null,
        };
        File.WriteAllText(Path.Combine(folder, "result.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
        if (!spec.Maps) return;
        int n = spec.MapBox;
        var map = new float[n * n * n];
        for (int c = 0; c < k; c++)
        {
            // Two Gaussian blobs; class c moves the second one, so the classes differ visibly.
            double bx = n * (0.3 + 0.4 * c / Math.Max(1, k - 1)), by = n * 0.6, bz = n * 0.5;
            for (int z = 0; z < n; z++)
                for (int y = 0; y < n; y++)
                    for (int x = 0; x < n; x++)
                    {
                        double d1 = Sq(x - n / 2.0) + Sq(y - n * 0.35) + Sq(z - n / 2.0);
                        double d2 = Sq(x - bx) + Sq(y - by) + Sq(z - bz);
                        map[(z * n + y) * n + x] = (float)(Math.Exp(-d1 / (0.02 * n * n)) + 0.8 * Math.Exp(-d2 / (0.01 * n * n)));
                    }
            MrcFile.Write(Path.Combine(folder, $"class_{c + 1:D3}.mrc"), map, n, n, n, 2.0, isStack: false);
        }
    }

    private static double Sq(double v) => v * v;

    private static void WriteResults(string path, List<FixtureRun> runs, List<string> settingNames, List<string> metricNames)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', new[] { "run_id", "config_id", "repeat", "seed", "status", "pruned_at_iteration" }.Concat(settingNames).Concat(metricNames))).Append('\n');
        foreach (var r in runs)
        {
            var cells = new List<string> { r.RunId, r.ConfigId, r.Repeat.ToString(C), r.Seed.ToString(C), r.Status, r.Status == "pruned" ? "25" : "" };
            cells.AddRange(settingNames.Select(s => r.Settings[s]));
            cells.AddRange(metricNames.Select(m => r.Metrics.TryGetValue(m, out double v) ? R(v) : ""));
            text.Append(string.Join(',', cells)).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }

    private static void WriteStability(string path, List<FixtureRun> runs, List<string> settingNames, bool truth)
    {
        string[] metrics = truth ? ["split_ratio", "mean_ess", "accuracy"] : ["split_ratio", "mean_ess"];
        var text = new StringBuilder();
        text.Append(string.Join(',', new[] { "config_id" }.Concat(settingNames).Concat(["runs", "failed"])
            .Concat(metrics.SelectMany(m => new[] { m + "_mean", m + "_std" })).Concat(["p_collapsed", "agreement"]))).Append('\n');
        foreach (var group in runs.GroupBy(r => r.ConfigId))
        {
            var finished = group.Where(r => r.Status != "failed").ToList();
            var cells = new List<string> { group.Key };
            cells.AddRange(settingNames.Select(s => group.First().Settings[s]));
            cells.Add(finished.Count.ToString(C));
            cells.Add((group.Count() - finished.Count).ToString(C));
            foreach (var m in metrics)
            {
                var v = finished.Select(r => r.Metrics[m]).ToArray();
                cells.Add(v.Length > 0 ? R(v.Average()) : "");
                cells.Add(v.Length > 1 ? R(Math.Sqrt(v.Sum(x => Sq(x - v.Average())) / (v.Length - 1))) : "");
            }
            cells.Add(finished.Count > 0 ? R(finished.Count(r => r.Metrics["collapsed"] == 1) / (double)finished.Count) : "");
            // Agreement: high when no seed collapsed, lower otherwise (a stand-in for the mean pairwise ARI).
            cells.Add(finished.Count > 1 ? R(finished.All(r => r.Metrics["collapsed"] == 0) ? 0.9 : 0.3) : "");
            text.Append(string.Join(',', cells)).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }

    private static void WriteSweepJson(string path, FixtureSpec spec, List<string> settingNames)
    {
        var yaml = new StringBuilder();
        yaml.Append($"name: {spec.Name}\n");
        yaml.Append("dataset:\n  simulate: {particles: 2000, classes: 2, box: 16}\n");
        yaml.Append($"base:\n  classes: {spec.Classes}\n  target_resolution_angstrom: 8\n");
        foreach (var (key, value) in spec.Fixed) yaml.Append($"  {key}: \"{value}\"\n");
        if (spec.Axes.Count > 0)
        {
            yaml.Append("grid:\n");
            foreach (var (name, values) in spec.Axes)
                yaml.Append($"  {name}: [{string.Join(", ", values.Select(v => double.TryParse(v, NumberStyles.Float, C, out _) ? v : $"\"{v}\""))}]\n");
        }
        yaml.Append($"repeats: {spec.Seeds}\nseed: 1000\n");
        var json = new Dictionary<string, object>
        {
            ["name"] = spec.Name,
            ["settings"] = settingNames,
            ["varying"] = spec.Axes.Select(a => a.Name).ToList(),
            // As the CLI serialises them (SweepSpecYaml.TopLevelYaml): reports copy these and never read the YAML.
            ["reproduce"] = new Dictionary<string, string> { ["dataset"] = "dataset:\n  simulate: {particles: 2000, classes: 2, box: 16}\n", ["seed"] = "seed: 1000\n" },
            ["yaml"] = yaml.ToString(),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }
}

/// <summary>A temporary folder removed when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sweeplab-reports-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
