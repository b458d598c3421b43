using System.Net;
using System.Reflection;
using System.Text;

namespace SweepLab.Reports.Html;

/// <summary>A chart as placed in a report: its element id, title and the traces it should draw.</summary>
public sealed record ChartInfo(string Id, string Section, string Title, int TraceCount, IReadOnlyList<string> TraceTypes);

/// <summary>
/// A self-contained HTML page: plotly.js (the copy Plotly.NET ships) inlined once in the head, then sections of
/// text, tables and charts. Each chart is a div with a stable id (chart-1, chart-2, ...) and the number of traces it
/// should draw in <c>data-traces</c>; once plotly.js has drawn it, the page sets <c>data-rendered-traces</c> to the
/// number plotly.js drew (or <c>data-render-error</c>), so a reader or a test can see at a glance what rendered.
/// Nothing is fetched: no script, style or font comes from the network, and the output is the same bytes for the
/// same input.
/// </summary>
internal sealed class HtmlDocument(string title)
{
    private readonly StringBuilder _body = new();
    private readonly List<ChartInfo> _charts = [];
    private string _section = "";

    public IReadOnlyList<ChartInfo> Charts => _charts;

    public void Section(string id, string heading)
    {
        if (_section.Length > 0) _body.Append("</section>\n");
        _section = id;
        _body.Append($"<section id=\"{Attr(id)}\">\n<h2>{Text(heading)}</h2>\n");
    }

    public void Paragraph(string text, string? cssClass = null) =>
        _body.Append(cssClass is null ? $"<p>{Text(text)}</p>\n" : $"<p class=\"{Attr(cssClass)}\">{Text(text)}</p>\n");

    /// <summary>Trusted markup built by the report itself (tables); callers escape every value they put in it.</summary>
    public void Raw(string html) => _body.Append(html).Append('\n');

    public void Chart(Figure figure, string? caption = null)
    {
        string id = $"chart-{_charts.Count + 1}";
        _charts.Add(new ChartInfo(id, _section, figure.Title, figure.TraceCount, figure.TraceTypes));
        string json = figure.ToJson().Replace("</", "<\\/", StringComparison.Ordinal); // never close the script early
        _body.Append($"<div class=\"chart\" id=\"{id}\" data-traces=\"{figure.TraceCount}\" style=\"height:{figure.HeightPixels}px\"></div>\n");
        if (caption is not null) _body.Append($"<p class=\"caption\">{Text(caption)}</p>\n");
        _body.Append($"<script>slDraw('{id}', {json});</script>\n");
    }

    public string Render()
    {
        var html = new StringBuilder(PlotlyJs.Value.Length + _body.Length + 4096);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append($"<title>{Text(title)}</title>\n");
        html.Append("<meta name=\"generator\" content=\"SweepLab\">\n");
        html.Append(Style);
        html.Append("<script>\n").Append(PlotlyJs.Value).Append("\n</script>\n");
        html.Append(DrawScript);
        html.Append("</head>\n<body>\n<main>\n");
        html.Append($"<h1>{Text(title)}</h1>\n");
        html.Append(_body);
        if (_section.Length > 0) html.Append("</section>\n");
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    public static string Text(string s) => WebUtility.HtmlEncode(s);
    public static string Attr(string s) => WebUtility.HtmlEncode(s);

    /// <summary>The plotly.js bundle embedded in Plotly.NET (the one PlotlyJSReference.Full inlines), read once.</summary>
    internal static readonly Lazy<string> PlotlyJs = new(() =>
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        string name = assembly.GetManifestResourceNames()
            .SingleOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("Plotly.NET no longer embeds plotly.js; the report cannot be made self-contained");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string js = reader.ReadToEnd();
        if (js.Contains("</script", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{name} contains '</script' and cannot be inlined");
        return js;
    });

    /// <summary>The plotly.js version inlined, from the resource name (e.g. "2.28.0").</summary>
    internal static string PlotlyVersion =>
        typeof(Plotly.NET.GenericChart).Assembly.GetManifestResourceNames()
            .Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ["Plotly.NET.plotly-".Length..^".min.js".Length];

    private const string DrawScript = """
        <script>
        function slDraw(id, fig) {
          var gd = document.getElementById(id);
          var config = {responsive: true, displaylogo: false, toImageButtonOptions: {format: 'svg'}};
          try {
            Plotly.newPlot(gd, fig.data, fig.layout, config).then(function () {
              gd.setAttribute('data-rendered-traces', String(gd._fullData.length));
            }, function (e) { gd.setAttribute('data-render-error', String(e)); });
          } catch (e) { gd.setAttribute('data-render-error', String(e)); }
        }
        </script>

        """;

    private const string Style = """
        <style>
        body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0; color: #1f2937; background: #fff; }
        main { max-width: 1320px; margin: 0 auto; padding: 16px 24px 64px; }
        h1 { font-size: 1.6em; margin-bottom: 4px; }
        h2 { font-size: 1.25em; border-bottom: 1px solid #d1d5db; padding-bottom: 4px; margin-top: 36px; }
        p.note, p.caption { color: #4b5563; font-size: 0.92em; }
        p.warning { color: #92400e; background: #fef3c7; padding: 6px 10px; border-radius: 4px; }
        .chart { width: 100%; margin: 8px 0; }
        table { border-collapse: collapse; font-size: 0.88em; margin: 8px 0; }
        th, td { border: 1px solid #d1d5db; padding: 3px 8px; text-align: right; vertical-align: top; }
        th { background: #f3f4f6; }
        td.text, th.text { text-align: left; }
        table.numbers td, table.numbers th { white-space: nowrap; }
        tr.stable td { background: #ecfdf5; }
        pre { background: #f8fafc; border: 1px solid #e5e7eb; padding: 8px; font-size: 0.85em; overflow-x: auto; text-align: left; margin: 4px 0; }
        details summary { cursor: pointer; color: #1d4ed8; }
        dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; }
        </style>

        """;
}
