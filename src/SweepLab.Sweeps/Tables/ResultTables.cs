using SweepLab.Core.Statistics;
using SweepLab.Core.IO;
using System.Globalization;
using CsvHelper;

namespace SweepLab.Sweeps;

/// <summary>Choices for the derived tables.</summary>
public sealed record ResultTableOptions
{
    /// <summary>Metrics summarised per configuration in stability.csv; null takes every final metric.</summary>
    public IReadOnlyList<string>? StabilityMetrics { get; init; }

    /// <summary>A 0/1 metric whose probability of being 1 stability.csv reports as <c>p_&lt;name&gt;</c>; null for none.</summary>
    public string? FlagMetric { get; init; } = "collapsed";

    /// <summary>
    /// Agreement between two finished runs of one configuration, given their folders (for example the adjusted Rand
    /// index between their particle assignments); stability.csv reports its mean over all pairs. Null for none.
    /// </summary>
    public Func<string, string, double>? Agreement { get; init; }

    /// <summary>The column of the mean pairwise agreement.</summary>
    public string AgreementColumn { get; init; } = "mean_pairwise_agreement";

    /// <summary>
    /// Final or iteration metrics left out of every table, such as wall times, which differ between identical runs
    /// and would stop a resumed sweep's tables from matching an uninterrupted one byte for byte.
    /// </summary>
    public IReadOnlyCollection<string> ExcludedMetrics { get; init; } = [];
}

/// <summary>
/// CSV tables derived from the store (never the source of truth; rebuild them any time). Rows follow the given run
/// order (plan order), cells are culture-invariant (reals in shortest round-trip form, NaN as "NaN"), records end
/// with LF and fields are quoted per RFC 4180 where needed, so a resumed sweep writes the same bytes as an
/// uninterrupted one.
/// <list type="bullet">
/// <item>results.csv: one row per finished or failed run: run_id, config_id, repeat, seed, status
/// (complete | pruned | failed), pruned_at_iteration, every setting, every final metric. Runs never started are
/// left out. A name that clashes with an earlier column gets a prefix (setting_ or metric_).</item>
/// <item>iterations.csv: long format, one row per reported value: run_id, iteration, metric, value.</item>
/// <item>stability.csv: one row per configuration: config_id, its settings, runs (finished), failed, then for each
/// summarised metric &lt;m&gt;_mean, &lt;m&gt;_std (sample standard deviation) and &lt;m&gt;_ci95 (half-width of the 95%
/// confidence interval of the mean, Student's t; both empty below two runs), p_&lt;flag&gt;,
/// and the mean pairwise agreement.</item>
/// </list>
/// </summary>
public static class ResultTables
{
    private static readonly CsvWriterOptions CsvOptions = CsvWriterOptions.Default with { NewLine = "\n" };

    private sealed record Row(RunSpec Run, RunState State, RunRecord? Record);

    /// <summary>Writes results.csv, iterations.csv and stability.csv, plus boundary.csv or halving.csv for those searches,
    /// as one set: all of them or none (a full disk left results.csv without the others).</summary>
    public static void Write(string directory, StudyResult study, RunStore store, ResultTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        var files = Tables(directory, study.Runs, store, options);
        if (study.Boundary is { } boundary) files.Add((Path.Combine(directory, "boundary.csv"), BoundaryCsv(boundary.Lines, boundary.Axis)));
        if (study.Halving is { } halving) files.Add((Path.Combine(directory, "halving.csv"), HalvingCsv(halving.Entries)));
        AtomicFile.WriteSet(files);
    }

    /// <summary>Writes results.csv, iterations.csv and stability.csv for these runs, as one set.</summary>
    public static void Write(string directory, IReadOnlyList<RunSpec> runs, RunStore store, ResultTableOptions? options = null) =>
        AtomicFile.WriteSet(Tables(directory, runs, store, options));

    private static List<(string Path, byte[] Bytes)> Tables(string directory, IReadOnlyList<RunSpec> runs, RunStore store, ResultTableOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new ResultTableOptions();
        var rows = Load(runs, store);
        return
        [
            (Path.Combine(directory, "results.csv"), ResultsCsv(rows, options)),
            (Path.Combine(directory, "iterations.csv"), IterationsCsv(rows, options)),
            (Path.Combine(directory, "stability.csv"), StabilityCsv(rows, store, options)),
        ];
    }

