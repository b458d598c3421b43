#!/usr/bin/env -S dotnet run
// The knife's edge: a methods paper's figures from a sweep's tables.
//
//   dotnet run notebooks/01-knife-edge.cs [SWEEP_DIR] [OUT_DIR]
//
// SWEEP_DIR is a folder that `sweeplab run` wrote (it needs results.csv and stability.csv; default: data/knife-edge
// beside this file, experiment 2: 3000 simulated particles, two classes, SNR 0.05, 7 class similarities x 3 half-lives
// x 3 batch sizes x 3 seeds). OUT_DIR (default: out/ beside this file) receives
//   01-knife-edge.html          one self-contained page (plotly.js inlined, renders offline) with the figures below,
//                               each with a camera button that saves it as SVG for a paper;
//   01-knife-edge-numbers.csv   the numbers behind figures 1 and 3, per configuration.
//
// The figures:
//   1. the split ratio (smallest class / largest class; 1 = equal classes, 0 = collapse) against the class similarity
//      (or, in a sweep that does not vary it, the first varying setting), one line per combination of the other varying
//      settings, with the sample standard deviation across seeds as error bars;
//   2. every seed as its own point: a mean with a standard deviation hides a bimodal outcome (one seed splits, another
//      collapses);
//   3. the probability of collapse as a map over the same axes, and the agreement between seeds.
// Means and spreads are computed here from results.csv (one row per run), the way the report computes them, so the
// page and the report agree for the same folder (tests/SweepLab.Notebooks.Tests checks that they do).
#:property ManagePackageVersionsCentrally=false
#:package Microsoft.Data.Analysis@0.23.1
#:package Plotly.NET@6.0.0
#:package Plotly.NET.CSharp@0.14.0
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Data.Analysis;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Chart = Plotly.NET.CSharp.Chart;

string here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".";
string sweep = args.Length > 0 ? args[0] : Path.Combine(here, "data", "knife-edge");
string outDir = args.Length > 1 ? args[1] : Path.Combine(here, "out");
// Numbers on the page and in the CSV are written as SweepLab's tables write them, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
foreach (string required in new[] { "results.csv", "stability.csv" })
    if (!File.Exists(Path.Combine(sweep, required)))
    {
        Console.Error.WriteLine($"{Path.Combine(sweep, required)}: not found; SWEEP_DIR must be a folder that `sweeplab run` wrote");
        return 2;
    }
Directory.CreateDirectory(outDir);

var results = Table.Load(Path.Combine(sweep, "results.csv"));
var stability = Table.Load(Path.Combine(sweep, "stability.csv"));

// Settings are the stability.csv columns between config_id and runs; the axes are those that take several values.
var names = stability.Columns.Select(c => c.Name).ToList();
var settings = names.Skip(1).TakeWhile(n => n != "runs").ToArray();
var varying = settings.Where(s => results[s].Cast<object?>().Select(v => Table.Key(v)).Distinct().Count() > 1).ToArray();
string xAxis = varying.Contains("class_similarity") ? "class_similarity"
    : varying.FirstOrDefault(s => results[s] is PrimitiveDataFrameColumn<double>) ?? "class_similarity";
if (results.Columns.All(c => c.Name != xAxis))
{
    Console.Error.WriteLine($"{Path.Combine(sweep, "results.csv")}: no class_similarity column and no numeric setting that varies; nothing to plot against");
    return 2;
}
// One line per combination of the other varying settings; a setting zipped with another (its value follows from the
// ones already kept, such as the anneal window zipped with the batch size) adds no line and is left out of the names.
var lineAxes = new List<string>();
foreach (string axis in varying.Where(s => s != xAxis))
{
    int Combinations(IEnumerable<string> axes) => Enumerable.Range(0, (int)results.Rows.Count)
        .Select(i => string.Join("/", axes.Select(a => Table.Text(results, a, i)))).Distinct().Count();
    if (Combinations(lineAxes.Append(axis)) > Combinations(lineAxes)) lineAxes.Add(axis);
}
string LineName(long row, DataFrame df) => lineAxes.Count == 0 ? "all runs"
    : string.Join(", ", lineAxes.Select(a => $"{Short(a)} {Table.Key(df[a][row])}"));
