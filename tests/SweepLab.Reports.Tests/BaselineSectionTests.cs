using System.Globalization;
using SweepLab.Formats;

namespace SweepLab.Reports.Tests;

/// <summary>baselines.csv round trip and the report's Baselines table, on a synthetic sweep folder.</summary>
public class BaselineSectionTests
{
    private static readonly BaselineRow Relion = new("relion", 2, 3, 0.9123456789, 0.75, 0.4285714285714286, 12.345678, "relion_refine --i particles.star --o ../baselines/relion/run --K 2 --iter 5");

    [Fact]
    public void The_table_round_trips_exactly_and_a_bad_field_names_its_line()
    {
        using var dir = new TempDir();
        Assert.Empty(BaselineTable.Read(dir.Path));
        var other = Relion with { Baseline = "other", Accuracy = double.NaN, Command = "tool --a \"quoted, with comma\"" };
        BaselineTable.Write(dir.Path, [Relion, other]);
        Assert.Equal([Relion, other], BaselineTable.Read(dir.Path));

        string path = Path.Combine(dir.Path, BaselineTable.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("0.75", "three quarters", StringComparison.Ordinal));
        var e = Assert.Throws<DataFormatException>(() => BaselineTable.Read(dir.Path));
        Assert.Contains("column 'split_ratio': 'three quarters' is not a number", e.Message);
        Assert.Equal(2, e.LineNumber);
        File.WriteAllText(path, "baseline,classes\nrelion,2\n");
        Assert.Contains("missing column 'seed'", Assert.Throws<DataFormatException>(() => BaselineTable.Read(dir.Path)).Message);
    }

    [Fact]
    public void The_report_shows_baselines_above_the_ranked_table_only_when_the_file_exists()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("batch_size_per_class", ["1000", "5000", "10000"])], Failed = new HashSet<int>() });
        var without = ReportBuilder.BuildReport(dir.Path);
        Assert.DoesNotContain("Baselines", without.Html);
        Assert.DoesNotContain("Baselines", without.Markdown);

        BaselineTable.Write(dir.Path, [Relion]);
        var report = ReportBuilder.BuildReport(dir.Path);
        int baselines = report.Html.IndexOf("<section id=\"baselines\">", StringComparison.Ordinal);
        int ranked = report.Html.IndexOf("<section id=\"ranked\">", StringComparison.Ordinal);
        Assert.True(baselines > 0 && ranked > baselines, "Baselines comes before the ranked table");
        Assert.DoesNotContain("<section", report.Html[(baselines + 10)..ranked]); // right above it
        var best = report.Summary.Ranked[0];
        string bestAccuracy = best.Stat(SweepSummary.Accuracy).FormatInterval("0.####");
        Assert.Contains($"<td>0.9123</td><td>0.75</td><td>12.3</td>", report.Html);
        Assert.Contains($"SweepLab, best-ranked configuration (batch_size_per_class={best.Settings["batch_size_per_class"]})</td><td>{System.Net.WebUtility.HtmlEncode(bestAccuracy)}</td>", report.Html);
        Assert.Contains($"<pre>{Relion.Command}</pre>", report.Html);
        Assert.Contains("| RELION Class3D (no alignment) | 0.9123 | 0.75 | 12.3 |", report.Markdown);
        Assert.True(report.Markdown.IndexOf("## Baselines", StringComparison.Ordinal) < report.Markdown.IndexOf("## Best settings", StringComparison.Ordinal));
        Assert.Contains(Relion.Command, report.Markdown);
        // Same charts with and without: the table adds none.
        Assert.Equal(without.Charts.Select(c => c.Id), report.Charts.Select(c => c.Id));
    }
}
