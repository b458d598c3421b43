using System.Globalization;
using System.Text;
using SweepLab.Reports.Charts;
using SweepLab.Reports.Html;

namespace SweepLab.Reports;

/// <summary>A built report: the page, what it holds, and the Markdown summary that goes beside it.</summary>
public sealed record SweepReport(string Html, string Markdown, IReadOnlyList<ChartInfo> Charts, SweepSummary Summary);

/// <summary>
/// The report of one sweep folder: split-ratio (and accuracy) maps, the stability map with the stable region
/// outlined, ESS distributions, convergence curves with schedule switch points, parallel coordinates of all runs,
/// the ranked table with the YAML that reproduces each configuration, and central slices of the best runs' maps;
/// for adaptive searches, their own sections after the overview (<see cref="SearchSections"/>). Every section adapts to two or more, one, or no varying settings, and to sweeps without truth.
/// </summary>
public static class ReportBuilder
{
    public static string Build(string sweepDir, ReportOptions? options = null) => BuildReport(sweepDir, options).Html;

    public static SweepReport BuildReport(string sweepDir, ReportOptions? options = null) =>
        BuildReport(SweepOutput.Load(sweepDir), options);

    public static SweepReport BuildReport(SweepOutput sweep, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        options ??= new ReportOptions();
        options.Validate();
        var summary = new SweepSummary(sweep, options);
        var doc = new HtmlDocument($"SweepLab report: {sweep.Info.Name}");
        var grid = new AxisGrid(summary.Axes, summary.Configs);

        Overview(doc, summary, grid);
        SearchSections.Boundary(doc, summary);
        SearchSections.Halving(doc, summary);
        SplitMaps(doc, summary, grid);
        StabilityMaps(doc, summary, grid);
        EssSection(doc, summary);
        ConvergenceSection(doc, summary);
        ParallelSection(doc, summary);
        BaselineSection.Html(doc, summary);
        RankedSection(doc, summary);
        SlicesSection(doc, summary);

        return new SweepReport(doc.Render(), MarkdownSummary.Write(summary), doc.Charts, summary);
    }

    /// <summary>"class_similarity=0.1, batch_size_per_class=5000": the varying settings of a configuration.</summary>
    public static string Label(SweepSummary summary, ConfigSummary config)
    {
        var varying = summary.Sweep.Info.Varying;
        if (varying.Count == 0) return $"configuration {config.ConfigId}";
        return string.Join(", ", varying.Select(v => $"{v}={(config.Settings.TryGetValue(v, out var s) ? s : "")}"));
    }

    /// <summary>"0.1 · 5000 · off": the varying settings' values only, for dense axes.</summary>
    public static string CompactLabel(SweepSummary summary, ConfigSummary config)
    {
        var varying = summary.Sweep.Info.Varying;
        if (varying.Count == 0) return config.ConfigId;
        return string.Join(" · ", varying.Select(v => config.Settings.TryGetValue(v, out var s) ? s : ""));
    }