    private static List<Row> Load(IReadOnlyList<RunSpec> runs, RunStore store)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(store);
        var rows = new List<Row>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            if (!seen.Add(run.RunId)) continue;
            var record = store.TryLoad(run.RunId);
            var state = record is null ? store.GetState(run.RunId) : record.Outcome == RunOutcome.Complete ? RunState.Complete : RunState.Pruned;
            if (state is RunState.Complete or RunState.Pruned or RunState.Failed) rows.Add(new Row(run, state, record));
        }
        return rows;
    }

    public static byte[] ResultsCsv(IReadOnlyList<RunSpec> runs, RunStore store, ResultTableOptions? options = null) =>
        ResultsCsv(Load(runs, store), options ?? new ResultTableOptions());

    public static byte[] IterationsCsv(IReadOnlyList<RunSpec> runs, RunStore store, ResultTableOptions? options = null) =>
        IterationsCsv(Load(runs, store), options ?? new ResultTableOptions());

    public static byte[] StabilityCsv(IReadOnlyList<RunSpec> runs, RunStore store, ResultTableOptions? options = null) =>
        StabilityCsv(Load(runs, store), store, options ?? new ResultTableOptions());

    private static byte[] ResultsCsv(List<Row> rows, ResultTableOptions options)
    {
        string[] fixedColumns = ["run_id", "config_id", "repeat", "seed", "status", "pruned_at_iteration"];
        var settingNames = Union(rows.Select(r => r.Run.Settings.Keys));
        var metricNames = Union(rows.Where(r => r.Record is not null).Select(r => r.Record!.FinalMetrics.Keys))
            .Where(m => !options.ExcludedMetrics.Contains(m)).ToList();
        var header = Header(fixedColumns, settingNames, metricNames);
        return Csv(header, rows.Select(row =>
        {
            var cells = new List<string>(header.Length)
            {
                row.Run.RunId, row.Run.ConfigId, Integer(row.Run.RepeatIndex), Integer(row.Run.Seed),
                row.State switch { RunState.Complete => "complete", RunState.Pruned => "pruned", _ => "failed" },
                row.Record?.PrunedAtIteration is int at ? Integer(at) : "",
            };
            cells.AddRange(settingNames.Select(s => row.Run.Settings.TryGetValue(s, out var v) ? v.CanonicalText : ""));
            cells.AddRange(metricNames.Select(m => row.Record is not null && row.Record.FinalMetrics.TryGetValue(m, out double v) ? Real(v) : ""));
            return cells.ToArray();
        }));
    }

    private static byte[] IterationsCsv(List<Row> rows, ResultTableOptions options)
    {
        IEnumerable<string[]> Records()
        {
            foreach (var row in rows)
            {
                if (row.Record is null) continue;
                foreach (var iteration in row.Record.Iterations)
                    foreach (var (metric, value) in iteration.Metrics)
                        if (!options.ExcludedMetrics.Contains(metric))
                            yield return [row.Run.RunId, Integer(iteration.Iteration), metric, Real(value)];
            }
        }
        return Csv(["run_id", "iteration", "metric", "value"], Records());
    }

    private static byte[] StabilityCsv(List<Row> rows, RunStore store, ResultTableOptions options)
    {
        var configs = rows.GroupBy(r => r.Run.ConfigId, StringComparer.Ordinal).ToList();
        var settingNames = Union(rows.Select(r => r.Run.Settings.Keys));
        var metrics = (options.StabilityMetrics ?? Union(rows.Where(r => r.Record is not null).Select(r => r.Record!.FinalMetrics.Keys)))
            .Where(m => !options.ExcludedMetrics.Contains(m)).ToList();
        var fixedColumns = new List<string> { "config_id" };
        var summaryColumns = new List<string> { "runs", "failed" };
        foreach (var m in metrics) summaryColumns.AddRange([$"{m}_mean", $"{m}_std", $"{m}_ci95"]);
        if (options.FlagMetric is not null) summaryColumns.Add($"p_{options.FlagMetric}");
        if (options.Agreement is not null) summaryColumns.Add(options.AgreementColumn);
        var header = Header(fixedColumns.ToArray(), settingNames, summaryColumns);

        return Csv(header, configs.Select(group =>
        {
            var finished = group.Where(r => r.Record is not null).ToList();
            var settings = group.First().Run.Settings;
            var cells = new List<string> { group.Key };
            cells.AddRange(settingNames.Select(s => settings.TryGetValue(s, out var v) ? v.CanonicalText : ""));
            cells.Add(Integer(finished.Count));
            cells.Add(Integer(group.Count(r => r.State == RunState.Failed)));
            foreach (var m in metrics)
            {
                var values = finished.Where(r => r.Record!.FinalMetrics.ContainsKey(m)).Select(r => r.Record!.FinalMetrics[m]).ToArray();
                cells.Add(values.Length > 0 ? Real(values.Average()) : "");
                cells.Add(values.Length > 1 ? Real(SeedSpread.SampleStandardDeviation(values)) : "");
                cells.Add(values.Length > 1 ? Real(SeedSpread.ConfidenceHalfWidth95(values)) : "");
            }
            if (options.FlagMetric is { } flag)
            {
                var values = finished.Where(r => r.Record!.FinalMetrics.ContainsKey(flag)).Select(r => r.Record!.FinalMetrics[flag]).ToArray();
                cells.Add(values.Length > 0 ? Real(values.Count(v => v == 1) / (double)values.Length) : "");
            }
            if (options.Agreement is { } agreement)
            {
                var folders = finished.Select(r => store.RunDirectory(r.Run.RunId)).ToArray();
                double sum = 0;
                int pairs = 0;
                for (int i = 0; i < folders.Length; i++)
                    for (int j = i + 1; j < folders.Length; j++, pairs++) sum += agreement(folders[i], folders[j]);
                cells.Add(pairs > 0 ? Real(sum / pairs) : "");
            }
            return cells.ToArray();
        }));
    }

    /// <summary>boundary.csv: one row per (configuration, repeat) line of a boundary search: the bracket, the estimate
    /// (found lines only), the outcome at each side and the runs evaluated there.</summary>
    public static byte[] BoundaryCsv(IReadOnlyList<BoundaryResult> lines, string axis = "")
    {
        ArgumentNullException.ThrowIfNull(lines);
        var settingNames = Union(lines.Select(l => l.Configuration.Keys));
        string[] fixedColumns = ["config_id", "repeat", "seed"];
        string[] resultColumns = ["status", "axis", "low", "high", "estimate", "outcome_at_low", "outcome_at_high", "evaluations", "low_run_id", "high_run_id"];
        var header = Header(fixedColumns, settingNames, resultColumns);
        return Csv(header, lines.Select(l =>
        {
            var cells = new List<string> { l.ConfigId, Integer(l.RepeatIndex), Integer(l.Seed) };
            cells.AddRange(settingNames.Select(s => l.Configuration.TryGetValue(s, out var v) ? v.CanonicalText : ""));
            cells.AddRange([
                l.Status.ToString().ToLowerInvariant() switch { "noflip" => "no_flip", var s => s }, axis,
                Real(l.Low), Real(l.High), l.Status == BoundaryStatus.Found ? Real(l.Estimate) : "",
                Flag(l.OutcomeAtLow), Flag(l.OutcomeAtHigh), Integer(l.Evaluations), l.LowRunId ?? "", l.HighRunId ?? "",
            ]);
            return cells.ToArray();
        }));
    }

    /// <summary>halving.csv: one row per (configuration, rung) of successive halving; runs_config_id is the config id of
    /// that rung's runs in results.csv (the configuration with the budget setting).</summary>
    public static byte[] HalvingCsv(IReadOnlyList<HalvingEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var settingNames = Union(entries.Select(e => e.Configuration.Keys));
        string[] resultColumns = ["rung", "budget", "score", "eligible", "rank", "promoted", "runs_config_id"];
        var header = Header(["config_id"], settingNames, resultColumns);
        return Csv(header, entries.Select(e =>
        {
            var cells = new List<string> { e.ConfigId };
            cells.AddRange(settingNames.Select(s => e.Configuration.TryGetValue(s, out var v) ? v.CanonicalText : ""));
            cells.AddRange([Integer(e.Rung), Integer(e.Budget), double.IsNaN(e.Score) ? "" : Real(e.Score), Flag(e.Eligible),
                e.Rank > 0 ? Integer(e.Rank) : "", Flag(e.Promoted), e.RunsConfigId]);
            return cells.ToArray();
        }));
    }

    /// <summary>Names in order of first appearance.</summary>
    private static List<string> Union(IEnumerable<IEnumerable<string>> lists)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var list in lists)
            foreach (var name in list)
                if (seen.Add(name)) names.Add(name);
        return names;
    }

    /// <summary>The header; a setting that clashes with a fixed column, or a later name with any earlier one, gets a prefix.</summary>
    private static string[] Header(IReadOnlyList<string> fixedColumns, IReadOnlyList<string> settings, IReadOnlyList<string> trailing)
    {
        var used = new HashSet<string>(fixedColumns, StringComparer.Ordinal);
        var header = new List<string>(fixedColumns);
        foreach (var s in settings) header.Add(used.Add(s) ? s : Unique(used, "setting_" + s));
        foreach (var m in trailing) header.Add(used.Add(m) ? m : Unique(used, "metric_" + m));
        return header.ToArray();
    }

    private static string Unique(HashSet<string> used, string name)
    {
        string candidate = name;
        for (int i = 2; !used.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    private static byte[] Csv(string[] header, IEnumerable<string[]> records)
    {
        using var buffer = new MemoryStream();
        using (var writer = CsvWriter.Create(buffer, CsvOptions, leaveOpen: true))
        {
            writer.WriteRecord(header);
            foreach (var record in records) writer.WriteRecord(record);
        }
        return buffer.ToArray();
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shortest text that reads back to the same double; NaN and infinities as "NaN", "Infinity", "-Infinity".</summary>
    internal static string Real(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Flag(bool? value) => value switch { true => "true", false => "false", null => "" };

}
