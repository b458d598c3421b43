using System.Globalization;

namespace SweepLab.Reports;

/// <summary>Mean, sample standard deviation (n - 1) and 95% confidence half-width of the mean (Student's t; both NaN
/// below two values) of one metric over a configuration's seeds.</summary>
public readonly record struct MetricStats(double Mean, double Std, int Count)
{
    public static readonly MetricStats Empty = new(double.NaN, double.NaN, 0);

    /// <summary>Half-width of the mean's 95% confidence interval, t(0.975, n - 1) s / sqrt(n); NaN below two values.</summary>
    public double Ci95 => Count < 2 ? double.NaN : SweepLab.Core.Statistics.SeedSpread.TQuantile95(Count) * Std / Math.Sqrt(Count);

    /// <summary>Over the finite values only (a metric a run could not compute, such as a convergence iteration it
    /// never reached, is NaN and left out).</summary>
    public static MetricStats Of(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return Empty;
        double mean = finite.Average();
        return new MetricStats(mean, SweepLab.Core.Statistics.SeedSpread.SampleStandardDeviation(finite), finite.Length);
    }

    /// <summary>"0.482 ± 0.013" (mean ± standard deviation; spread omitted below two values).</summary>
    public string Format(string format = "0.###") =>
        double.IsNaN(Mean) ? "n/a"
        : double.IsNaN(Std) ? Mean.ToString(format, CultureInfo.InvariantCulture)
        : $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Std.ToString(format, CultureInfo.InvariantCulture)}";

    /// <summary>"0.482 ± 0.032 (n = 3)": mean ± 95% confidence half-width, with the number of seeds.</summary>
    public string FormatInterval(string format = "0.###") =>
        double.IsNaN(Mean) ? "n/a"
        : double.IsNaN(Std) ? $"{Mean.ToString(format, CultureInfo.InvariantCulture)} (n = {Count})"
        : $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Ci95.ToString(format, CultureInfo.InvariantCulture)} (n = {Count})";
}

/// <summary>
/// One configuration summarised over its seeds: every final metric's mean and spread over finished (complete or
/// pruned) runs, the probability of collapse, the seeds' agreement, and whether it counts as stable.
/// </summary>
/// <param name="PCollapsed">Fraction of finished runs with collapsed == 1; NaN when none finished.</param>
/// <param name="Agreement">Mean pairwise agreement (ARI) between seeds from stability.csv; NaN when absent.</param>
/// <param name="Stable">At least <see cref="ReportOptions.MinSeedsForStability"/> finished runs, none collapsed,
/// and the split ratio's standard deviation across seeds below <see cref="ReportOptions.StableSplitStd"/>.</param>
/// <param name="Rank">1-based position in <see cref="SweepSummary.Ranked"/>.</param>
/// <param name="Healthy">No collapsed run, the smallest class at least <see cref="ReportOptions.MinClassFraction"/> on
/// average, and the seeds agreeing at least <see cref="ReportOptions.MinAgreement"/> (when agreement is known).</param>
public sealed record ConfigSummary(
    string ConfigId,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyList<RunRow> Runs,
    int Finished,
    int Failed,
    IReadOnlyDictionary<string, MetricStats> Metrics,
    double PCollapsed,
    double Agreement,
    bool Stable,
    int Rank,
    bool Healthy = true)
{
    public MetricStats Stat(string metric) => Metrics.TryGetValue(metric, out var s) ? s : MetricStats.Empty;
}

/// <summary>
/// A sweep's configurations, summarised and ranked by <see cref="RankingRule"/>: healthy configurations (no collapse,
/// smallest class above the floor, seeds agreeing) always before the others; among each, with ground truth by mean
/// accuracy, then agreement; without, by stability (stable first, lower collapse probability, lower split-ratio
/// spread, higher agreement, higher mean split ratio). Config id breaks ties, so the order is the same every time.
/// NaN sorts last in every key.
/// </summary>
public sealed class SweepSummary
{
    public const string SplitRatio = "split_ratio";
    public const string Collapsed = "collapsed";
    public const string Accuracy = "accuracy";
    public const string MeanEss = "mean_ess";
    public const string SmallestClass = "smallest_class_fraction";

    /// <summary>The ranking rule in words, as the report states it above the ranked table.</summary>
    public string RankingRule =>
        string.Create(CultureInfo.InvariantCulture, $"Ranking: configurations with a collapsed run, a smallest class below {Options.MinClassFraction:0.###} of the particles on average, ")
        + string.Create(CultureInfo.InvariantCulture, $"or seeds agreeing less than {Options.MinAgreement:0.##} (mean pairwise ARI) are never ranked above healthy ones. ")
        + (Sweep.HasTruth
            ? "Within each group, with ground truth: higher mean accuracy first, then higher agreement, then stability."
            : "Within each group, without ground truth: stable first, then lower P(collapse), lower split-ratio spread across seeds, higher agreement, higher mean split ratio.");