    private static string F(double v, string format = "0.###") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);

    private static void Overview(HtmlDocument doc, SweepSummary summary, AxisGrid grid)
    {
        var sweep = summary.Sweep;
        var o = summary.Options;
        doc.Section("overview", "Overview");
        var facts = new StringBuilder("<dl class=\"facts\">\n");
        void Fact(string name, string value) => facts.Append($"<dt>{HtmlDocument.Text(name)}</dt><dd>{HtmlDocument.Text(value)}</dd>\n");
        Fact("sweep", sweep.Info.Name);
        Fact("folder", Path.GetFullPath(sweep.Directory));
        Fact("runs", $"{sweep.Runs.Count} ({sweep.Runs.Count(r => r.Status == RunStatus.Complete)} complete, {sweep.Runs.Count(r => r.Status == RunStatus.Pruned)} pruned, {sweep.Runs.Count(r => r.Status == RunStatus.Failed)} failed)");
        Fact("configurations", $"{summary.Configs.Count}, {summary.Configs.Count(c => c.Stable)} stable");
        Fact("varying settings", summary.Axes.Count == 0 ? "none" : string.Join("; ", summary.Axes.Select(a => $"{a.Name}: {string.Join(", ", a.Values)}")));
        Fact("ground truth", sweep.HasTruth ? "yes (accuracy, ARI)" : "no");
        if (sweep.Info.Search is { } search && !search.IsGrid)
            Fact("search", search.IsBoundary
                ? string.Create(CultureInfo.InvariantCulture, $"boundary: bisects {search.Axis} over [{search.Low}, {search.High}] to {search.Tolerance} for where '{search.Outcome}' flips, per configuration and seed (each evaluated point is a configuration below)")
                : $"successive halving on {search.BudgetSetting} = {string.Join(", ", search.Rungs ?? [])}, by {(search.Maximize ? "highest" : "lowest")} mean {search.Metric}, eta {search.Eta} (each rung's runs are configurations below)");
        Fact("stable means", string.Create(CultureInfo.InvariantCulture,
            $"at least {o.MinSeedsForStability} finished seeds, no collapse in any seed, and split-ratio standard deviation across seeds below {o.StableSplitStd}"));
        Fact("plotly.js", $"{HtmlDocument.PlotlyVersion}, embedded (the page works offline)");
        doc.Raw(facts.Append("</dl>").ToString());
        if (grid.Averaged.Count > 0)
            doc.Paragraph($"Maps show {grid.X!.Name} and {grid.Y!.Name}, one panel per {grid.Facet!.Name}; each cell averages over {string.Join(", ", grid.Averaged.Select(a => a.Name))}.", "note");
        if (sweep.Runs.Count(r => r.Finished) == 0)
            doc.Paragraph("No run finished: every run of this sweep failed, so there is nothing to plot.", "warning");
    }

    private static double MeanOf(IReadOnlyList<ConfigSummary> cell, Func<ConfigSummary, double> f)
    {
        var values = cell.Select(f).Where(double.IsFinite).ToArray();
        return values.Length > 0 ? values.Average() : double.NaN;
    }

    private static void SplitMaps(HtmlDocument doc, SweepSummary summary, AxisGrid grid)
    {
        doc.Section("split", summary.Sweep.HasTruth ? "Split ratio and accuracy" : "Split ratio");
        doc.Paragraph("Split ratio = smallest over largest class fraction (hard): 1 is an even split, 0 a collapse. Each cell is the mean over seeds (hover for the spread).", "note");
        var panels = MetricMaps.FacetPanels(grid);
        doc.Chart(MetricMaps.Draw(new MapSpec("Split ratio (mean over seeds)", "split ratio", "Viridis", 0, 1,
            c => MeanOf(c, k => k.Stat(SweepSummary.SplitRatio).Mean), c => MeanOf(c, k => k.Stat(SweepSummary.SplitRatio).Std)),
            grid.X, grid.Y, panels, 3));
        if (summary.Sweep.HasTruth && summary.Sweep.Runs.Select(r => r.Metric("oracle_accuracy")).FirstOrDefault(double.IsFinite) is double oracle && oracle > 0)
            doc.Paragraph(string.Create(CultureInfo.InvariantCulture,
                $"Ceiling: the oracle (each particle to the nearest true map at its true pose) reaches accuracy {oracle:0.0000} on this data; a run at the oracle cannot be improved by any setting."), "note");
        if (summary.Sweep.HasTruth)
            doc.Chart(MetricMaps.Draw(new MapSpec("Accuracy against the truth (mean over seeds)", "accuracy", "Viridis", 0, 1,
                c => MeanOf(c, k => k.Stat(SweepSummary.Accuracy).Mean), c => MeanOf(c, k => k.Stat(SweepSummary.Accuracy).Std)),
                grid.X, grid.Y, panels, 3));
    }

    private static void StabilityMaps(HtmlDocument doc, SweepSummary summary, AxisGrid grid)
    {
        var o = summary.Options;
        doc.Section("stability", "Stability across seeds");
        int stable = summary.Configs.Count(c => c.Stable);
        doc.Paragraph(string.Create(CultureInfo.InvariantCulture,
            $"{stable} of {summary.Configs.Count} configurations are stable (outlined in green): no seed collapsed and the split ratio's standard deviation across seeds is below {o.StableSplitStd}."), stable == 0 ? "warning" : "note");
        var panels = MetricMaps.FacetPanels(grid);
        Func<IReadOnlyList<ConfigSummary>, bool> allStable = c => c.All(k => k.Stable);
        doc.Chart(MetricMaps.Draw(new MapSpec("Probability of collapse across seeds", "P(collapse)", "Reds", 0, 1,
            c => MeanOf(c, k => k.PCollapsed), null, allStable), grid.X, grid.Y, panels, 3));
        double maxStd = summary.Configs.Select(c => c.Stat(SweepSummary.SplitRatio).Std).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        doc.Chart(MetricMaps.Draw(new MapSpec("Split-ratio spread across seeds (standard deviation)", "split std", "YlOrRd", 0,
            Math.Max(2 * o.StableSplitStd, maxStd), c => MeanOf(c, k => k.Stat(SweepSummary.SplitRatio).Std), null, allStable, ReverseScale: true),
            grid.X, grid.Y, panels, 3));
        if (summary.Sweep.Agreement.Count > 0)
            doc.Chart(MetricMaps.Draw(new MapSpec("Agreement between seeds (mean pairwise ARI of assignments)", "agreement", "Viridis", 0, 1,
                c => MeanOf(c, k => k.Agreement), null, allStable), grid.X, grid.Y, panels, 3));
    }

    private static void EssSection(HtmlDocument doc, SweepSummary summary)
    {
        doc.Section("ess", "ESS distributions");
        doc.Paragraph("Per-particle ESS = 1 / sum_k p_k^2, the effective number of classes a particle is spread over (1 = assigned to one class, K = spread evenly). Final histograms of all seeds of a configuration, summed.", "note");
        var rows = new List<(string, double[], int)>();
        bool compact = summary.Configs.Count > summary.Options.EssLinesLimit;
        foreach (var config in summary.Ranked)
        {
            double[]? sum = null;
            int classes = 0;
            foreach (var run in config.Runs.Where(r => r.Finished))
            {
                var detail = summary.Sweep.Detail(run.RunId);
                if (detail is null || detail.EssHistogram.Count == 0) continue;
                sum ??= new double[detail.EssHistogram.Count];
                if (sum.Length != detail.EssHistogram.Count) continue;
                for (int b = 0; b < sum.Length; b++) sum[b] += detail.EssHistogram[b];
                classes = Math.Max(classes, ClassesOf(config, detail));
            }
            if (sum is null || classes < 2) continue;
            double total = sum.Sum();
            if (total <= 0) continue;
            rows.Add(($"#{config.Rank} {(compact ? CompactLabel(summary, config) : Label(summary, config))}", sum.Select(v => v / total).ToArray(), classes));
        }
        // A row per configuration stays readable up to EssRowsLimit rows; beyond, the best- and worst-ranked are drawn.
        var shown = BestThenWorst(rows, summary.Options.EssRowsLimit);
        var figure = RunCharts.Ess(shown, summary.Options.EssLinesLimit, compact && summary.Sweep.Info.Varying.Count > 0 ? string.Join(" · ", summary.Sweep.Info.Varying) : "configuration");
        string which = shown.Count < rows.Count
            ? $"{shown.Count} of {rows.Count} configurations: the best-ranked first, then the worst-ranked (every configuration's ESS is in its runs' result.json)"
            : "Configurations";
        if (figure is null) doc.Paragraph("No run folder holds a result.json with an ESS histogram.", "warning");
        else doc.Chart(figure, $"{which} in rank order (#1 = best-ranked; the ranking rule is stated above the ranked table).");
    }

    private static int ClassesOf(ConfigSummary config, RunDetail detail) =>
        detail.ClassFractionsHard.Count > 0 ? detail.ClassFractionsHard.Count
        : config.Settings.TryGetValue("classes", out var k) && int.TryParse(k, CultureInfo.InvariantCulture, out int n) ? n : 0;

    /// <summary>The best-ranked two thirds of the budget, then the worst-ranked rest (the failures are instructive).</summary>
    internal static IReadOnlyList<ConfigSummary> ConvergencePicks(SweepSummary summary)
    {
        var withCurves = summary.Ranked.Where(c => c.Runs.Any(r => summary.Sweep.Iterations.ContainsKey(r.RunId))).ToList();
        return BestThenWorst(withCurves, summary.Options.ConvergenceConfigs);
    }

    /// <summary>Of a ranked list, the best-ranked two thirds of <paramref name="budget"/>, then the worst-ranked rest, in rank order.</summary>
    internal static IReadOnlyList<T> BestThenWorst<T>(IReadOnlyList<T> ranked, int budget)
    {
        budget = Math.Min(budget, ranked.Count);
        int best = (2 * budget + 2) / 3;
        var picks = ranked.Take(best).ToList();
        picks.AddRange(ranked.Skip(best).Reverse().Take(budget - best).Reverse());
        return picks;
    }

    private static void ConvergenceSection(HtmlDocument doc, SweepSummary summary)
    {
        doc.Section("convergence", "Convergence");
        var picks = ConvergencePicks(summary);
        if (picks.Count == 0)
        {
            doc.Paragraph("iterations.csv holds no per-iteration metrics.", "warning");
            return;
        }
        doc.Paragraph($"Curves of {picks.Count} of {summary.Configs.Count} configurations: the best-ranked first, then the worst-ranked. Line dash = seed, colour = class. Dotted vertical lines mark schedule switches (learning-rate half-lives, similarity annealing, hard classification on/off).", "note");
        foreach (var config in picks)
        {
            var runs = config.Runs.Where(r => summary.Sweep.Iterations.ContainsKey(r.RunId)).OrderBy(r => r.Repeat)
                .Select(r => summary.Sweep.Iterations[r.RunId]).ToList();
            doc.Chart(RunCharts.Convergence(config, $"#{config.Rank} {Label(summary, config)}", runs),
                $"p(collapse) {F(config.PCollapsed)}, split ratio {config.Stat(SweepSummary.SplitRatio).Format()}{(config.Stable ? ", stable" : "")}.");
        }
    }

    private static void ParallelSection(HtmlDocument doc, SweepSummary summary)
    {
        doc.Section("parallel", "All runs");
        string[] metrics = [SweepSummary.SplitRatio, SweepSummary.MeanEss, SweepSummary.Accuracy, "ari", "convergence_iteration", SweepSummary.Collapsed];
        var figure = RunCharts.Parallel(summary.Axes, summary.Sweep.Runs, metrics.Where(m => summary.Sweep.MetricNames.Contains(m)).ToList());
        if (figure is null) doc.Paragraph("No finished run to show.", "warning");
        else doc.Chart(figure, "One line per finished run; colour = split ratio. Runs missing a shown metric (e.g. never converged) are left out.");
    }

    /// <summary>Export files of a configuration (written beside the report by the CLI: exports/CONFIG.cryosparc.txt and
    /// .relion.sh), linked when present.</summary>
    private static string ExportLinks(SweepSummary summary, ConfigSummary c)
    {
        var links = new List<string>();
        foreach (var (suffix, label) in new[] { (".cryosparc.txt", "cryoSPARC"), (".relion.sh", "RELION") })
        {
            string relative = $"exports/{c.ConfigId}{suffix}";
            if (File.Exists(Path.Combine(summary.Sweep.Directory, relative)))
                links.Add($"<a href=\"{HtmlDocument.Text(relative)}\">{label}</a>");
        }
        return links.Count == 0 ? "" : " (export: " + string.Join(", ", links) + ")";
    }

    private static void RankedSection(HtmlDocument doc, SweepSummary summary)
    {
        doc.Section("ranked", summary.Sweep.HasTruth ? "Best settings" : "Most stable settings");
        doc.Paragraph(summary.RankingRule, "note");
        bool truth = summary.Sweep.HasTruth;
        var varying = summary.Sweep.Info.Varying;
        var html = new StringBuilder("<table>\n<tr><th>rank</th><th>stable</th><th>healthy</th><th class=\"text\">config</th>");
        foreach (var v in varying) html.Append($"<th class=\"text\">{HtmlDocument.Text(v)}</th>");
        html.Append("<th>seeds</th><th>P(collapse)</th><th>split ratio</th><th>mean ESS</th>");
        if (truth) html.Append("<th>accuracy</th><th>ARI</th>");
        html.Append("<th>agreement</th><th>converged at</th></tr>\n");
        var shown = summary.Ranked.Take(summary.Options.RankedRows).ToList();
        foreach (var c in shown)
        {
            html.Append(c.Stable ? "<tr class=\"stable\">" : "<tr>");
            html.Append($"<td>{c.Rank}</td><td>{(c.Stable ? "yes" : "no")}</td><td>{(c.Healthy ? "yes" : "no")}</td><td class=\"text\">{HtmlDocument.Text(c.ConfigId)}</td>");
            foreach (var v in varying) html.Append($"<td class=\"text\">{HtmlDocument.Text(c.Settings.TryGetValue(v, out var s) ? s : "")}</td>");
            html.Append($"<td>{c.Finished}/{c.Runs.Count}</td><td>{F(c.PCollapsed)}</td><td>{HtmlDocument.Text(c.Stat(SweepSummary.SplitRatio).FormatInterval())}</td>");
            html.Append($"<td>{HtmlDocument.Text(c.Stat(SweepSummary.MeanEss).Format("0.##"))}</td>");
            if (truth) html.Append($"<td>{HtmlDocument.Text(c.Stat(SweepSummary.Accuracy).FormatInterval())}</td><td>{HtmlDocument.Text(c.Stat("ari").Format())}</td>");
            html.Append($"<td>{F(c.Agreement)}</td><td>{HtmlDocument.Text(c.Stat("convergence_iteration").Format("0"))}</td></tr>\n");
        }
        html.Append("</table>");
        doc.Raw(html.ToString());
        doc.Paragraph($"Top {shown.Count} of {summary.Configs.Count} configurations. Split ratio and accuracy: mean ± half-width of the 95% confidence interval of the mean over the seeds (Student's t, n seeds). "
            + "Each sweep file below reruns one (same dataset, settings and seeds): save it and run `sweeplab run FILE`; "
            + "`sweeplab export DIR --rank N --to cryosparc|relion` (or the export files linked) gives its settings for cryoSPARC's 3D Classification or RELION's Class3D.", "note");
        var yaml = new StringBuilder();
        foreach (var c in shown)
            yaml.Append($"<details><summary>#{c.Rank} {HtmlDocument.Text(Label(summary, c))}{ExportLinks(summary, c)}</summary>\n<pre>{HtmlDocument.Text(ReproduceYaml.For(summary.Sweep.Info, c))}</pre></details>\n");
        doc.Raw(yaml.ToString());
    }

    private static void SlicesSection(HtmlDocument doc, SweepSummary summary)
    {
        doc.Section("maps", "Class maps of the best-ranked runs");
        int shown = 0;
        foreach (var config in summary.Ranked)
        {
            if (shown >= summary.Options.SliceRuns) break;
            var run = config.Runs.Where(r => r.Finished).OrderBy(r => r.Repeat).FirstOrDefault(r => summary.Sweep.ClassMaps(r.RunId).Count > 0);
            if (run is null) continue;
            var maps = summary.Sweep.ClassMaps(run.RunId);
            string fractions = summary.Sweep.Detail(run.RunId) is { ClassFractionsHard.Count: > 0 } d
                ? " (class fractions " + string.Join(", ", d.ClassFractionsHard.Select(f => F(f, "0.000"))) + ")" : "";
            doc.Chart(RunCharts.Slices($"#{config.Rank} {Label(summary, config)}: run {run.RunId}, seed {run.Seed}", maps, summary.Options.MaxSlicePixels),
                $"Central sections of {maps.Count} class maps{fractions}; each map scaled to zero mean and unit standard deviation, grey scale ±3σ.");
            shown++;
        }
        if (shown == 0) doc.Paragraph("No run folder holds class maps (class_001.mrc ...).", "warning");
    }
}
