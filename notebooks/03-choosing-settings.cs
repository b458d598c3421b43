#!/usr/bin/env -S dotnet run
// Picking settings for a new dataset, from a coarse sweep with at least 3 seeds per configuration.
//
//   dotnet run notebooks/03-choosing-settings.cs [SWEEP_DIR] [OUT_DIR]
//
// The recipe, for data without ground truth:
//   1. Run a coarse sweep on your particles over the knobs that decide the outcome (class similarity, learning-rate
//      half-life, batch size per class with its anneal window), repeats: 3 (notebooks/README.md has an example).
//   2. Keep only configurations where no seed collapsed (p_collapsed == 0).
//   3. Stay away from the edge: a configuration's margin is the distance in class similarity to the nearest
//      configuration on the same line (every other setting equal) with any collapsed seed. Margins above 0.2 count
//      as 0.2: beyond that the edge is far enough.
//   4. Prefer seeds that agree: a small spread of the split ratio (split_ratio_std) and a high agreement between
//      seeds (agreement, the mean pairwise adjusted Rand index of the particle assignments).
// With 3 seeds, p_collapsed = 0 only says the collapse probability is probably below about 50% (the one-sided 80%
// bound for 0 of 3 is 1 - 0.2^(1/3) = 0.42): confirm the chosen setting with more seeds before the full run.
// SWEEP_DIR (default data/knife-edge beside this file, experiment 2) needs stability.csv; OUT_DIR (default out/)
// receives 03-choosing-settings.html and 03-choosing-settings-ranking.csv (every configuration that never collapsed,
// in rank order, with its margin).
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
foreach (string required in new[] { "stability.csv" })
    if (!File.Exists(Path.Combine(sweep, required)))
    {
        Console.Error.WriteLine($"{Path.Combine(sweep, required)}: not found; SWEEP_DIR must be a folder that `sweeplab run` wrote");
        return 2;
    }
Directory.CreateDirectory(outDir);

var stability = Table.Load(Path.Combine(sweep, "stability.csv"));
var names = stability.Columns.Select(c => c.Name).ToList();
var settings = names.Skip(1).TakeWhile(n => n != "runs").ToArray();
var all = Enumerable.Range(0, (int)stability.Rows.Count).Select(i => (long)i).ToArray();
// A line along the similarity axis: every other setting equal.
var others = settings.Where(s => s != "class_similarity" && all.Select(i => Table.Text(stability, s, i)).Distinct().Count() > 1).ToArray();
string LineKey(long i) => others.Length == 0 ? "all" : string.Join(", ", others.Select(c => $"{c} {Table.Text(stability, c, i)}"));
bool hasAccuracy = names.Contains("accuracy_mean");
double Num(string column, long i) => names.Contains(column) ? Table.Num(stability, column, i) : double.NaN;

double Margin(long i)
{
    string key = LineKey(i);
    double s = Num("class_similarity", i);
    var collapsed = all.Where(j => LineKey(j) == key && Num("p_collapsed", j) > 0)
        .Select(j => Math.Abs(Num("class_similarity", j) - s)).ToArray();
    return collapsed.Length == 0 ? double.PositiveInfinity : collapsed.Min();
}

var ranked = all
    .Where(i => Num("p_collapsed", i) == 0)
    .OrderByDescending(i => Math.Min(Margin(i), 0.2))
    .ThenBy(i => Math.Round(Num("split_ratio_std", i), 2))
    .ThenByDescending(i => Num("agreement", i))
    .ToArray();

var page = new Page($"Choosing settings: {Path.GetFileName(Path.GetFullPath(sweep))}");
page.Paragraph($"{ranked.Length} of {all.Length} configurations never collapsed; lines along the class similarity are keyed by "
    + $"{(others.Length == 0 ? "nothing (one line)" : string.Join(", ", others))}. The ten best:");
string F(double v, string format = "0.000") => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
page.Table(["rank", "settings", "class similarity", "margin", "split ratio (mean ± SD)", "agreement", "accuracy vs truth"],
    ranked.Take(10).Select((i, r) => new[]
    {
        (r + 1).ToString(CultureInfo.InvariantCulture), LineKey(i), F(Num("class_similarity", i), "0.###"),
        double.IsInfinity(Margin(i)) ? "none collapsed" : F(Margin(i), "0.00"),
        $"{F(Num("split_ratio_mean", i))} ± {F(Num("split_ratio_std", i))}", F(Num("agreement", i)),
        hasAccuracy ? $"{F(Num("accuracy_mean", i))} ± {F(Num("accuracy_std", i))}" : "n/a",
    }));

// Where the safe region is: p(collapse) against class similarity, one line per combination of the other settings.
var lines = all.Select(LineKey).Distinct().ToArray();
var collapse = lines.Select(key =>
{
    var rows = all.Where(i => LineKey(i) == key).OrderBy(i => Num("class_similarity", i)).ToArray();
    return Chart.Line<double, double, string>(x: rows.Select(i => Num("class_similarity", i)).ToArray(),
        y: rows.Select(i => Num("p_collapsed", i)).ToArray(), ShowMarkers: true, Name: key);
});
page.Chart(Plot.Styled(Chart.Combine(collapse), "p(collapse) against class similarity", "initial class similarity", "p(collapse)"),
    "Figure 1. The safe region is where every line stays at 0, with room on both sides.");

// Split spread against agreement for every configuration that never collapsed: the good corner is low spread and
// high agreement.
if (ranked.Length > 0)
    page.Chart(Plot.Styled(Chart.Point<double, double, string>(
            x: ranked.Select(i => Num("split_ratio_std", i)).ToArray(),
            y: ranked.Select(i => Num("agreement", i)).ToArray(),
            MultiText: ranked.Select(i => $"s0={F(Num("class_similarity", i), "0.##")} {LineKey(i)}").ToArray(),
            Name: "configurations without collapse"),
        "Stability of the configurations that never collapsed", "split ratio SD across seeds", "agreement between seeds (ARI)"),
        "Figure 2. The good corner is top left: seeds that split alike and assign particles alike.");

string R(double v) => double.IsNaN(v) ? "NaN" : double.IsInfinity(v) ? "inf" : v.ToString("R", CultureInfo.InvariantCulture);
var csv = new StringBuilder("rank,config_id,class_similarity,margin,split_ratio_mean,split_ratio_std,agreement\n");
for (int r = 0; r < ranked.Length; r++)
{
    long i = ranked[r];
    csv.Append($"{r + 1},{Table.Text(stability, "config_id", i)},{R(Num("class_similarity", i))},{R(Margin(i))},"
        + $"{R(Num("split_ratio_mean", i))},{R(Num("split_ratio_std", i))},{R(Num("agreement", i))}\n");
}
Page.WriteAtomically(Path.Combine(outDir, "03-choosing-settings-ranking.csv"), csv.ToString());
page.Save(Path.Combine(outDir, "03-choosing-settings.html"));
Console.WriteLine($"wrote {Path.Combine(outDir, "03-choosing-settings.html")} ({page.ChartCount} figures) and 03-choosing-settings-ranking.csv");
return 0;

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
