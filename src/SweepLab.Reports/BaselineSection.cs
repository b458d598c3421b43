using System.Globalization;
using System.Text;
using SweepLab.Reports.Html;

namespace SweepLab.Reports;

/// <summary>
/// The "Baselines" table, shown above the ranked table when DIR/baselines.csv exists: each baseline program's
/// accuracy, split ratio and time beside the best-ranked configuration's, and the oracle accuracy (the ceiling: each
/// particle assigned to the nearest true map at its true pose) when the truth is known. The row a method paper needs.
/// </summary>
internal static class BaselineSection
{
    /// <summary>One line of the table, as text.</summary>
    public sealed record Line(string Method, string Accuracy, string SplitRatio, string WallSeconds, string Note);

    /// <summary>The table's lines and the commands that made the baselines' rows; null when there are no baselines.</summary>
    public static (IReadOnlyList<Line> Lines, IReadOnlyList<BaselineRow> Baselines)? Build(SweepSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var baselines = BaselineTable.Read(summary.Sweep.Directory);
        if (baselines.Count == 0) return null;
        var c = CultureInfo.InvariantCulture;
        string F(double v, string format = "0.####") => double.IsFinite(v) ? v.ToString(format, c) : "n/a";
        var lines = new List<Line>();
        foreach (var b in baselines)
            lines.Add(new Line(b.Baseline == "relion" ? "RELION Class3D (no alignment)" : b.Baseline, F(b.Accuracy), F(b.SplitRatio, "0.###"), F(b.WallSeconds, "0.0"),
                string.Create(c, $"K = {b.Classes}, seed {b.Seed}; one run, time includes relion_reconstruct's consensus map")));
        if (summary.Ranked.FirstOrDefault() is { } best)
        {
            var walls = best.Runs.Select(r => summary.Sweep.Detail(r.RunId)?.WallSeconds ?? double.NaN).Where(double.IsFinite).ToList();
            lines.Add(new Line($"SweepLab, best-ranked configuration ({ReportBuilder.Label(summary, best)})",
                summary.Sweep.HasTruth ? best.Stat(SweepSummary.Accuracy).FormatInterval("0.####") : "n/a",
                best.Stat(SweepSummary.SplitRatio).FormatInterval(),
                walls.Count == 0 ? "n/a" : F(walls.Average(), "0.0"),
                string.Create(c, $"mean over {best.Finished} seed(s) (± 95% CI); time per run, data loading shared by the sweep not counted")));
        }
        double oracle = summary.Sweep.Runs.Select(r => r.Metric("oracle_accuracy")).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        if (double.IsFinite(oracle))
            lines.Add(new Line("Oracle (ceiling)", F(oracle), "", "", "each particle to the nearest true map at its true pose"));
        return (lines, baselines);
    }

    public static void Html(HtmlDocument doc, SweepSummary summary)
    {
        if (Build(summary) is not var (lines, baselines)) return;
        doc.Section("baselines", "Baselines");
        var html = new StringBuilder("<table>\n<tr><th class=\"text\">method</th><th>accuracy</th><th>split ratio</th><th>wall seconds</th><th class=\"text\">note</th></tr>\n");
        foreach (var l in lines)
            html.Append($"<tr><td class=\"text\">{HtmlDocument.Text(l.Method)}</td><td>{HtmlDocument.Text(l.Accuracy)}</td><td>{HtmlDocument.Text(l.SplitRatio)}</td><td>{HtmlDocument.Text(l.WallSeconds)}</td><td class=\"text\">{HtmlDocument.Text(l.Note)}</td></tr>\n");
        html.Append("</table>");
        doc.Raw(html.ToString());
        foreach (var b in baselines)
            doc.Raw($"<p class=\"note\">{HtmlDocument.Text(b.Baseline)}'s row was made by this command, run in the particle file's folder (files in baselines/{HtmlDocument.Text(b.Baseline)}/; its --ref map is relion_reconstruct --i PARTICLES --o REF --ctf):</p>\n<pre>{HtmlDocument.Text(b.Command)}</pre>");
    }

    public static void Markdown(StringBuilder md, SweepSummary summary)
    {
        if (Build(summary) is not var (lines, baselines)) return;
        md.Append("## Baselines\n\n| method | accuracy | split ratio | wall seconds | note |\n| --- | --- | --- | --- | --- |\n");
        static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        foreach (var l in lines) md.Append($"| {Cell(l.Method)} | {Cell(l.Accuracy)} | {Cell(l.SplitRatio)} | {Cell(l.WallSeconds)} | {Cell(l.Note)} |\n");
        md.Append('\n');
        foreach (var b in baselines) md.Append($"{b.Baseline}'s row was made by this command, run in the particle file's folder (its --ref map is `relion_reconstruct --i PARTICLES --o REF --ctf`):\n\n```\n{b.Command}\n```\n\n");
    }
}
