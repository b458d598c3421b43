using System.Globalization;
using System.Text;
using SweepLab.Reports.Charts;
using SweepLab.Reports.Html;
using SweepLab.Sweeps;

namespace SweepLab.Reports;

/// <summary>A boundary-search configuration's edge summarised over its seeds.</summary>
/// <param name="Label">The configuration's varying settings other than the searched axis.</param>
/// <param name="Estimates">Estimates of the lines that found an edge, in repeat order.</param>
public sealed record EdgeSummary(
    string Axis,
    string ConfigId,
    string Label,
    IReadOnlyList<BoundaryLine> Lines,
    IReadOnlyList<double> Estimates)
{
    public int Found => Estimates.Count;
    public int NoFlip => Lines.Count(l => l.Status == "no_flip");
    public int Failed => Lines.Count(l => l.Status == "failed");
    public int Unfinished => Lines.Count(l => l.Status == "incomplete");

    /// <summary>Mean and sample standard deviation of the estimates across seeds.</summary>
    public MetricStats Edge => MetricStats.Of(Estimates);

    /// <summary>Largest minus smallest estimate across seeds (NaN without two).</summary>
    public double Range => Estimates.Count > 1 ? Estimates.Max() - Estimates.Min() : double.NaN;

    /// <summary>The widest final bracket among the found lines.</summary>
    public double WidestBracket => Lines.Where(l => l.Found).Select(l => l.High - l.Low).DefaultIfEmpty(double.NaN).Max();

    /// <summary>Lines whose outcome did not flip, by the outcome they had at both ends ("false at both ends: 5").</summary>
    public string NoFlipOutcomes => string.Join("; ", Lines.Where(l => l.Status == "no_flip").GroupBy(l => l.OutcomeAtLow)
        .Select(g => $"{(g.Key is bool b ? b ? "true" : "false" : "n/a")} at both ends: {g.Count()}"));

    /// <summary>
    /// Edges per configuration, in the order configurations first appear in boundary.csv. The label names the settings
    /// of <paramref name="varying"/> that differ between configurations, the searched axis left out.
    /// </summary>
    public static IReadOnlyList<EdgeSummary> Of(IReadOnlyList<BoundaryLine> lines, IReadOnlyList<string> varying)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(varying);
        return lines.GroupBy(l => (l.Axis, l.ConfigId)).Select(g =>
        {
            var first = g.First();
            var shown = varying.Where(v => v != first.Axis && first.Settings.ContainsKey(v)).ToList();
            string label = shown.Count == 0 ? "all runs" : string.Join(", ", shown.Select(v => $"{v}={first.Settings[v]}"));
            var ordered = g.OrderBy(l => l.Repeat).ToList();
            return new EdgeSummary(first.Axis, first.ConfigId, label, ordered, ordered.Where(l => l.Found && double.IsFinite(l.Estimate)).Select(l => l.Estimate).ToList());
        }).ToList();
    }
}

/// <summary>
/// The report's sections for adaptive searches: for a boundary search, one section per searched axis (the edge per
/// configuration and seed, the outcome at every evaluated point, a table of edges with their spread across seeds,
/// and links and sweep files for both sides of every bracket); for successive halving, the rungs (who was promoted,
/// on what score, at what budget) and the final ranking.
/// </summary>
internal static class SearchSections
{
    /// <summary>Configurations drawn in the outcome panels at most (the table lists them all).</summary>
    public const int OutcomePanels = 12;

    /// <summary>Configurations drawn in the rung chart at most.</summary>
    public const int RungLines = 40;

    private static string F(double v, string format = "0.####") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string T(string s) => HtmlDocument.Text(s);

    public static void Boundary(HtmlDocument doc, SweepSummary summary)
    {
        var sweep = summary.Sweep;
        if (sweep.Boundary is not { Count: > 0 } lines) return;
        var search = sweep.Info.Search;
        var edges = EdgeSummary.Of(lines, sweep.Info.Varying);
        foreach (var axisEdges in edges.GroupBy(e => e.Axis))
        {
            string axis = axisEdges.Key;
            var configs = axisEdges.ToList();
            var axisLines = configs.SelectMany(e => e.Lines).ToList();
            double low = search?.Axis == axis && double.IsFinite(search.Low) ? search.Low : axisLines.Min(l => l.Low);
            double high = search?.Axis == axis && double.IsFinite(search.High) ? search.High : axisLines.Max(l => l.High);
            string outcome = search?.Outcome ?? "the outcome";
            doc.Section($"boundary-{Slug(axis)}", $"Edge in {axis} (boundary search)");
            int found = axisLines.Count(l => l.Found);
            doc.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"Bisection of {axis} over [{F(low)}, {F(high)}]{(search is { Tolerance: var tol } && double.IsFinite(tol) ? $" to a bracket of at most {F(tol)}" : "")}: where does '{outcome}' flip? " +
                $"{axisLines.Count} lines (configurations x seeds): {found} found an edge, {axisLines.Count(l => l.Status == "no_flip")} had the same outcome at both ends (no edge inside the range, or an even number of them), " +
                $"{axisLines.Count(l => l.Status == "failed")} failed, {axisLines.Count(l => l.Status == "incomplete")} unfinished; {axisLines.Sum(l => l.Evaluations)} evaluations."), "note");

