using System.Globalization;
using System.Text;
using SweepLab.Reports.Charts;
using SweepLab.Reports.Html;

namespace SweepLab.Reports;

/// <summary>One side of a comparison: a whole sweep, or the configurations of one sweep with one value of a setting.</summary>
public sealed record CompareSide(string Name, SweepSummary Summary, IReadOnlyList<ConfigSummary> Configs)
{
    public bool HasTruth => Configs.Any(c => double.IsFinite(c.Stat(SweepSummary.Accuracy).Mean));
}

/// <summary>A metric of a matched configuration on one side against the reference side (side 0).</summary>
/// <param name="Difference">Mean on this side minus mean on the reference side.</param>
/// <param name="StandardError">sqrt(s_a^2 / n_a + s_b^2 / n_b) from the seeds' sample standard deviations; NaN
/// when a side has fewer than two seeds.</param>
public sealed record MetricDifference(string Metric, MetricStats Reference, MetricStats Other, double Difference, double StandardError);

/// <summary>A configuration (its values of the key settings) found on every side.</summary>
public sealed record MatchedConfig(IReadOnlyDictionary<string, string> Key, IReadOnlyList<ConfigSummary> PerSide,
    IReadOnlyList<IReadOnlyList<MetricDifference>> DifferencesFromReference);

/// <summary>A built comparison: the page, its Markdown table, and what it matched.</summary>
public sealed record ComparisonReport(string Html, string Markdown, IReadOnlyList<ChartInfo> Charts, IReadOnlyList<CompareSide> Sides,
    IReadOnlyList<string> KeySettings, IReadOnlyList<MatchedConfig> Matched);

/// <summary>
/// Side-by-side reports: two (or more) sweep folders, or the groups of one sweep split by a setting (for example
/// <c>hard_classification</c>: soft-then-hard against hard-then-soft). Configurations are matched on the key
/// settings (those that vary on any side and exist on all sides, less the grouping setting); maps share axes and
/// colour scales across sides; a table gives each matched configuration's metric differences from the first side
/// with their standard errors across seeds.
/// </summary>
public static class CompareBuilder
{
    /// <summary>Metrics compared, in table order; p(collapse) is the mean of the 0/1 collapsed flag.</summary>
    public static readonly IReadOnlyList<(string Metric, string Label)> Metrics =
    [
        (SweepSummary.SplitRatio, "split ratio"),
        (SweepSummary.Collapsed, "P(collapse)"),
        (SweepSummary.MeanEss, "mean ESS"),
        (SweepSummary.Accuracy, "accuracy"),
        ("convergence_iteration", "converged at"),
    ];