static string Short(string setting) => setting switch
{
    "batch_size_per_class" => "batch",
    "learning_rate_half_life_iterations" => "half-life",
    "hard_classification" => "hard",
    "class_similarity" => "s0",
    _ => setting,
};

// Per configuration, from results.csv: finished (complete or pruned) runs, split ratio mean and sample SD over the
// finite values, collapse probability. The same definitions as SweepLab.Reports (ConfigSummary) and stability.csv.
var configs = Enumerable.Range(0, (int)results.Rows.Count).Select(i => (long)i)
    .Where(i => Table.Text(results, "status", i) != "failed")
    .GroupBy(i => Table.Text(results, "config_id", i))
    .Select(g =>
    {
        long first = g.First();
        var split = g.Select(i => Table.Num(results, "split_ratio", i)).Where(double.IsFinite).ToArray();
        var collapsed = g.Select(i => Table.Num(results, "collapsed", i)).Where(double.IsFinite).ToArray();
        double mean = split.Length > 0 ? split.Average() : double.NaN;
        double sd = split.Length > 1 ? Math.Sqrt(split.Sum(v => (v - mean) * (v - mean)) / (split.Length - 1)) : double.NaN;
        return new Config(g.Key, LineName(first, results), Table.Num(results, xAxis, first), g.Count(), mean, sd,
            collapsed.Length > 0 ? collapsed.Count(c => c == 1) / (double)collapsed.Length : double.NaN,
            Agreement(g.Key), g.ToArray());
    }).ToList();
double Agreement(string configId)
{
    if (!names.Contains("agreement")) return double.NaN;
    for (long i = 0; i < stability.Rows.Count; i++)
        if (Table.Text(stability, "config_id", i) == configId) return Table.Num(stability, "agreement", i);
    return double.NaN;
}
// Lines in the order of their settings' values (numbers as numbers).
IOrderedEnumerable<Config> byLine = configs.OrderBy(c => 0);
foreach (string axis in lineAxes)
    byLine = results[axis] is PrimitiveDataFrameColumn<double>
        ? byLine.ThenBy(c => Table.Num(results, axis, c.Rows[0]))
        : byLine.ThenBy(c => Table.Text(results, axis, c.Rows[0]), StringComparer.Ordinal);
var lines = byLine.Select(c => c.Line).Distinct().ToArray();
var xValues = configs.Select(c => c.X).Distinct().OrderBy(x => x).ToArray();

var page = new Page($"The knife's edge: {Path.GetFileName(Path.GetFullPath(sweep))}");
page.Paragraph($"{results.Rows.Count} runs in {configs.Count} configurations; x axis: {xAxis}; "
    + $"lines: {(lineAxes.Count == 0 ? "none (one line)" : string.Join(", ", lineAxes))}.");

// Figure 1: split ratio mean ± SD across seeds.
var figure1 = lines.Select(line =>
{
    var points = configs.Where(c => c.Line == line).OrderBy(c => c.X).ToArray();
    var chart = Chart.Line<double, double, string>(x: points.Select(p => p.X).ToArray(),
        y: points.Select(p => p.SplitMean).ToArray(), ShowMarkers: true, Name: line);
    return Plot.WithErrorBars(chart, points.Select(p => double.IsNaN(p.SplitSd) ? 0 : p.SplitSd));
});
page.Chart(Plot.Styled(Chart.Combine(figure1), "Split ratio (mean ± SD across seeds)", xAxis, "split ratio (smallest / largest class)"),
    "Figure 1. Error bars: sample standard deviation across seeds.");

// Figure 2: every run, offset slightly by repeat so that coinciding points stay visible.
double span = xValues.Length > 1 ? xValues[^1] - xValues[0] : 1;
var figure2 = lines.Select(line =>
{
    var rows = configs.Where(c => c.Line == line).SelectMany(c => c.Rows).ToArray();
    return Chart.Point<double, double, string>(
        x: rows.Select(i => Table.Num(results, xAxis, i) + 0.006 * span * (Table.Num(results, "repeat", i) - 1)).ToArray(),
        y: rows.Select(i => Table.Num(results, "split_ratio", i)).ToArray(), Name: line);
});
page.Chart(Plot.Styled(Chart.Combine(figure2), "Every seed", $"{xAxis} (seeds offset by ±{0.006 * span:0.###})", "split ratio of each run"),
    "Figure 2. A configuration whose seeds land at 0 and at 0.9 is a knife edge even when its mean looks moderate.");