    public SweepOutput Sweep { get; }
    public ReportOptions Options { get; }

    /// <summary>Configurations in first-appearance (plan) order.</summary>
    public IReadOnlyList<ConfigSummary> Configs { get; }

    /// <summary>Configurations in rank order.</summary>
    public IReadOnlyList<ConfigSummary> Ranked { get; }

    /// <summary>The varying settings that take more than one value among the runs, most values first.</summary>
    public IReadOnlyList<SweepAxis> Axes { get; }

    public SweepSummary(SweepOutput sweep, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        Sweep = sweep;
        Options = options ?? new ReportOptions();
        var groups = sweep.Runs.GroupBy(r => r.ConfigId, StringComparer.Ordinal).ToList();
        var unranked = groups.Select(g => Summarise(g.Key, g.ToList())).ToList();
        bool truth = sweep.HasTruth;
        var order = unranked
            .OrderBy(c => c.Healthy ? 0 : 1)
            .ThenBy(c => truth ? NaNLast(-c.Stat(Accuracy).Mean) : 0)
            .ThenBy(c => truth ? NaNLast(-c.Agreement) : 0)
            .ThenBy(c => c.Stable ? 0 : 1)
            .ThenBy(c => NaNLast(c.PCollapsed))
            .ThenBy(c => NaNLast(c.Stat(SplitRatio).Std))
            .ThenBy(c => NaNLast(-c.Agreement))
            .ThenBy(c => NaNLast(-c.Stat(SplitRatio).Mean))
            .ThenBy(c => c.ConfigId, StringComparer.Ordinal)
            .Select((c, i) => c with { Rank = i + 1 })
            .ToList();
        var byId = order.ToDictionary(c => c.ConfigId, StringComparer.Ordinal);
        Ranked = order;
        Configs = unranked.Select(c => byId[c.ConfigId]).ToList();
        Axes = SweepAxis.FromRuns(sweep.Info.Varying, sweep.Runs);
    }

    private static double NaNLast(double v) => double.IsNaN(v) ? double.PositiveInfinity : v;

    private ConfigSummary Summarise(string configId, List<RunRow> runs)
    {
        var finished = runs.Where(r => r.Finished).ToList();
        var metrics = new Dictionary<string, MetricStats>(StringComparer.Ordinal);
        foreach (string m in Sweep.MetricNames) metrics[m] = MetricStats.Of(finished.Select(r => r.Metric(m)));
        var flags = finished.Select(r => r.Metric(Collapsed)).Where(double.IsFinite).ToArray();
        double pCollapsed = flags.Length > 0 ? flags.Count(f => f == 1) / (double)flags.Length : double.NaN;
        double agreement = Sweep.Agreement.TryGetValue(configId, out double a) ? a : double.NaN;
        var split = metrics.TryGetValue(SplitRatio, out var s) ? s : MetricStats.Empty;
        bool stable = finished.Count >= Options.MinSeedsForStability && pCollapsed == 0
            && split.Count >= Options.MinSeedsForStability && split.Std < Options.StableSplitStd;
        double smallest = metrics.TryGetValue(SmallestClass, out var sc) ? sc.Mean : double.NaN;
        bool healthy = !(pCollapsed > 0) && !(smallest < Options.MinClassFraction) && !(agreement < Options.MinAgreement);
        return new ConfigSummary(configId, runs[0].Settings, runs, finished.Count, runs.Count - finished.Count,
            metrics, pCollapsed, agreement, stable, 0, healthy);
    }
}

/// <summary>A swept setting and its values in display order (numeric when every value parses, else ordinal).</summary>
public sealed record SweepAxis(string Name, IReadOnlyList<string> Values)
{
    public static IReadOnlyList<SweepAxis> FromRuns(IReadOnlyList<string> varying, IReadOnlyList<RunRow> runs) =>
        varying
            .Select(name => new SweepAxis(name, SortValues(runs.Select(r => r.Settings.TryGetValue(name, out var v) ? v : "").Distinct(StringComparer.Ordinal))))
            .Where(a => a.Values.Count > 1)
            .Select((a, i) => (Axis: a, Index: i))
            .OrderByDescending(p => p.Axis.Values.Count).ThenBy(p => p.Index)
            .Select(p => p.Axis)
            .ToList();

    public static IReadOnlyList<string> SortValues(IEnumerable<string> values)
    {
        var list = values.ToList();
        bool numeric = list.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        return numeric
            ? list.OrderBy(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(v => v, StringComparer.Ordinal).ToList()
            : list.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>True when every value is a number (the axis can be drawn on a numeric scale).</summary>
    public bool IsNumeric => Values.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
}