    public static ComparisonReport CompareFolders(IReadOnlyList<string> sweepDirs, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sweepDirs);
        if (sweepDirs.Count < 2) throw new ArgumentException("compare needs at least two sweep folders", nameof(sweepDirs));
        options ??= new ReportOptions();
        var summaries = sweepDirs.Select(d => new SweepSummary(SweepOutput.Load(d), options)).ToList();
        var names = summaries.Select(s => s.Sweep.Info.Name).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() < names.Count)
            names = sweepDirs.Select(d => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() < names.Count)
            names = names.Select((n, i) => $"{(char)('A' + i % 26)}: {n}").ToList();
        var sides = summaries.Select((s, i) => new CompareSide(names[i], s, s.Configs)).ToList();
        var varying = summaries.SelectMany(s => s.Sweep.Info.Varying).Distinct(StringComparer.Ordinal);
        var keys = varying.Where(v => summaries.All(s => s.Sweep.Info.Settings.Contains(v))).ToList();
        return Build(sides, keys, $"SweepLab comparison: {string.Join(" vs ", names)}", options);
    }

    public static ComparisonReport CompareBySetting(string sweepDir, string setting, ReportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(setting);
        options ??= new ReportOptions();
        var summary = new SweepSummary(SweepOutput.Load(sweepDir), options);
        if (!summary.Sweep.Info.Settings.Contains(setting))
            throw new ArgumentException($"setting '{setting}' is not a setting of sweep '{summary.Sweep.Info.Name}' (its settings: {string.Join(", ", summary.Sweep.Info.Settings)})", nameof(setting));
        var values = SweepAxis.SortValues(summary.Configs.Select(c => c.Settings[setting]).Distinct(StringComparer.Ordinal));
        if (values.Count < 2)
            throw new ArgumentException($"setting '{setting}' takes one value ({values.FirstOrDefault()}) in sweep '{summary.Sweep.Info.Name}'; nothing to compare", nameof(setting));
        var sides = values.Select(v => new CompareSide($"{setting} = {v}", summary, summary.Configs.Where(c => c.Settings[setting] == v).ToList())).ToList();
        var keys = summary.Sweep.Info.Varying.Where(v => v != setting).ToList();
        return Build(sides, keys, $"SweepLab comparison: {summary.Sweep.Info.Name} by {setting}", options);
    }

    public static ComparisonReport Build(IReadOnlyList<CompareSide> sides, IReadOnlyList<string> keySettings, string title, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(sides);
        ArgumentNullException.ThrowIfNull(keySettings);
        ArgumentNullException.ThrowIfNull(options);
        var allRuns = sides.SelectMany(s => s.Configs.SelectMany(c => c.Runs)).ToList();
        var axes = SweepAxis.FromRuns(keySettings, allRuns);
        var grids = sides.Select(s => new AxisGrid(axes, s.Configs)).ToList();
        var matched = Match(sides, keySettings);
        bool truth = sides.All(s => s.HasTruth);

        var doc = new HtmlDocument(title);
        doc.Section("overview", "Overview");
        var overview = new StringBuilder("<table>\n<tr><th class=\"text\">side</th><th class=\"text\">sweep</th><th>configurations</th><th>finished runs</th><th>stable</th><th>P(collapse), mean</th><th>split ratio, mean</th></tr>\n");
        foreach (var s in sides)
            overview.Append($"<tr><td class=\"text\">{HtmlDocument.Text(s.Name)}</td><td class=\"text\">{HtmlDocument.Text(Path.GetFullPath(s.Summary.Sweep.Directory))}</td><td>{s.Configs.Count}</td><td>{s.Configs.Sum(c => c.Finished)}</td><td>{s.Configs.Count(c => c.Stable)}</td><td>{F(Mean(s.Configs.Select(c => c.PCollapsed)))}</td><td>{F(Mean(s.Configs.Select(c => c.Stat(SweepSummary.SplitRatio).Mean)))}</td></tr>\n");
        doc.Raw(overview.Append("</table>").ToString());
        doc.Paragraph(keySettings.Count == 0
            ? "No setting varies: each side is one configuration, compared directly."
            : $"Configurations are matched on {string.Join(", ", keySettings)}; {matched.Count} are present on every side.", "note");
        var facetValues = grids[0].FacetValues;
        if (grids[0].Averaged.Count > 0)
            doc.Paragraph($"Cells average over {string.Join(", ", grids[0].Averaged.Select(a => a.Name))}.", "note");

        doc.Section("maps", "Side by side");
        List<MapPanel> Panels() =>
            facetValues.SelectMany(f => sides.Select((s, i) => new MapPanel(
                grids[i].Facet is null ? s.Name : $"{s.Name}, {grids[i].Facet!.Name} = {f}", (x, y) => grids[i].At(x, y, f)))).ToList();
        Func<IReadOnlyList<ConfigSummary>, bool> allStable = c => c.All(k => k.Stable);
        doc.Chart(MetricMaps.Draw(new MapSpec("Split ratio (mean over seeds)", "split ratio", "Viridis", 0, 1,
            c => MeanOf(c, k => k.Stat(SweepSummary.SplitRatio).Mean), c => MeanOf(c, k => k.Stat(SweepSummary.SplitRatio).Std)),
            grids[0].X, grids[0].Y, Panels(), sides.Count));
        doc.Chart(MetricMaps.Draw(new MapSpec("Probability of collapse across seeds (stable cells outlined)", "P(collapse)", "Reds", 0, 1,
            c => MeanOf(c, k => k.PCollapsed), null, allStable), grids[0].X, grids[0].Y, Panels(), sides.Count));
        double maxStd = sides.SelectMany(s => s.Configs).Select(c => c.Stat(SweepSummary.SplitRatio).Std).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        doc.Chart(MetricMaps.Draw(new MapSpec("Split-ratio spread across seeds (standard deviation)", "split std", "YlOrRd", 0,
            Math.Max(2 * options.StableSplitStd, maxStd), c => MeanOf(c, k => k.Stat(SweepSummary.SplitRatio).Std), null, allStable, ReverseScale: true),
            grids[0].X, grids[0].Y, Panels(), sides.Count));
        if (truth)
            doc.Chart(MetricMaps.Draw(new MapSpec("Accuracy against the truth (mean over seeds)", "accuracy", "Viridis", 0, 1,
                c => MeanOf(c, k => k.Stat(SweepSummary.Accuracy).Mean), c => MeanOf(c, k => k.Stat(SweepSummary.Accuracy).Std)),
                grids[0].X, grids[0].Y, Panels(), sides.Count));
        if (grids[0].X is not null)
        {
            // Differences from the reference side, cell by cell, on a diverging scale centred on 0.
            var differencePanels = facetValues.SelectMany(f => Enumerable.Range(1, sides.Count - 1).Select(i => new MapPanel(
                grids[i].Facet is null ? $"{sides[i].Name} minus {sides[0].Name}" : $"{sides[i].Name} minus {sides[0].Name}, {grids[i].Facet!.Name} = {f}",
                (x, y) => grids[i].At(x, y, f).Count > 0 && grids[0].At(x, y, f).Count > 0 ? [.. grids[i].At(x, y, f), .. grids[0].At(x, y, f)] : []))).ToList();
            // A difference cell holds the other side's configurations followed by the reference side's.
            double Difference(IReadOnlyList<ConfigSummary> cell)
            {
                var reference = new HashSet<ConfigSummary>(sides[0].Configs, ReferenceEqualityComparer.Instance);
                var other = cell.Where(c => !reference.Contains(c)).ToList();
                var refs = cell.Where(reference.Contains).ToList();
                return MeanOf(other, k => k.Stat(SweepSummary.SplitRatio).Mean) - MeanOf(refs, k => k.Stat(SweepSummary.SplitRatio).Mean);
            }
            doc.Chart(MetricMaps.Draw(new MapSpec($"Split ratio difference from {sides[0].Name}", "Δ split ratio", "RdBu", -1, 1, Difference),
                grids[0].X, grids[0].Y, differencePanels, Math.Max(1, sides.Count - 1)));
        }

        doc.Section("differences", "Differences for matched configurations");
        doc.Raw(DifferenceTable(sides, keySettings, matched, truth));
        doc.Paragraph("Δ = other side minus the first side; ± is the standard error of the difference, sqrt(s_a²/n_a + s_b²/n_b), from the seeds' sample standard deviations (blank below two seeds). The last row averages over all matched configurations (± standard error of that mean).", "note");

        string markdown = Markdown(title, sides, keySettings, matched, truth);
        return new ComparisonReport(doc.Render(), markdown, doc.Charts, sides, keySettings, matched);
    }

    /// <summary>Writes the comparison to <paramref name="outPath"/> and its Markdown table beside it (same name, .md).</summary>
    public static void Write(ComparisonReport report, string outPath)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(outPath);
        ReportWriter.WriteText(outPath, report.Html);
        ReportWriter.WriteText(Path.ChangeExtension(outPath, ".md"), report.Markdown);
    }

    internal static List<MatchedConfig> Match(IReadOnlyList<CompareSide> sides, IReadOnlyList<string> keySettings)
    {
        string KeyOf(ConfigSummary c) => string.Join("\u001f", keySettings.Select(k => c.Settings.TryGetValue(k, out var v) ? v : ""));
        var lookups = sides.Select(s => s.Configs.GroupBy(KeyOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal)).ToList();
        var matched = new List<MatchedConfig>();
        foreach (var config in sides[0].Configs)
        {
            string key = KeyOf(config);
            if (!lookups.All(l => l.TryGetValue(key, out var list) && list.Count == 1)) continue;
            var perSide = lookups.Select(l => l[key][0]).ToList();
            var differences = perSide.Skip(1).Select(other => (IReadOnlyList<MetricDifference>)Metrics.Select(m => Differ(m.Metric, perSide[0], other)).ToList()).ToList();
            matched.Add(new MatchedConfig(keySettings.ToDictionary(k => k, k => config.Settings.TryGetValue(k, out var v) ? v : "", StringComparer.Ordinal), perSide, differences));
        }
        return matched;
    }

    internal static MetricDifference Differ(string metric, ConfigSummary reference, ConfigSummary other)
    {
        var a = reference.Stat(metric);
        var b = other.Stat(metric);
        double se = a.Count >= 2 && b.Count >= 2 ? Math.Sqrt(a.Std * a.Std / a.Count + b.Std * b.Std / b.Count) : double.NaN;
        return new MetricDifference(metric, a, b, b.Mean - a.Mean, se);
    }

    /// <summary>Mean difference over matched configurations, ± the standard error of that mean (s / sqrt(n)).</summary>
    internal static MetricStats MeanDifference(IEnumerable<MetricDifference> differences)
    {
        var s = MetricStats.Of(differences.Select(d => d.Difference));
        return s.Count >= 2 ? s with { Std = s.Std / Math.Sqrt(s.Count) } : s;
    }

    private static IEnumerable<(string Metric, string Label)> Shown(bool truth) =>
        Metrics.Where(m => truth || m.Metric != SweepSummary.Accuracy);

    private static string Diff(MetricDifference d) =>
        double.IsNaN(d.Difference) ? "n/a"
        : d.Difference.ToString("+0.###;-0.###;0", CultureInfo.InvariantCulture) + (double.IsNaN(d.StandardError) ? "" : " ± " + d.StandardError.ToString("0.###", CultureInfo.InvariantCulture));

    private static string DifferenceTable(IReadOnlyList<CompareSide> sides, IReadOnlyList<string> keys, List<MatchedConfig> matched, bool truth)
    {
        if (matched.Count == 0) return "<p class=\"warning\">No configuration is present on every side.</p>";
        var html = new StringBuilder();
        var shown = Shown(truth).ToList();
        for (int i = 1; i < sides.Count; i++)
        {
            html.Append($"<h3>{HtmlDocument.Text(sides[i].Name)} minus {HtmlDocument.Text(sides[0].Name)}</h3>\n");
            html.Append($"<p class=\"note\">A = {HtmlDocument.Text(sides[0].Name)}; B = {HtmlDocument.Text(sides[i].Name)}; Δ = B − A.</p>\n<table class=\"numbers\">\n<tr>");
            foreach (var k in keys) html.Append($"<th class=\"text\">{HtmlDocument.Text(k)}</th>");
            foreach (var (_, label) in shown) html.Append($"<th>{HtmlDocument.Text(label)}: A</th><th>B</th><th>Δ</th>");
            html.Append("</tr>\n");
            foreach (var m in matched)
            {
                html.Append("<tr>");
                foreach (var k in keys) html.Append($"<td class=\"text\">{HtmlDocument.Text(m.Key[k])}</td>");
                foreach (var d in m.DifferencesFromReference[i - 1].Where(d => shown.Any(s => s.Metric == d.Metric)))
                    html.Append($"<td>{HtmlDocument.Text(d.Reference.Format())}</td><td>{HtmlDocument.Text(d.Other.Format())}</td><td>{HtmlDocument.Text(Diff(d))}</td>");
                html.Append("</tr>\n");
            }
            html.Append($"<tr><th class=\"text\" colspan=\"{Math.Max(1, keys.Count)}\">mean over {matched.Count}</th>");
            foreach (var (metric, _) in shown)
            {
                var mean = MeanDifference(matched.Select(m => m.DifferencesFromReference[i - 1].Single(d => d.Metric == metric)));
                html.Append($"<td></td><td></td><th>{HtmlDocument.Text(double.IsNaN(mean.Mean) ? "n/a" : mean.Mean.ToString("+0.###;-0.###;0", CultureInfo.InvariantCulture) + (double.IsNaN(mean.Std) ? "" : " ± " + mean.Std.ToString("0.###", CultureInfo.InvariantCulture)))}</th>");
            }
            html.Append("</tr>\n</table>\n");
        }
        return html.ToString();
    }

    private static string Markdown(string title, IReadOnlyList<CompareSide> sides, IReadOnlyList<string> keys, List<MatchedConfig> matched, bool truth)
    {
        var md = new StringBuilder($"# {title}\n\n");
        foreach (var s in sides)
            md.Append(CultureInfo.InvariantCulture, $"- {s.Name}: {s.Configs.Count} configurations, {s.Configs.Sum(c => c.Finished)} finished runs, {s.Configs.Count(c => c.Stable)} stable\n");
        md.Append(CultureInfo.InvariantCulture, $"\nMatched on {(keys.Count == 0 ? "nothing (single configurations)" : string.Join(", ", keys))}: {matched.Count} configurations. Δ = side minus {sides[0].Name}, ± standard error across seeds.\n\n");
        var shown = Shown(truth).ToList();
        for (int i = 1; i < sides.Count && matched.Count > 0; i++)
        {
            md.Append($"## {sides[i].Name} minus {sides[0].Name}\n\n");
            var header = keys.Concat(shown.Select(s => "Δ " + s.Label)).ToList();
            md.Append("| ").Append(string.Join(" | ", header)).Append(" |\n");
            md.Append("| ").Append(string.Join(" | ", header.Select(_ => "---"))).Append(" |\n");
            foreach (var m in matched)
            {
                var cells = keys.Select(k => m.Key[k]).Concat(m.DifferencesFromReference[i - 1].Where(d => shown.Any(s => s.Metric == d.Metric)).Select(Diff));
                md.Append("| ").Append(string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal)))).Append(" |\n");
            }
            md.Append('\n');
        }
        return md.ToString();
    }

    private static double MeanOf(IReadOnlyList<ConfigSummary> cell, Func<ConfigSummary, double> f)
    {
        var values = cell.Select(f).Where(double.IsFinite).ToArray();
        return values.Length > 0 ? values.Average() : double.NaN;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length > 0 ? finite.Average() : double.NaN;
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.###", CultureInfo.InvariantCulture);
}
