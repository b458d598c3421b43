using System.Globalization;
using SweepLab.Reports.Html;

namespace SweepLab.Reports.Charts;

/// <summary>What a metric map shows for a cell (one or more configurations), and how.</summary>
/// <param name="Value">The cell's value; NaN for none.</param>
/// <param name="Spread">Shown after ± in the hover text and as error bars on one axis; null for none.</param>
/// <param name="Highlight">Cells to outline (the stable region).</param>
internal sealed record MapSpec(
    string Title,
    string ColorbarTitle,
    string Colorscale,
    double ZMin,
    double ZMax,
    Func<IReadOnlyList<ConfigSummary>, double> Value,
    Func<IReadOnlyList<ConfigSummary>, double>? Spread = null,
    Func<IReadOnlyList<ConfigSummary>, bool>? Highlight = null,
    bool ReverseScale = false);

/// <summary>One panel of a map: a title and the configurations at (x, y).</summary>
internal sealed record MapPanel(string Title, Func<string, string, IReadOnlyList<ConfigSummary>> Cell);

/// <summary>
/// Metric maps over the swept axes: heatmaps over two axes (one panel per facet or per compared sweep, one shared
/// colour scale), lines with error bars over one axis, bars with none. Categorical axes keep cells equal-sized
/// whatever the spacing of the values, and cells of the stable region get a green outline.
/// </summary>
internal static class MetricMaps
{
    public const string StableColour = "#059669";

    public static Figure Draw(MapSpec spec, SweepAxis? x, SweepAxis? y, IReadOnlyList<MapPanel> panels, int columns)
    {
        if (x is not null && y is not null) return Heatmaps(spec, x, y, panels, columns);
        if (x is not null) return Lines(spec, x, panels);
        return Bars(spec, panels);
    }

    /// <summary>Panels for one sweep: one per facet value.</summary>
    public static IReadOnlyList<MapPanel> FacetPanels(AxisGrid grid) =>
        grid.FacetValues.Select(f => new MapPanel(grid.Facet is null ? "" : $"{grid.Facet.Name} = {f}", (x, y) => grid.At(x, y, f))).ToList();

