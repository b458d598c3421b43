using System.Globalization;
using System.Text;

namespace SweepLab.Reports;

/// <summary>
/// summary.md: the ranked configurations and per-setting summaries as Markdown tables (GitHub / pandoc pipe tables),
/// for papers and notebooks. Numbers are culture-invariant.
/// </summary>
public static class MarkdownSummary
{
    /// <summary>Rows of the ranked table in summary.md.</summary>
    public const int RankedRows = 30;

    public static string Write(SweepSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var sweep = summary.Sweep;
        var o = summary.Options;
        var c = CultureInfo.InvariantCulture;
        bool truth = sweep.HasTruth;
        var md = new StringBuilder();
        md.Append($"# Sweep {Cell(sweep.Info.Name)}\n\n");
        md.Append(c, $"{sweep.Runs.Count} runs ({sweep.Runs.Count(r => r.Status == RunStatus.Complete)} complete, {sweep.Runs.Count(r => r.Status == RunStatus.Pruned)} pruned, {sweep.Runs.Count(r => r.Status == RunStatus.Failed)} failed) ");
        md.Append(c, $"in {summary.Configs.Count} configurations; {summary.Configs.Count(k => k.Stable)} stable ");
        md.Append(c, $"(at least {o.MinSeedsForStability} finished seeds, none collapsed, split-ratio standard deviation below {o.StableSplitStd}).\n\n");
        md.Append("Split ratio = smallest over largest class fraction; values are mean ± sample standard deviation over seeds.\n\n");

        SearchTables(md, summary);
        BaselineSection.Markdown(md, summary);

        md.Append("## Best settings\n\n").Append(summary.RankingRule).Append("\n\n");
        var header = new List<string> { "rank", "stable", "config" };
        header.AddRange(sweep.Info.Varying);
        header.AddRange(["seeds", "P(collapse)", "split ratio", "mean ESS"]);
        if (truth) header.AddRange(["accuracy", "ARI"]);
        header.Add("agreement");
        Row(md, header);
        Row(md, header.Select(_ => "---"));
        foreach (var k in summary.Ranked.Take(RankedRows))
        {
            var cells = new List<string> { k.Rank.ToString(c), k.Stable ? "yes" : "no", k.ConfigId };
            cells.AddRange(sweep.Info.Varying.Select(v => k.Settings.TryGetValue(v, out var s) ? s : ""));
            cells.AddRange([$"{k.Finished}/{k.Runs.Count}", Num(k.PCollapsed), k.Stat(SweepSummary.SplitRatio).Format(), k.Stat(SweepSummary.MeanEss).Format("0.##")]);
            if (truth) cells.AddRange([k.Stat(SweepSummary.Accuracy).Format(), k.Stat("ari").Format()]);
            cells.Add(Num(k.Agreement));
            Row(md, cells);
        }
        if (summary.Ranked.Count > RankedRows) md.Append(c, $"\n({summary.Ranked.Count - RankedRows} more configurations in stability.csv.)\n");
        md.Append('\n');

        foreach (var axis in summary.Axes)
        {
            md.Append($"## By {Cell(axis.Name)}\n\n");
            var h = new List<string> { axis.Name, "configs", "finished runs", "stable configs", "P(collapse)", "split ratio", "split std (mean)" };
            if (truth) h.Add("accuracy");
            Row(md, h);
            Row(md, h.Select(_ => "---"));
            foreach (string value in axis.Values)
            {
                var group = summary.Configs.Where(k => k.Settings.TryGetValue(axis.Name, out var s) && s == value).ToList();
                var runs = group.SelectMany(k => k.Runs).Where(r => r.Finished).ToList();
                var cells = new List<string>
                {
                    value, group.Count.ToString(c), runs.Count.ToString(c), group.Count(k => k.Stable).ToString(c),
                    Num(Mean(group.Select(k => k.PCollapsed))),
                    MetricStats.Of(runs.Select(r => r.Metric(SweepSummary.SplitRatio))).Format(),
                    Num(Mean(group.Select(k => k.Stat(SweepSummary.SplitRatio).Std))),
                };
                if (truth) cells.Add(MetricStats.Of(runs.Select(r => r.Metric(SweepSummary.Accuracy))).Format());
                Row(md, cells);
            }
            md.Append("\n(split ratio and accuracy here: mean ± standard deviation over all finished runs with this value.)\n\n");
        }
        return md.ToString();
    }

    /// <summary>The adaptive searches' results: edges per configuration with their spread over seeds; halving's final ranking.</summary>
    private static void SearchTables(StringBuilder md, SweepSummary summary)
    {
        var sweep = summary.Sweep;
        var c = CultureInfo.InvariantCulture;
        if (sweep.Boundary is { Count: > 0 } lines)
        {
            foreach (var axis in EdgeSummary.Of(lines, sweep.Info.Varying).GroupBy(e => e.Axis))
            {
                md.Append(c, $"## Edge in {Cell(axis.Key)} (boundary search{(sweep.Info.Search?.Outcome is { } o ? $": where '{Cell(o)}' flips" : "")})\n\n");
                string[] header = ["configuration", "lines", "found", "edge (mean ± SD)", "min", "max", "spread", "widest bracket", "per seed", "no flip", "failed/unfinished"];
                Row(md, header);
                Row(md, header.Select(_ => "---"));
                foreach (var e in axis)
                    Row(md, [e.Label, e.Lines.Count.ToString(c), e.Found.ToString(c), e.Edge.Format("0.####"),
                        e.Found > 0 ? Num4(e.Estimates.Min()) : "n/a", e.Found > 0 ? Num4(e.Estimates.Max()) : "n/a", Num4(e.Range), Num4(e.WidestBracket),
                        string.Join(" / ", e.Lines.Select(l => l.Found ? Num4(l.Estimate) : l.Status == "no_flip" ? "none" : l.Status)),
                        e.NoFlipOutcomes, $"{e.Failed}/{e.Unfinished}"]);
                md.Append('\n');
            }
        }
        if (sweep.Halving is { Count: > 0 } rows)
        {
            int last = rows.Max(r => r.Rung);
            string budget = sweep.Info.Search?.BudgetSetting ?? "budget";
            var varying = sweep.Info.Varying.Where(v => v != budget).ToList();
            md.Append(c, $"## Successive halving: final ranking (rung {last + 1}, {Cell(budget)} = {rows.First(r => r.Rung == last).Budget})\n\n");
            var header = new List<string> { "rank" };
            header.AddRange(varying);
            header.AddRange([sweep.Info.Search?.Metric ?? "score", "rungs survived"]);
            Row(md, header);
            Row(md, header.Select(_ => "---"));
            foreach (var r in rows.Where(r => r.Rung == last).OrderBy(r => r.Rank > 0 ? r.Rank : int.MaxValue))
            {
                var cells = new List<string> { r.Rank > 0 ? r.Rank.ToString(c) : "-" };
                cells.AddRange(varying.Select(v => r.Settings.TryGetValue(v, out var s) ? s : ""));
                cells.AddRange([Num4(r.Score), (last + 1).ToString(c)]);
                Row(md, cells);
            }
            md.Append('\n');
        }
    }

    private static string Num4(double v) => double.IsFinite(v) ? v.ToString("0.####", CultureInfo.InvariantCulture) : "n/a";

    private static double Mean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length > 0 ? finite.Average() : double.NaN;
    }

    private static string Num(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Row(StringBuilder md, IEnumerable<string> cells) =>
        md.Append("| ").Append(string.Join(" | ", cells.Select(Cell))).Append(" |\n");

    /// <summary>Escapes the pipe so a value cannot split a cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