// Figure 3: collapse probability map, and agreement where no seed collapsed (collapsed seeds agree trivially).
double[][] Map(Func<Config, double> value) => lines.Select(line => xValues.Select(x =>
    configs.FirstOrDefault(c => c.Line == line && c.X == x) is { } c ? value(c) : double.NaN).ToArray()).ToArray();
var xLabels = xValues.Select(x => x.ToString("0.###", CultureInfo.InvariantCulture)).ToArray();
page.Chart(Plot.Styled(Chart.Heatmap<double, string, string, string>(Map(c => c.PCollapsed), X: xLabels, Y: lines,
 Name: "p(collapse)"), "Probability of collapse", xAxis, ""),
    "Figure 3a. Fraction of seeds in which a class fell below the collapse floor.");
if (configs.Any(c => double.IsFinite(c.Agreement)))
    page.Chart(Plot.Styled(Chart.Heatmap<double, string, string, string>(Map(c => c.PCollapsed == 0 ? c.Agreement : double.NaN),
            X: xLabels, Y: lines, ColorScale: StyleParam.Colorscale.Viridis, Name: "agreement"), "Agreement between seeds (ARI)", xAxis, ""),
        "Figure 3b. Mean pairwise adjusted Rand index of the seeds' particle assignments; blank where a seed collapsed.");

