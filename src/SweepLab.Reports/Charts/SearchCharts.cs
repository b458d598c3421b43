using System.Globalization;
using SweepLab.Reports.Html;

namespace SweepLab.Reports.Charts;

/// <summary>One evaluated point of a boundary line: the axis value, the outcome metric there, and the run.</summary>
internal sealed record LinePoint(double X, double Y, string RunId);

/// <summary>A boundary configuration as charted: its label and, per line (seed), the line and its evaluated points.</summary>
internal sealed record BoundaryPanel(string Label, IReadOnlyList<(BoundaryLine Line, IReadOnlyList<LinePoint> Points)> Lines);

/// <summary>Charts of the adaptive searches: where a boundary lies across seeds, and halving's rungs.</summary>
internal static class SearchCharts
{
    private static Dictionary<string, object> Title(string text) => new() { ["text"] = text };

    private static string SeedColour(int repeat) => RunCharts.Palette[repeat % RunCharts.Palette.Length];

    private static string N(double v) => double.IsFinite(v) ? v.ToString("0.#####", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>
    /// The edge per configuration and seed: one marker per found line at its estimate, with the bracket [low, high] as
    /// an asymmetric horizontal error bar, configurations on the y axis, one trace (colour) per seed. Null when no line
    /// found an edge.
    /// </summary>
    public static Figure? Edges(string axis, IReadOnlyList<BoundaryPanel> panels, double low, double high)
    {
        var found = panels.SelectMany(p => p.Lines.Where(l => l.Line.Found).Select(l => (p.Label, l.Line))).ToList();
        if (found.Count == 0) return null;
        var labels = panels.Where(p => p.Lines.Any(l => l.Line.Found)).Select(p => p.Label).Distinct(StringComparer.Ordinal).ToList();
        var rowOf = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var repeats = found.Select(f => f.Line.Repeat).Distinct().Order().ToList();
        // Each seed sits a little above or below its configuration's row, so seeds at the same estimate stay apart.
        double Offset(int repeat) => repeats.Count < 2 ? 0 : -0.3 + 0.6 * repeats.IndexOf(repeat) / (repeats.Count - 1);
        int plotPixels = Math.Min(46 * labels.Count, 3000);
        var figure = new Figure($"Where the outcome flips: {axis}, per configuration and seed", 200 + plotPixels);
        foreach (var seedGroup in found.GroupBy(f => f.Line.Repeat).OrderBy(g => g.Key))
        {
            var rows = seedGroup.ToList();
            var x = rows.Select(r => r.Line.Estimate).ToArray();
            var y = rows.Select(r => rowOf[r.Label] + Offset(seedGroup.Key)).ToArray();
            figure.Add(Traces.Scatter(x, y, $"seed {rows[0].Line.Seed}", "markers"), "scatter", new Dictionary<string, object?>
            {
                ["x"] = Figure.Clean(x, 8),
                ["y"] = Figure.Clean(y),
                ["mode"] = "markers",
                ["marker"] = new Dictionary<string, object> { ["color"] = SeedColour(seedGroup.Key), ["size"] = 9, ["symbol"] = "diamond" },
                ["error_x"] = new Dictionary<string, object>
                {
                    ["type"] = "data", ["symmetric"] = false, ["visible"] = true, ["thickness"] = 2, ["width"] = 4,
                    ["color"] = SeedColour(seedGroup.Key),
                    ["array"] = Figure.Clean(rows.Select(r => r.Line.High - r.Line.Estimate), 8),
                    ["arrayminus"] = Figure.Clean(rows.Select(r => r.Line.Estimate - r.Line.Low), 8),
                },
                ["name"] = $"seed {rows[0].Line.Seed}",
                ["text"] = rows.Select(r => Figure.Escape($"{r.Label}<br>seed {r.Line.Seed}: edge in [{N(r.Line.Low)}, {N(r.Line.High)}], estimate {N(r.Line.Estimate)}")).ToArray(),
                ["hovertemplate"] = "%{text}<extra></extra>",
            });
        }
        figure.Layout["xaxis"] = new Dictionary<string, object> { ["title"] = Title(axis), ["range"] = new[] { low, high }, ["zeroline"] = false };
        var (ticks, texts) = TickLabels.Every(labels, TickLabels.Step(labels.Count, plotPixels));
        figure.Layout["yaxis"] = new Dictionary<string, object>
        {
            ["tickvals"] = ticks, ["ticktext"] = texts.Select(Figure.Escape).ToArray(),
            ["range"] = new[] { labels.Count - 0.5, -0.5 }, ["automargin"] = true, ["zeroline"] = false,
        };
        return figure;
    }

    /// <summary>
    /// The outcome metric at every evaluated point, one panel per configuration (x = the searched axis, one trace per
    /// seed with its points joined in axis order), the outcome's threshold as a dashed line and each seed's estimate
    /// as a dotted vertical line in the seed's colour. Null when no panel has a point.
    /// </summary>
    public static Figure? Outcomes(string axis, string metric, double? threshold, IReadOnlyList<BoundaryPanel> panels, double low, double high)
    {
        var shown = panels.Where(p => p.Lines.Any(l => l.Points.Count > 0)).ToList();
        if (shown.Count == 0) return null;
        int columns = Math.Min(3, shown.Count);
        int rows = (shown.Count + columns - 1) / columns;
        var figure = new Figure($"{metric} at every evaluated {axis}, per configuration (colour = seed)", 90 + rows * 300);
        var axes = figure.Grid(shown.Count, columns, shown.Select(p => p.Label).ToList(), 0.07, Math.Min(0.16, 0.5 / rows));
        var legend = new HashSet<int>();
        for (int p = 0; p < shown.Count; p++)
        {
            var (xa, ya) = Figure.AxisIds(p);
            axes[p].X["range"] = new[] { low - 0.02 * (high - low), high + 0.02 * (high - low) };
            axes[p].X["title"] = Title(axis);
            axes[p].Y["title"] = Title(metric);
            foreach (var (line, points) in shown[p].Lines)
            {
                if (points.Count == 0) continue;
                var ordered = points.OrderBy(q => q.X).ToList();
                string colour = SeedColour(line.Repeat);
                var x = ordered.Select(q => q.X).ToArray();
                var y = ordered.Select(q => q.Y).ToArray();
                figure.Add(Traces.Scatter(x, y, $"seed {line.Seed}", "lines+markers"), "scatter", new Dictionary<string, object?>
                {
                    ["x"] = Figure.Clean(x, 8),
                    ["y"] = Figure.Clean(y),
                    ["mode"] = "lines+markers",
                    ["line"] = new Dictionary<string, object> { ["color"] = colour, ["width"] = 1 },
                    ["marker"] = new Dictionary<string, object> { ["color"] = colour, ["size"] = 6 },
                    ["xaxis"] = xa, ["yaxis"] = ya,
                    ["legendgroup"] = $"seed {line.Repeat}",
                    ["showlegend"] = legend.Add(line.Repeat),
                    ["text"] = ordered.Select(q => Figure.Escape($"seed {line.Seed}, run {q.RunId}")).ToArray(),
                    ["hovertemplate"] = $"%{{text}}<br>{Figure.Escape(axis)} = %{{x}}<br>{Figure.Escape(metric)} = %{{y:.4g}}<extra></extra>",
                });
                if (line.Found)
                    figure.Shapes.Add(new Dictionary<string, object>
                    {
                        ["type"] = "line", ["xref"] = xa, ["yref"] = $"{ya} domain", ["x0"] = line.Estimate, ["x1"] = line.Estimate, ["y0"] = 0, ["y1"] = 1,
                        ["line"] = new Dictionary<string, object> { ["color"] = colour, ["width"] = 1, ["dash"] = "dot" },
                    });
            }
            if (threshold is double t)
                figure.Shapes.Add(new Dictionary<string, object>
                {
                    ["type"] = "line", ["xref"] = $"{xa} domain", ["yref"] = ya, ["x0"] = 0, ["x1"] = 1, ["y0"] = t, ["y1"] = t,
                    ["line"] = new Dictionary<string, object> { ["color"] = "#6b7280", ["width"] = 1, ["dash"] = "dash" },
                });
        }
        return figure;
    }

    /// <summary>
    /// Successive halving rung by rung: x = the budget of each rung, y = a configuration's score there, one line per
    /// configuration (the best-placed first, at most <paramref name="limit"/>); a filled circle where it was promoted
    /// or reached the last rung, a cross where it stopped. Null when no rung has a score.
    /// </summary>
    public static Figure? Rungs(string budgetSetting, string metric, IReadOnlyList<(string Label, IReadOnlyList<HalvingRow> Rows)> configurations, int limit)
    {
        var drawn = configurations.Where(c => c.Rows.Any(r => double.IsFinite(r.Score))).Take(limit).ToList();
        if (drawn.Count == 0) return null;
        int lastRung = configurations.SelectMany(c => c.Rows).Max(r => r.Rung);
        var figure = new Figure($"Successive halving: mean {metric} over seeds at each rung ({budgetSetting})", 460);
        for (int i = 0; i < drawn.Count; i++)
        {
            var (label, rows) = drawn[i];
            var ordered = rows.OrderBy(r => r.Rung).ToList();
            var x = ordered.Select(r => (double)r.Budget).ToArray();
            var y = ordered.Select(r => r.Score).ToArray();
            string colour = RunCharts.Palette[i % RunCharts.Palette.Length];
            figure.Add(Traces.Scatter(x, y, label, "lines+markers"), "scatter", new Dictionary<string, object?>
            {
                ["y"] = Figure.Clean(y),
                ["mode"] = "lines+markers",
                ["line"] = new Dictionary<string, object> { ["color"] = colour, ["width"] = 1.5 },
                ["marker"] = new Dictionary<string, object>
                {
                    ["color"] = colour, ["size"] = 9,
                    ["symbol"] = ordered.Select(r => r.Promoted || r.Rung == lastRung ? "circle" : "x").ToArray(),
                },
                ["text"] = ordered.Select(r => Figure.Escape(
                    $"{label}<br>rung {r.Rung + 1}, {budgetSetting} = {r.Budget}: {metric} {N(r.Score)}" +
                    (r.Eligible ? $", rank {r.Rank}" : ", not ranked (a seed failed, was pruned or has no value)") +
                    (r.Promoted ? ", promoted" : r.Rung == lastRung ? "" : ", stopped here"))).ToArray(),
                ["hovertemplate"] = "%{text}<extra></extra>",
            });
        }
        figure.Layout["xaxis"] = new Dictionary<string, object>
        {
            ["title"] = Title(budgetSetting), ["type"] = "log",
            ["tickvals"] = configurations.SelectMany(c => c.Rows).Select(r => r.Budget).Distinct().Order().ToArray(),
        };
        figure.Layout["yaxis"] = new Dictionary<string, object> { ["title"] = Title($"mean {metric}") };
        return figure;
    }
}
