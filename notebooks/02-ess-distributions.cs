#!/usr/bin/env -S dotnet run
// Per-particle ESS: does class similarity 0 leave particles between classes?
//
//   dotnet run notebooks/02-ess-distributions.cs [SWEEP_DIR] [OUT_DIR]
//
// ESS_n = 1 / sum_k p_nk^2 is a particle's effective number of classes: 1 when its posterior is one-hot, K when it is
// spread evenly over K classes. Each run records the 20-bin histogram over [1, K] of the final per-particle ESS
// (runs/<id>/result.json, "ess_histogram"; or ess_histograms.csv, the same counts collected by
// experiments/export_notebook_data.py) and the mean ESS of every iteration's batch (iterations.csv, metric mean_ess).
// SWEEP_DIR defaults to data/ess-spread beside this file: experiment 1's hard dataset (3000 simulated particles,
// SNR 0.05, two classes 50/50; class similarity 0, 0.3, 0.6, 0.9 annealed to 0 between iterations 2 and 8; soft and
// force-hard; 3 seeds). OUT_DIR (default out/ beside this file) receives 02-ess-distributions.html and
// 02-ess-distributions-numbers.csv (the ESS tail per schedule and class similarity).
#:property ManagePackageVersionsCentrally=false
#:package Microsoft.Data.Analysis@0.23.1
#:package Plotly.NET@6.0.0
#:package Plotly.NET.CSharp@0.14.0
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Analysis;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Chart = Plotly.NET.CSharp.Chart;

string here = AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".";
string sweep = args.Length > 0 ? args[0] : Path.Combine(here, "data", "ess-spread");
string outDir = args.Length > 1 ? args[1] : Path.Combine(here, "out");
// Numbers on the page and in the CSV are written as SweepLab's tables write them, whatever the machine's culture.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
foreach (string required in new[] { "results.csv", "iterations.csv" })
    if (!File.Exists(Path.Combine(sweep, required)))
    {
        Console.Error.WriteLine($"{Path.Combine(sweep, required)}: not found; SWEEP_DIR must be a folder that `sweeplab run` wrote");
        return 2;
    }
Directory.CreateDirectory(outDir);

var results = Table.Load(Path.Combine(sweep, "results.csv"));
var iterations = Table.Load(Path.Combine(sweep, "iterations.csv"));
bool hasSchedule = results.Columns.Any(c => c.Name == "hard_classification");

// run id -> (class similarity, schedule); finished runs only.
var runs = Enumerable.Range(0, (int)results.Rows.Count).Select(i => (long)i)
    .Where(i => Table.Text(results, "status", i) != "failed")
    .ToDictionary(i => Table.Text(results, "run_id", i),
        i => (S: Table.Num(results, "class_similarity", i), Hard: hasSchedule ? Table.Text(results, "hard_classification", i) : "soft",
              Classes: (int)Table.Num(results, "classes", i)));
var similarities = runs.Values.Select(r => r.S).Distinct().OrderBy(s => s).ToArray();
var schedules = runs.Values.Select(r => r.Hard).Distinct().OrderBy(h => h, StringComparer.Ordinal).ToArray();

// Each run's histogram as (bin low edge, bin high edge, count), from ess_histograms.csv or the run's result.json.
var histograms = new Dictionary<string, (double Low, double High, double Count)[]>();
string collected = Path.Combine(sweep, "ess_histograms.csv");
if (File.Exists(collected))
{
    var h = Table.Load(collected);
    foreach (var g in Enumerable.Range(0, (int)h.Rows.Count).Select(i => (long)i).GroupBy(i => Table.Text(h, "run_id", i)))
        histograms[g.Key] = g.OrderBy(i => Table.Num(h, "bin", i))
            .Select(i => (Table.Num(h, "ess_low", i), Table.Num(h, "ess_high", i), Table.Num(h, "count", i))).ToArray();
}
else
    foreach (var (id, run) in runs)
    {
        string path = Path.Combine(sweep, "runs", id, "result.json");
        if (!File.Exists(path)) continue;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var counts = doc.RootElement.GetProperty("ess_histogram").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double width = (run.Classes - 1) / (double)counts.Length;
        histograms[id] = counts.Select((c, b) => (1 + b * width, 1 + (b + 1) * width, c)).ToArray();
    }
if (histograms.Count == 0) throw new InvalidOperationException($"{sweep}: no ESS histograms (neither ess_histograms.csv nor runs/*/result.json)");

// Mean over seeds of the fraction of particles per bin, with its sample SD across seeds.
(double[] Centre, double[] Mean, double[] Sd, string[] Ids) Distribution(string schedule, double s)
{
    var ids = runs.Where(r => r.Value.Hard == schedule && r.Value.S == s && histograms.ContainsKey(r.Key)).Select(r => r.Key).ToArray();
    if (ids.Length == 0) return ([], [], [], []);
    var fractions = ids.Select(id => { double n = histograms[id].Sum(b => b.Count); return histograms[id].Select(b => b.Count / n).ToArray(); }).ToArray();
    int bins = fractions[0].Length;
    var mean = Enumerable.Range(0, bins).Select(b => fractions.Average(f => f[b])).ToArray();
    var sd = Enumerable.Range(0, bins).Select(b => fractions.Length > 1
        ? Math.Sqrt(fractions.Sum(f => (f[b] - mean[b]) * (f[b] - mean[b])) / (fractions.Length - 1)) : 0).ToArray();
    return (histograms[ids[0]].Select(b => 0.5 * (b.Low + b.High)).ToArray(), mean, sd, ids);
}

