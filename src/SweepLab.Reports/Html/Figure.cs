using System.Globalization;
using Plotly.NET;
using C = Plotly.NET.CSharp;

namespace SweepLab.Reports.Html;

/// <summary>
/// One Plotly chart under construction: traces made with Plotly.NET (its C# wrappers, then properties the wrappers
/// do not expose set on the trace objects), layout properties as plain dictionaries, serialised by Plotly.NET. Values
/// pass through <see cref="Clean(IEnumerable{double}, int)"/> so NaN becomes null (a gap; plotly.js drops the string
/// "NaN" that Plotly.NET would write) and numbers are cut to the digits a chart can show.
/// </summary>
internal sealed class Figure(string title, int heightPixels)
{
    private readonly List<(GenericChart Chart, string Type)> _traces = [];

    public string Title { get; } = title;
    public int HeightPixels { get; } = heightPixels;

    /// <summary>Layout properties (merged over Plotly.NET's default template layout).</summary>
    public Dictionary<string, object> Layout { get; } = new(StringComparer.Ordinal);

    public List<object> Shapes { get; } = [];
    public List<object> Annotations { get; } = [];

    public int TraceCount => _traces.Count;
    public IReadOnlyList<string> TraceTypes => _traces.Select(t => t.Type).ToList();

    /// <summary>Adds a single-trace chart made by Plotly.NET, then sets <paramref name="properties"/> on its trace.</summary>
    public Figure Add(GenericChart single, string type, IReadOnlyDictionary<string, object?>? properties = null)
    {
        var trace = GenericChart.getTraces(single).Single();
        if (properties is not null)
            foreach (var (key, value) in properties)
                if (value is null) trace.RemoveProperty(key);
                else trace.SetProperty(key, value);
        _traces.Add((single, type));
        return this;
    }

    /// <summary>figure JSON ({"data", "layout", "frames"}) as Plotly.NET writes it.</summary>
    public string ToJson()
    {
        if (_traces.Count == 0) throw new InvalidOperationException($"chart '{Title}' has no traces");
        var chart = C.Chart.Combine(_traces.Select(t => t.Chart));
        var layout = GenericChart.getLayout(chart);
        layout.RemoveProperty("width");
        layout.SetProperty("height", HeightPixels);
        layout.SetProperty("autosize", true);
        layout.SetProperty("title", new Dictionary<string, object> { ["text"] = Title, ["x"] = 0.02 });
        foreach (var (key, value) in Layout) layout.SetProperty(key, value);
        if (Shapes.Count > 0) layout.SetProperty("shapes", Shapes);
        if (Annotations.Count > 0) layout.SetProperty("annotations", Annotations);
        chart = GenericChart.setLayout(layout, chart);
        return GenericChart.toFigureJson(chart);
    }

    /// <summary>NaN and infinities to null; finite values rounded to <paramref name="digits"/> significant digits.</summary>
    public static double?[] Clean(IEnumerable<double> values, int digits = 5) =>
        values.Select(v => double.IsFinite(v) ? Round(v, digits) : (double?)null).ToArray();

    public static double?[][] Clean(IEnumerable<IEnumerable<double>> rows, int digits = 5) =>
        rows.Select(r => Clean(r, digits)).ToArray();