            var panels = Panels(sweep, configs, search?.OutcomeMetric);
            var edgeChart = SearchCharts.Edges(axis, panels, low, high);
            if (edgeChart is null) doc.Paragraph($"No line found an edge: for every configuration and seed, '{outcome}' is the same at {F(low)} and {F(high)}.", "warning");
            else doc.Chart(edgeChart, "Diamond = the estimate (midpoint of the final bracket), bar = the bracket [low, high]; one colour per seed. Seeds that agree stack up; their spread is the width of the edge in practice.");

            string? metric = search?.OutcomeMetric;
            if (metric is not null && sweep.MetricNames.Contains(metric))
            {
                double? threshold = search?.Outcome is { } o && MetricPredicate.TryParse(o, out var predicate, out _) ? predicate!.Threshold : null;
                var shown = panels.Take(OutcomePanels).ToList();
                var outcomes = SearchCharts.Outcomes(axis, metric, threshold, shown, low, high);
                if (outcomes is not null)
                    doc.Chart(outcomes, $"Every evaluated point{(panels.Count > shown.Count ? $" of the first {shown.Count} of {panels.Count} configurations" : "")}: the bisection's points crowd around each seed's edge (dotted line). Dashed: the outcome's threshold.");
            }

            EdgeTable(doc, configs);
            LineDetails(doc, sweep, configs);
        }
    }

    /// <summary>Each configuration's lines with the runs evaluated on them (from results.csv).</summary>
    private static List<BoundaryPanel> Panels(SweepOutput sweep, IReadOnlyList<EdgeSummary> configs, string? metric)
    {
        var panels = new List<BoundaryPanel>();
        foreach (var config in configs)
        {
            var lines = new List<(BoundaryLine, IReadOnlyList<LinePoint>)>();
            foreach (var line in config.Lines)
            {
                var points = new List<LinePoint>();
                if (metric is not null)
                    foreach (var run in sweep.Runs)
                    {
                        if (run.Repeat != line.Repeat || !run.Finished || !OnLine(run, line)) continue;
                        if (!run.Settings.TryGetValue(line.Axis, out var text) || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double x)) continue;
                        double y = run.Metric(metric);
                        if (double.IsFinite(y)) points.Add(new LinePoint(x, y, run.RunId));
                    }
                lines.Add((line, points));
            }
            panels.Add(new BoundaryPanel(config.Label, lines));
        }
        return panels;
    }

    /// <summary>A run belongs to a line when every setting of the line's configuration matches (the axis aside).</summary>
    private static bool OnLine(RunRow run, BoundaryLine line)
    {
        foreach (var (key, value) in line.Settings)
            if (key != line.Axis && (run.Settings.TryGetValue(key, out var v) ? v : "") != value) return false;
        return true;
    }

    private static void EdgeTable(HtmlDocument doc, IReadOnlyList<EdgeSummary> configs)
    {
        var html = new StringBuilder("<table class=\"numbers\">\n<tr><th class=\"text\">configuration</th><th>lines</th><th>found</th><th>edge (mean ± SD over seeds)</th><th>min - max</th><th>spread (max - min)</th><th>widest bracket</th><th class=\"text\">per seed</th><th class=\"text\">no flip</th><th>failed / unfinished</th></tr>\n");
        foreach (var e in configs)
        {
            var perSeed = string.Join(" / ", e.Lines.Select(l => l.Found ? F(l.Estimate) : l.Status == "no_flip" ? "none" : l.Status));
            html.Append($"<tr><td class=\"text\">{T(e.Label)}</td><td>{e.Lines.Count}</td><td>{e.Found}</td><td>{T(e.Edge.Format("0.####"))}</td>");
            html.Append($"<td>{(e.Found > 0 ? $"{F(e.Estimates.Min())} - {F(e.Estimates.Max())}" : "n/a")}</td><td>{F(e.Range)}</td><td>{F(e.WidestBracket)}</td>");
            html.Append($"<td class=\"text\">{T(perSeed)}</td><td class=\"text\">{T(e.NoFlipOutcomes)}</td><td>{e.Failed} / {e.Unfinished}</td></tr>\n");
        }
        doc.Raw(html.Append("</table>").ToString());
        doc.Paragraph("Edge = the midpoint of a line's final bracket; its spread across seeds is the width of the edge a user meets (a bracket is at most the tolerance wide, so a spread above it is the seeds disagreeing, not the search).", "note");
    }

    private static void LineDetails(HtmlDocument doc, SweepOutput sweep, IReadOnlyList<EdgeSummary> configs)
    {
        var html = new StringBuilder();
        foreach (var e in configs)
        {
            html.Append($"<details><summary>{T(e.Label)}: {e.Found} of {e.Lines.Count} seeds found an edge</summary>\n");
            html.Append("<table class=\"numbers\">\n<tr><th>seed</th><th class=\"text\">status</th><th>low</th><th>high</th><th>estimate</th><th>outcome low / high</th><th>evaluations</th><th class=\"text\">low side run</th><th class=\"text\">high side run</th></tr>\n");
            foreach (var l in e.Lines)
            {
                string Flag(bool? b) => b is bool v ? (v ? "true" : "false") : "n/a";
                html.Append($"<tr><td>{l.Seed}</td><td class=\"text\">{T(l.Status)}</td><td>{F(l.Low, "0.######")}</td><td>{F(l.High, "0.######")}</td><td>{(l.Found ? F(l.Estimate, "0.######") : "")}</td>");
                html.Append($"<td>{Flag(l.OutcomeAtLow)} / {Flag(l.OutcomeAtHigh)}</td><td>{l.Evaluations}</td><td class=\"text\">{RunLinks(sweep, l.LowRunId)}</td><td class=\"text\">{RunLinks(sweep, l.HighRunId)}</td></tr>\n");
            }
            html.Append("</table>\n");
            foreach (var l in e.Lines.Where(l => l.LowRunId.Length > 0 && l.HighRunId.Length > 0))
                html.Append($"<details><summary>sweep file for both sides of seed {l.Seed}'s bracket</summary>\n<pre>{T(ReproduceYaml.ForBracket(sweep.Info, l))}</pre></details>\n");
            html.Append("</details>\n");
        }
        doc.Raw(html.ToString());
        doc.Paragraph("Each side's run folder holds its particles.star (class assignments RELION and cryoSPARC import) and class maps; each sweep file reruns both sides of one bracket with the same data and seed: save it and run `sweeplab run FILE`.", "note");
    }

    /// <summary>Relative links to a run's folder and particles.star (the report sits in the sweep folder).</summary>
    private static string RunLinks(SweepOutput sweep, string runId)
    {
        if (runId.Length == 0) return "";
        string folder = $"{SweepOutput.RunsFolder}/{Uri.EscapeDataString(runId)}";
        bool star = File.Exists(Path.Combine(sweep.RunDirectory(runId), "particles.star"));
        return $"<a href=\"{folder}/\">{T(runId)}</a>" + (star ? $" (<a href=\"{folder}/particles.star\">particles.star</a>)" : "");
    }

    public static void Halving(HtmlDocument doc, SweepSummary summary)
    {
        var sweep = summary.Sweep;
        if (sweep.Halving is not { Count: > 0 } rows) return;
        var search = sweep.Info.Search;
        string budgetSetting = search?.BudgetSetting ?? "budget";
        string metric = search?.Metric ?? "score";
        int rungCount = search?.Rungs?.Count ?? rows.Max(r => r.Rung) + 1;
        var varying = sweep.Info.Varying.Where(v => v != budgetSetting).ToList();
        string Label(HalvingRow r)
        {
            var shown = varying.Where(r.Settings.ContainsKey).ToList();
            return shown.Count == 0 ? $"configuration {r.ConfigId}" : string.Join(", ", shown.Select(v => $"{v}={r.Settings[v]}"));
        }

        doc.Section("halving", "Successive halving");
        int reached = rows.Max(r => r.Rung) + 1;
        var configurations = rows.GroupBy(r => r.ConfigId)
            .Select(g => (Label: Label(g.First()), Rows: (IReadOnlyList<HalvingRow>)g.OrderBy(r => r.Rung).ToList()))
            .OrderByDescending(c => c.Rows.Max(r => r.Rung))
            .ThenBy(c => c.Rows[^1].Rank is > 0 and var k ? k : int.MaxValue)
            .ToList();
        doc.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"{configurations.Count} configurations; rung k runs every surviving configuration's seeds with {budgetSetting} = {(search?.Rungs is { } rungs ? string.Join(", ", rungs) : "the rung's budget")}, " +
            $"ranks them by the mean {metric} over seeds ({(search?.Maximize == false ? "lowest" : "highest")} first) and promotes the best 1/{(search?.Eta is > 0 and var eta ? eta : 3)}; " +
            $"a configuration with a failed, pruned or metric-less seed is not ranked. Reached rung {reached} of {rungCount}."), "note");
        var last = rows.Where(r => r.Rung == reached - 1).ToList();
        if (reached < rungCount && last.Any(r => r.Promoted))
            doc.Paragraph($"The search stopped at rung {reached} of {rungCount} (a budget or Ctrl-C); the same command continues it.", "warning");

        var chart = SearchCharts.Rungs(budgetSetting, metric, configurations, RungLines);
        if (chart is not null)
            doc.Chart(chart, $"One line per configuration{(configurations.Count > RungLines ? $" (the {RungLines} that went furthest)" : "")}: circle = promoted (or the last rung), cross = stopped there.");

        var html = new StringBuilder("<table class=\"numbers\">\n<tr><th>rung</th><th>" + T(budgetSetting) + "</th><th>configurations</th><th>ranked</th><th>promoted</th><th>best " + T(metric) + "</th><th>last promoted " + T(metric) + "</th></tr>\n");
        foreach (var rung in rows.GroupBy(r => r.Rung).OrderBy(g => g.Key))
        {
            var list = rung.ToList();
            var ranked = list.Where(r => r.Eligible && r.Rank > 0).OrderBy(r => r.Rank).ToList();
            var promoted = list.Where(r => r.Promoted).OrderBy(r => r.Rank).ToList();
            html.Append($"<tr><td>{rung.Key + 1}</td><td>{list[0].Budget}</td><td>{list.Count}</td><td>{ranked.Count}</td><td>{promoted.Count}</td>");
            html.Append($"<td>{(ranked.Count > 0 ? F(ranked[0].Score) : "n/a")}</td><td>{(promoted.Count > 0 ? F(promoted[^1].Score) : "n/a")}</td></tr>\n");
        }
        doc.Raw(html.Append("</table>").ToString());

        var details = new StringBuilder();
        foreach (var rung in rows.GroupBy(r => r.Rung).OrderBy(g => g.Key))
        {
            details.Append($"<details><summary>rung {rung.Key + 1}: {budgetSetting} = {rung.First().Budget}, {rung.Count(r => r.Promoted)} of {rung.Count()} promoted</summary>\n");
            details.Append($"<table class=\"numbers\">\n<tr><th>rank</th><th class=\"text\">configuration</th><th>{T(metric)}</th><th>ranked</th><th>promoted</th></tr>\n");
            foreach (var r in rung.OrderBy(r => r.Rank > 0 ? r.Rank : int.MaxValue))
                details.Append($"<tr><td>{(r.Rank > 0 ? r.Rank.ToString(CultureInfo.InvariantCulture) : "-")}</td><td class=\"text\">{T(Label(r))}</td><td>{F(r.Score)}</td><td>{(r.Eligible ? "yes" : "no")}</td><td>{(r.Promoted ? "yes" : "no")}</td></tr>\n");
            details.Append("</table></details>\n");
        }
        doc.Raw(details.ToString());

        // Final ranking: the last rung reached, best first, with the seeds' summary of those runs and a sweep file each.
        doc.Paragraph($"Final ranking (rung {reached}, {budgetSetting} = {last[0].Budget}):", null);
        bool truth = sweep.HasTruth;
        var byRunsConfig = summary.Configs.ToDictionary(c => c.ConfigId, StringComparer.Ordinal);
        var final = last.OrderBy(r => r.Rank > 0 ? r.Rank : int.MaxValue).ToList();
        var table = new StringBuilder($"<table class=\"numbers\">\n<tr><th>rank</th><th class=\"text\">configuration</th><th>{T(metric)}</th><th>seeds</th><th>P(collapse)</th><th>split ratio</th>{(truth ? "<th>accuracy</th>" : "")}</tr>\n");
        var yaml = new StringBuilder();
        foreach (var r in final)
        {
            byRunsConfig.TryGetValue(r.RunsConfigId, out var c);
            table.Append($"<tr><td>{(r.Rank > 0 ? r.Rank.ToString(CultureInfo.InvariantCulture) : "-")}</td><td class=\"text\">{T(Label(r))}</td><td>{F(r.Score)}</td>");
            table.Append($"<td>{(c is null ? "n/a" : $"{c.Finished}/{c.Runs.Count}")}</td><td>{(c is null ? "n/a" : F(c.PCollapsed, "0.###"))}</td><td>{T(c?.Stat(SweepSummary.SplitRatio).Format() ?? "n/a")}</td>");
            if (truth) table.Append($"<td>{T(c?.Stat(SweepSummary.Accuracy).Format() ?? "n/a")}</td>");
            table.Append("</tr>\n");
            if (c is not null && r.Rank is > 0 and <= 10)
                yaml.Append($"<details><summary>#{r.Rank} {T(Label(r))}: sweep file</summary>\n<pre>{T(ReproduceYaml.For(sweep.Info, c))}</pre></details>\n");
        }
        doc.Raw(table.Append("</table>").ToString());
        doc.Raw(yaml.ToString());
    }

    /// <summary>An id-safe form of a setting name.</summary>
    private static string Slug(string name) => new(name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray());
}