var page = new Page($"Per-particle ESS: {Path.GetFileName(Path.GetFullPath(sweep))}");
page.Paragraph($"{runs.Count} runs; class similarities {string.Join(", ", similarities)}; schedules {string.Join(", ", schedules)}.");

// Figure 1: final per-particle ESS distributions (log scale: almost every particle sits at ESS ~ 1; the tail is the
// question). Empty bins are left out: a log axis has no 0.
var curves = new List<GenericChart>();
foreach (var schedule in schedules)
    foreach (var s in similarities)
    {
        var (centre, mean, sd, ids) = Distribution(schedule, s);
        if (ids.Length == 0) continue;
        var kept = Enumerable.Range(0, mean.Length).Where(b => mean[b] > 0).ToArray();
        curves.Add(Plot.WithErrorBars(Chart.Line<double, double, string>(x: kept.Select(b => centre[b]).ToArray(),
            y: kept.Select(b => mean[b]).ToArray(), ShowMarkers: true, Name: $"{schedule}, s0 = {s}"), kept.Select(b => sd[b])));
    }
var figure1 = Plotly.NET.CSharp.GenericChartExtensions.WithYAxisStyle<double, double, string>(Chart.Combine(curves),
    AxisType: StyleParam.AxisType.Log);
page.Chart(Plot.Styled(figure1, "Final per-particle ESS", "per-particle ESS (effective number of classes)", "fraction of particles"),
    "Figure 1. Mean over seeds of the fraction of particles per ESS bin; error bars: SD across seeds. Force-hard runs are one-hot by construction.");

// The tail as numbers: the fraction of particles with ESS at or above 1.1 and 1.5 (bin edges for K = 2).
double Above(string id, double threshold) =>
    histograms[id].Where(b => b.Low >= threshold - 1e-9).Sum(b => b.Count) / histograms[id].Sum(b => b.Count);
static (double Mean, double Sd) MeanSd(double[] v)
{
    double m = v.Average();
    return (m, v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1)) : double.NaN);
}
var tail = new List<string[]>();
var csv = new StringBuilder("schedule,class_similarity,runs,ess_above_1_1_mean,ess_above_1_1_std,ess_above_1_5_mean,ess_above_1_5_std\n");
string R(double v) => double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);
foreach (var schedule in schedules)
    foreach (var s in similarities)
    {
        var ids = Distribution(schedule, s).Ids;
        if (ids.Length == 0) continue;
        var a = MeanSd(ids.Select(id => Above(id, 1.1)).ToArray());
        var b = MeanSd(ids.Select(id => Above(id, 1.5)).ToArray());
        tail.Add([schedule, s.ToString(CultureInfo.InvariantCulture), ids.Length.ToString(CultureInfo.InvariantCulture),
            $"{a.Mean:0.0000} ± {a.Sd:0.0000}", $"{b.Mean:0.0000} ± {b.Sd:0.0000}"]);
        csv.Append($"{schedule},{R(s)},{ids.Length},{R(a.Mean)},{R(a.Sd)},{R(b.Mean)},{R(b.Sd)}\n");
    }
page.Table(["schedule", "class similarity", "runs", "ESS ≥ 1.1 (mean ± SD)", "ESS ≥ 1.5 (mean ± SD)"], tail);

// Figure 2: mean ESS of each iteration's batch while the similarity anneals (soft runs; mean over seeds). This is
// where class similarity acts: it widens the posteriors early and lets them sharpen once it reaches 0.
var meanEss = new List<GenericChart>();
var rowsByRun = Enumerable.Range(0, (int)iterations.Rows.Count).Select(i => (long)i)
    .Where(i => Table.Text(iterations, "metric", i) == "mean_ess")
    .ToLookup(i => Table.Text(iterations, "run_id", i));
foreach (var s in similarities)
{
    var ids = runs.Where(r => r.Value.Hard == schedules.FirstOrDefault(h => h is "soft" or "off", schedules[0]) && r.Value.S == s).Select(r => r.Key);
    var points = ids.SelectMany(id => rowsByRun[id]).GroupBy(i => Table.Num(iterations, "iteration", i)).OrderBy(g => g.Key)
        .Select(g => (Iteration: g.Key, Mean: g.Average(i => Table.Num(iterations, "value", i)))).ToArray();
    if (points.Length == 0) continue;
    meanEss.Add(Chart.Line<double, double, string>(x: points.Select(p => p.Iteration).ToArray(),
        y: points.Select(p => p.Mean).ToArray(), ShowMarkers: true, Name: $"s0 = {s}"));
}
if (meanEss.Count > 0)
    page.Chart(Plot.Styled(Chart.Combine(meanEss), "Mean ESS per iteration (soft runs, mean over seeds)", "iteration", "mean ESS of the batch"),
        "Figure 2. The similarity widens the posteriors early and lets them sharpen once it has annealed to 0.");

Page.WriteAtomically(Path.Combine(outDir, "02-ess-distributions-numbers.csv"), csv.ToString());
page.Save(Path.Combine(outDir, "02-ess-distributions.html"));
Console.WriteLine($"wrote {Path.Combine(outDir, "02-ess-distributions.html")} ({page.ChartCount} figures) and 02-ess-distributions-numbers.csv");
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