// The numbers behind figures 1 and 3: a supplement table on the page, and a CSV.
string F(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
var ordered = configs.OrderBy(c => Array.IndexOf(lines, c.Line)).ThenBy(c => c.X).ToList();
page.Table(["configuration", xAxis, "runs", "split ratio", "p(collapse)", "agreement"],
    ordered.Select(c => new[] { c.Line, c.X.ToString("0.###", CultureInfo.InvariantCulture), c.Runs.ToString(CultureInfo.InvariantCulture),
        $"{c.SplitMean:0.000} ± {c.SplitSd:0.000}".Replace("NaN", "n/a"), c.PCollapsed.ToString("0.##", CultureInfo.InvariantCulture),
        c.Agreement.ToString("0.000", CultureInfo.InvariantCulture) }));
var csv = new StringBuilder("config_id,line,x_setting,x,runs,split_ratio_mean,split_ratio_std,p_collapsed,agreement\n");
foreach (var c in ordered)
    csv.Append($"{c.Id},\"{c.Line}\",{xAxis},{F(c.X)},{c.Runs},{F(c.SplitMean)},{F(c.SplitSd)},{F(c.PCollapsed)},{F(c.Agreement)}\n");
Page.WriteAtomically(Path.Combine(outDir, "01-knife-edge-numbers.csv"), csv.ToString());
page.Save(Path.Combine(outDir, "01-knife-edge.html"));
Console.WriteLine($"wrote {Path.Combine(outDir, "01-knife-edge.html")} ({page.ChartCount} figures) and 01-knife-edge-numbers.csv");
return 0;

/// <summary>One configuration summarised over its seeds (rows: its runs in results.csv).</summary>
record Config(string Id, string Line, double X, int Runs, double SplitMean, double SplitSd, double PCollapsed, double Agreement, long[] Rows);

/// <summary>SweepLab's culture-invariant CSV tables as DataFrames, with explicit column types (left to guess,
/// DataFrame.LoadCsv reads numbers as float32 and can guess from too few rows).</summary>
static class Table
{
    public static DataFrame Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist; is this a sweep output folder?", path);
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var cells = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        var types = header.Select((name, c) => cells.All(r => r[c].Length == 0
            || double.TryParse(r[c], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) ? typeof(double) : typeof(string)).ToArray();
        return DataFrame.LoadCsv(path, separator: ',', header: true, dataTypes: types, cultureInfo: CultureInfo.InvariantCulture);
    }

    public static double Num(DataFrame df, string column, long row) => df[column][row] is double d ? d : double.NaN;
    public static string Text(DataFrame df, string column, long row) => Key(df[column][row]);
    public static string Key(object? value) => value is double d ? d.ToString("R", CultureInfo.InvariantCulture)
        : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}

/// <summary>Plotly.NET's F# functions called from C# (every argument given; null = unset).</summary>
static class Plot
{
    public static GenericChart WithErrorBars(GenericChart chart, IEnumerable<double> errors) =>
        Plotly.NET.Chart.withYError(Plotly.NET.TraceObjects.Error.init<double, double>(
            FSharpOption<bool>.Some(true), FSharpOption<StyleParam.ErrorType>.Some(StyleParam.ErrorType.Data),
            FSharpOption<bool>.Some(true), FSharpOption<IEnumerable<double>>.Some(errors.ToArray()),
            null, null, null, null, null, null, null, null, null, null, null)).Invoke(chart);

    public static GenericChart Styled(GenericChart chart, string title, string x, string y) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(Plotly.NET.CSharp.GenericChartExtensions
            .WithYAxisStyle<double, double, string>(Plotly.NET.CSharp.GenericChartExtensions
                .WithXAxisStyle<double, double, string>(chart, TitleText: x), TitleText: y));
}

/// <summary>
/// One self-contained HTML page: plotly.js (the copy Plotly.NET embeds) inlined once, then text, tables and charts.
/// Each chart div says how many traces it should draw (data-traces); once plotly.js has drawn it the page sets
/// data-rendered-traces (or data-render-error), so a reader or a test can see what rendered.
/// </summary>
sealed class Page(string title)
{
    private readonly StringBuilder _body = new();
    public int ChartCount { get; private set; }

    public void Paragraph(string text) => _body.Append($"<p>{WebUtility.HtmlEncode(text)}</p>\n");

    public void Chart(GenericChart chart, string caption)
    {
        string id = $"figure-{++ChartCount}";
        int traces = GenericChart.getTraces(chart).Count();
        var layout = GenericChart.getLayout(chart); // full width of the page, height set here
        layout.RemoveProperty("width");
        layout.SetProperty("height", 520);
        layout.SetProperty("autosize", true);
        chart = GenericChart.setLayout(layout, chart);
        string json = GenericChart.toFigureJson(chart).Replace("</", "<\\/", StringComparison.Ordinal);
        _body.Append($"<div class=\"chart\" id=\"{id}\" data-traces=\"{traces}\"></div>\n<p class=\"caption\">{WebUtility.HtmlEncode(caption)}</p>\n");
        _body.Append($"<script>draw('{id}', {json});</script>\n");
    }

    public void Table(string[] header, IEnumerable<string[]> rows)
    {
        _body.Append("<table><tr>").Append(string.Concat(header.Select(h => $"<th>{WebUtility.HtmlEncode(h)}</th>"))).Append("</tr>\n");
        foreach (var row in rows)
            _body.Append("<tr>").Append(string.Concat(row.Select(v => $"<td>{WebUtility.HtmlEncode(v)}</td>"))).Append("</tr>\n");
        _body.Append("</table>\n");
    }

    public void Save(string path)
    {
        var assembly = typeof(GenericChart).Assembly;
        string resource = assembly.GetManifestResourceNames().Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal)
            && n.EndsWith(".min.js", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        string enc = WebUtility.HtmlEncode(title);
        WriteAtomically(path, $$$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{{enc}}}</title>
            <style>body{font-family:sans-serif;max-width:1200px;margin:0 auto;padding:16px;color:#1f2937}
            .chart{height:520px}p.caption{color:#4b5563;font-size:.92em}table{border-collapse:collapse;font-size:.88em}
            th,td{border:1px solid #d1d5db;padding:3px 8px;text-align:right}th{background:#f3f4f6}</style>
            <script>{{{reader.ReadToEnd()}}}</script>
            <script>function draw(id, fig) { var gd = document.getElementById(id);
              try { Plotly.newPlot(gd, fig.data, fig.layout, {responsive: true, displaylogo: false, toImageButtonOptions: {format: 'svg'}})
                .then(function () { gd.setAttribute('data-rendered-traces', String(gd._fullData.length)); },
                      function (e) { gd.setAttribute('data-render-error', String(e)); });
              } catch (e) { gd.setAttribute('data-render-error', String(e)); } }</script>
            </head><body><h1>{{{enc}}}</h1>
            {{{_body}}}</body></html>

            """);
    }

    /// <summary>Written to a temporary name and renamed, so a reader never sees half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }
}