    public static double Round(double v, int digits)
    {
        if (v == 0 || !double.IsFinite(v)) return v;
        return double.Parse(v.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Axis ids of panel <paramref name="index"/> (0-based): ("x", "y"), ("x2", "y2"), ...</summary>
    public static (string X, string Y) AxisIds(int index) => index == 0 ? ("x", "y") : ($"x{index + 1}", $"y{index + 1}");

    /// <summary>Layout keys of panel <paramref name="index"/>: ("xaxis", "yaxis"), ("xaxis2", "yaxis2"), ...</summary>
    public static (string X, string Y) AxisKeys(int index) => index == 0 ? ("xaxis", "yaxis") : ($"xaxis{index + 1}", $"yaxis{index + 1}");

    /// <summary>
    /// Lays out <paramref name="count"/> panels in rows of <paramref name="columns"/>, each with its own axes, and puts
    /// each panel's title above it. Returns the per-panel axis dictionaries for further styling.
    /// </summary>
    public (Dictionary<string, object> X, Dictionary<string, object> Y)[] Grid(int count, int columns, IReadOnlyList<string>? titles = null,
        double horizontalGap = 0.08, double verticalGap = 0.12)
    {
        columns = Math.Max(1, Math.Min(columns, count));
        int rows = (count + columns - 1) / columns;
        double width = (1 - horizontalGap * (columns - 1)) / columns;
        double height = (1 - verticalGap * (rows - 1)) / rows;
        var axes = new (Dictionary<string, object>, Dictionary<string, object>)[count];
        for (int i = 0; i < count; i++)
        {
            int row = i / columns, column = i % columns;
            double x0 = column * (width + horizontalGap), y1 = 1 - row * (height + verticalGap);
            var (xId, yId) = AxisIds(i);
            var (xKey, yKey) = AxisKeys(i);
            var x = new Dictionary<string, object> { ["domain"] = new[] { Round(x0, 6), Round(Math.Min(1, x0 + width), 6) }, ["anchor"] = yId };
            var y = new Dictionary<string, object> { ["domain"] = new[] { Round(Math.Max(0, y1 - height), 6), Round(y1, 6) }, ["anchor"] = xId };
            Layout[xKey] = x;
            Layout[yKey] = y;
            axes[i] = (x, y);
            if (titles is not null && i < titles.Count)
                Annotations.Add(new Dictionary<string, object>
                {
                    ["text"] = $"<b>{Escape(titles[i])}</b>", ["showarrow"] = false, ["xref"] = "paper", ["yref"] = "paper",
                    ["x"] = Round(x0 + width / 2, 6), ["y"] = Round(y1, 6), ["xanchor"] = "center", ["yanchor"] = "bottom",
                });
        }
        return axes;
    }

    /// <summary>Text for plotly labels (which render a small HTML subset): escapes &lt;, &gt; and &amp;.</summary>
    public static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}

/// <summary>Single-trace charts from Plotly.NET's C# wrappers, with the settings every report chart shares.</summary>
internal static class Traces
{
    /// <summary>A heatmap on categorical axes; <paramref name="z"/> is row-major [y][x], NaN for empty cells.</summary>
    public static GenericChart Heatmap(IReadOnlyList<string> x, IReadOnlyList<string> y, double[][] z) =>
        C.Chart.Heatmap<double, string, string, string>(z, X: x.ToArray(), Y: y.ToArray(), UseDefaults: false);

    /// <summary>A line (or markers) trace.</summary>
    public static GenericChart Scatter(IEnumerable<double> x, IEnumerable<double> y, string name, string mode = "lines") =>
        mode == "markers"
            ? C.Chart.Point<double, double, string>(x.ToArray(), y.ToArray(), Name: name, UseDefaults: false)
            : C.Chart.Line<double, double, string>(x.ToArray(), y.ToArray(), Name: name, ShowMarkers: mode.Contains("markers", StringComparison.Ordinal), UseDefaults: false);

    /// <summary>A scatter trace over categories.</summary>
    public static GenericChart CategoryScatter(IEnumerable<string> x, IEnumerable<double> y, string name) =>
        C.Chart.Point<string, double, string>(x.ToArray(), y.ToArray(), Name: name, UseDefaults: false);

    /// <summary>A bar trace over categories.</summary>
    public static GenericChart Bars(IEnumerable<string> keys, IEnumerable<double> values, string name) =>
        C.Chart.Column<double, string, string>(values.ToArray(), Keys: keys.ToArray(), Name: name, UseDefaults: false);

    /// <summary>A parallel-coordinates trace; dimensions are set as properties by the caller.</summary>
    public static GenericChart ParallelCoordinates() =>
        C.Chart.ParallelCoord(new[] { Plotly.NET.TraceObjects.Dimension.initParallel<string, double, string, double>(
            null, null, null, null, null, null, null, null, null, null, null, null) }, UseDefaults: false);
}