    private static Figure Heatmaps(MapSpec spec, SweepAxis x, SweepAxis y, IReadOnlyList<MapPanel> panels, int columns)
    {
        columns = Math.Max(1, Math.Min(columns, panels.Count));
        int rows = (panels.Count + columns - 1) / columns;
        // Panels grow with the y axis up to 700 px of plot; past that (and for crowded x axes) every step-th value is labelled.
        int plotPixels = Math.Clamp(22 * y.Values.Count, 180, 700);
        var figure = new Figure(spec.Title, 90 + rows * (plotPixels + 120));
        int yStep = TickLabels.Step(y.Values.Count, plotPixels);
        int xStep = TickLabels.HorizontalStep(x.Values, 0.8 * TickLabels.ChartWidthPixels / columns);
        var titles = panels.Select(p => p.Title).ToList();
        var axes = figure.Grid(panels.Count, columns, titles.Any(t => t.Length > 0) ? titles : null, 0.1, 0.16);
        for (int p = 0; p < panels.Count; p++)
        {
            var z = new double[y.Values.Count][];
            var text = new string[y.Values.Count][];
            for (int j = 0; j < y.Values.Count; j++)
            {
                z[j] = new double[x.Values.Count];
                text[j] = new string[x.Values.Count];
                for (int i = 0; i < x.Values.Count; i++)
                {
                    var cell = panels[p].Cell(x.Values[i], y.Values[j]);
                    z[j][i] = cell.Count > 0 ? spec.Value(cell) : double.NaN;
                    text[j][i] = Hover(spec, x.Name, x.Values[i], y.Name, y.Values[j], cell);
                    if (cell.Count > 0 && spec.Highlight?.Invoke(cell) == true)
                    {
                        var (xId, yId) = Figure.AxisIds(p);
                        figure.Shapes.Add(new Dictionary<string, object>
                        {
                            ["type"] = "rect", ["xref"] = xId, ["yref"] = yId, ["x0"] = i - 0.5, ["x1"] = i + 0.5,
                            ["y0"] = j - 0.5, ["y1"] = j + 0.5, ["line"] = new Dictionary<string, object> { ["color"] = StableColour, ["width"] = 3 },
                        });
                    }
                }
            }
            var (xa, ya) = Figure.AxisIds(p);
            figure.Add(Traces.Heatmap(x.Values, y.Values, z), "heatmap", new Dictionary<string, object?>
            {
                ["z"] = Figure.Clean(z),
                ["text"] = text,
                ["hovertemplate"] = "%{text}<extra></extra>",
                ["zmin"] = spec.ZMin, ["zmax"] = spec.ZMax, ["zauto"] = false,
                ["colorscale"] = spec.Colorscale, ["reversescale"] = spec.ReverseScale,
                ["showscale"] = p == 0,
                ["colorbar"] = new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = spec.ColorbarTitle }, ["len"] = 0.8 },
                ["xgap"] = 1, ["ygap"] = 1,
                ["xaxis"] = xa, ["yaxis"] = ya,
                ["name"] = panels[p].Title.Length > 0 ? panels[p].Title : spec.ColorbarTitle,
            });
            axes[p].X["type"] = "category";
            axes[p].X["title"] = new Dictionary<string, object> { ["text"] = x.Name };
            axes[p].Y["type"] = "category";
            axes[p].Y["title"] = new Dictionary<string, object> { ["text"] = y.Name };
            TickLabels.Thin(axes[p].X, xStep);
            TickLabels.Thin(axes[p].Y, yStep);
        }
        return figure;
    }

    private static Figure Lines(MapSpec spec, SweepAxis x, IReadOnlyList<MapPanel> panels)
    {
        var figure = new Figure(spec.Title, 420);
        for (int p = 0; p < panels.Count; p++)
        {
            var cells = x.Values.Select(v => panels[p].Cell(v, "")).ToList();
            var values = cells.Select(c => c.Count > 0 ? spec.Value(c) : double.NaN).ToArray();
            var props = new Dictionary<string, object?>
            {
                ["y"] = Figure.Clean(values),
                ["mode"] = "lines+markers",
                ["text"] = x.Values.Select((v, i) => Hover(spec, x.Name, v, null, null, cells[i])).ToArray(),
                ["hovertemplate"] = "%{text}<extra></extra>",
                ["name"] = panels[p].Title.Length > 0 ? panels[p].Title : spec.ColorbarTitle,
            };
            if (spec.Spread is not null)
                props["error_y"] = new Dictionary<string, object>
                {
                    ["type"] = "data", ["visible"] = true,
                    ["array"] = Figure.Clean(cells.Select(c => c.Count > 0 ? spec.Spread(c) : double.NaN)),
                };
            figure.Add(Traces.CategoryScatter(x.Values, values, spec.ColorbarTitle), "scatter", props);
            if (p == 0 && spec.Highlight is not null)
                for (int i = 0; i < cells.Count; i++)
                    if (cells[i].Count > 0 && spec.Highlight(cells[i]))
                        figure.Shapes.Add(StableBand(i));
        }
        var xAxis = new Dictionary<string, object> { ["type"] = "category", ["title"] = new Dictionary<string, object> { ["text"] = x.Name } };
        TickLabels.Thin(xAxis, TickLabels.HorizontalStep(x.Values, TickLabels.ChartWidthPixels));
        figure.Layout["xaxis"] = xAxis;
        figure.Layout["yaxis"] = new Dictionary<string, object>
        {
            ["title"] = new Dictionary<string, object> { ["text"] = spec.ColorbarTitle },
            ["range"] = new[] { spec.ZMin - 0.05 * (spec.ZMax - spec.ZMin), spec.ZMax + 0.05 * (spec.ZMax - spec.ZMin) },
        };
        return figure;
    }

    private static Figure Bars(MapSpec spec, IReadOnlyList<MapPanel> panels)
    {
        var figure = new Figure(spec.Title, 380);
        var cells = panels.Select(p => p.Cell("", "")).ToList();
        var keys = panels.Select((p, i) => p.Title.Length > 0 ? p.Title : cells[i].Count > 0 ? cells[i][0].ConfigId : $"#{i + 1}").ToArray();
        var values = cells.Select(c => c.Count > 0 ? spec.Value(c) : double.NaN).ToArray();
        var props = new Dictionary<string, object?>
        {
            ["y"] = Figure.Clean(values),
            ["text"] = cells.Select((c, i) => Hover(spec, "configuration", keys[i], null, null, c)).ToArray(),
            ["hovertemplate"] = "%{text}<extra></extra>",
            ["textposition"] = "none",
        };
        if (spec.Spread is not null)
            props["error_y"] = new Dictionary<string, object>
            {
                ["type"] = "data", ["visible"] = true,
                ["array"] = Figure.Clean(cells.Select(c => c.Count > 0 ? spec.Spread(c) : double.NaN)),
            };
        figure.Add(Traces.Bars(keys, values, spec.ColorbarTitle), "bar", props);
        for (int i = 0; i < cells.Count; i++)
            if (cells[i].Count > 0 && spec.Highlight?.Invoke(cells[i]) == true) figure.Shapes.Add(StableBand(i));
        var xAxis = new Dictionary<string, object> { ["type"] = "category" };
        TickLabels.Thin(xAxis, TickLabels.HorizontalStep(keys, TickLabels.ChartWidthPixels));
        figure.Layout["xaxis"] = xAxis;
        figure.Layout["yaxis"] = new Dictionary<string, object>
        {
            ["title"] = new Dictionary<string, object> { ["text"] = spec.ColorbarTitle },
            ["range"] = new[] { Math.Min(0, spec.ZMin), spec.ZMax + 0.05 * (spec.ZMax - spec.ZMin) },
        };
        return figure;
    }

    private static Dictionary<string, object> StableBand(int index) => new()
    {
        ["type"] = "rect", ["xref"] = "x", ["yref"] = "paper", ["x0"] = index - 0.5, ["x1"] = index + 0.5, ["y0"] = 0, ["y1"] = 1,
        ["fillcolor"] = "rgba(5, 150, 105, 0.15)", ["line"] = new Dictionary<string, object> { ["width"] = 0 }, ["layer"] = "below",
    };

    private static string Hover(MapSpec spec, string xName, string xValue, string? yName, string? yValue, IReadOnlyList<ConfigSummary> cell)
    {
        var c = CultureInfo.InvariantCulture;
        string where = yName is null ? $"{Figure.Escape(xName)} = {Figure.Escape(xValue)}" : $"{Figure.Escape(xName)} = {Figure.Escape(xValue)}<br>{Figure.Escape(yName)} = {Figure.Escape(yValue!)}";
        if (cell.Count == 0) return where + "<br>not run";
        double value = spec.Value(cell);
        double spread = spec.Spread?.Invoke(cell) ?? double.NaN;
        string shown = double.IsNaN(value) ? "n/a" : value.ToString("0.###", c) + (double.IsNaN(spread) ? "" : " ± " + spread.ToString("0.###", c));
        int runs = cell.Sum(k => k.Finished);
        string stable = spec.Highlight?.Invoke(cell) == true ? "<br><b>stable</b>" : "";
        return $"{where}<br>{Figure.Escape(spec.ColorbarTitle)}: {shown}<br>{cell.Count} configuration(s), {runs} finished run(s){stable}";
    }
}
