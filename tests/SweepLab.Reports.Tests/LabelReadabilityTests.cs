using System.Globalization;
using System.Text.Json;

namespace SweepLab.Reports.Tests;

/// <summary>
/// Labels stay readable at any configuration count: on a 1,200-configuration sweep no chart prints more tick labels
/// than its axis has room for (14 px each on vertical axes, the text's width on horizontal ones), labels are cut to
/// 48 characters, and the ESS heatmap draws at most 60 rows and says which.
/// </summary>
public class LabelReadabilityTests
{
    private static string[] Values(int count, Func<int, double> value) =>
        Enumerable.Range(0, count).Select(i => value(i).ToString("R", CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void A_sweep_of_1200_configurations_labels_every_axis_readably()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec
        {
            Axes =
            [
                ("class_similarity", Values(40, i => Math.Round(i * 0.025, 3))),
                ("batch_size_per_class", Values(30, i => 500 + 250 * i)),
            ],
            Seeds = 1, Iterations = 4, Maps = false, Failed = new HashSet<int>(),
        });
        var report = ReportBuilder.BuildReport(dir.Path);
        var figures = ReportStructureTests.AssertWellFormed(report);
        Assert.Equal(1200, report.Summary.Configs.Count);

        var ess = report.Charts.Single(c => c.Section == "ess");
        var essFigure = figures[ess.Id];
        var rows = essFigure.GetProperty("data")[0].GetProperty("y").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(60, rows.Count);
        Assert.StartsWith("#1 ", rows[0]);
        Assert.StartsWith("#1200 ", rows[^1]); // the worst-ranked close the chart
        Assert.All(rows, r => Assert.True(r.Length <= 48, r));
        Assert.Contains("60 of 1200 configurations", report.Html);

        int checkedAxes = 0;
        foreach (var (id, figure) in figures)
        {
            var layout = figure.GetProperty("layout");
            double height = layout.GetProperty("height").GetDouble();
            foreach (var axis in layout.EnumerateObject().Where(p => p.Name.StartsWith("xaxis", StringComparison.Ordinal) || p.Name.StartsWith("yaxis", StringComparison.Ordinal)))
            {
                if (!axis.Value.TryGetProperty("type", out var type) || type.GetString() != "category") continue;
                bool vertical = axis.Name.StartsWith('y');
                var categories = CategoriesOn(figure, axis.Name);
                if (categories.Count == 0) continue;
                int step = axis.Value.TryGetProperty("dtick", out var d) ? d.GetInt32() : 1;
                int labelled = (categories.Count + step - 1) / step;
                double[] domain = axis.Value.TryGetProperty("domain", out var dom) ? [dom[0].GetDouble(), dom[1].GetDouble()] : [0, 1];
                double pixels = (domain[1] - domain[0]) * (vertical ? height - 120 : 1100);
                double need = vertical ? 13.9 : 7 * Math.Min(48, categories.Max(c => c.Length));
                Assert.True(pixels / labelled >= need, $"{id} {axis.Name}: {labelled} labels of {categories.Count} on {pixels:0} px");
                checkedAxes++;
            }
            foreach (var trace in figure.GetProperty("data").EnumerateArray().Where(t => t.GetProperty("type").GetString() == "parcoords"))
                foreach (var dimension in trace.GetProperty("dimensions").EnumerateArray().Where(x => x.TryGetProperty("ticktext", out _)))
                {
                    Assert.True(dimension.GetProperty("ticktext").GetArrayLength() * 14 <= 360, dimension.GetProperty("label").GetString());
                    checkedAxes++;
                }
        }
        Assert.True(checkedAxes >= 6, $"only {checkedAxes} category axes checked");
    }

    /// <summary>The categories a trace puts on an axis (x or y of the traces anchored to it).</summary>
    private static List<string> CategoriesOn(JsonElement figure, string axisName)
    {
        string letter = axisName[..1], suffix = axisName[5..];
        string reference = letter + suffix;
        var result = new List<string>();
        foreach (var trace in figure.GetProperty("data").EnumerateArray())
        {
            string traceAxis = trace.TryGetProperty(letter + "axis", out var a) ? a.GetString()! : letter;
            if (traceAxis != reference || !trace.TryGetProperty(letter, out var values) || values.ValueKind != JsonValueKind.Array) continue;
            foreach (var v in values.EnumerateArray())
            {
                string text = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
                if (!result.Contains(text)) result.Add(text);
            }
        }
        return result;
    }
}
