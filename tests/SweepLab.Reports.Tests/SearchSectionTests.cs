using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace SweepLab.Reports.Tests;

/// <summary>
/// The search sections on folders whose searches ended without an edge or stopped early: what the page says and
/// which charts it draws (the found-edge and finished-halving cases run through the real program in the CLI tests).
/// </summary>
public class SearchSectionTests
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>A grid folder turned into a boundary search's: class_similarity {0, 1} is the searched axis.</summary>
    private static IReadOnlyList<FixtureRun> BoundaryFolder(string dir, Func<FixtureRun, FixtureRun, (string Status, double Low, double High, bool? AtLow, bool? AtHigh)> line)
    {
        var runs = SweepFixture.Write(dir, new FixtureSpec { Axes = [("batch_size_per_class", ["1000", "5000"]), ("class_similarity", ["0", "1"])], Failed = new HashSet<int>() });
        var csv = new StringBuilder("config_id,repeat,seed,batch_size_per_class,status,axis,low,high,estimate,outcome_at_low,outcome_at_high,evaluations,low_run_id,high_run_id\n");
        foreach (var pair in runs.GroupBy(r => (r.Settings["batch_size_per_class"], r.Repeat)))
        {
            var low = pair.Single(r => r.Settings["class_similarity"] == "0");
            var high = pair.Single(r => r.Settings["class_similarity"] == "1");
            var (status, lo, hi, atLow, atHigh) = line(low, high);
            string Flag(bool? b) => b is bool v ? (v ? "true" : "false") : "";
            csv.Append(C, $"cfg{pair.Key.Item1},{pair.Key.Repeat},{low.Seed},{pair.Key.Item1},{status},class_similarity,{lo},{hi},{(status == "found" ? (lo + (hi - lo) / 2).ToString(C) : "")},{Flag(atLow)},{Flag(atHigh)},2,{low.RunId},{high.RunId}\n");
        }
        File.WriteAllText(Path.Combine(dir, SearchTables.BoundaryFile), csv.ToString());
        string json = Path.Combine(dir, "sweep.json");
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        doc["search"] = new JsonObject { ["kind"] = "boundary", ["axis"] = "class_similarity", ["low"] = 0.0, ["high"] = 1.0, ["tolerance"] = 0.01, ["outcome"] = "split_ratio < 0.2" };
        File.WriteAllText(json, doc.ToJsonString());
        return runs;
    }

    [SkippableFact]
    public void Lines_without_a_flip_get_a_warning_and_their_outcomes_but_no_edge_chart()
    {
        using var dir = new TempDir();
        BoundaryFolder(dir.Path, (_, _) => ("no_flip", 0, 1, false, false));
        var report = ReportBuilder.BuildReport(dir.Path);
        var section = report.Charts.Where(c => c.Section == "boundary-class-similarity").ToList();
        // Only the outcome panels (2 configurations x 3 seeds, one trace each); no edge chart without an edge.
        Assert.Equal(["split_ratio at every evaluated class_similarity, per configuration (colour = seed)"], section.Select(c => c.Title));
        Assert.Equal(6, section[0].TraceCount);
        Assert.Contains("No line found an edge: for every configuration and seed, &#39;split_ratio &lt; 0.2&#39; is the same at 0 and 1.", report.Html);
        Assert.Contains("| batch_size_per_class=1000 | 3 | 0 | n/a | n/a | n/a | n/a | n/a | none / none / none | false at both ends: 3 | 0/0 |", report.Markdown);
        // Both sides are linked even where nothing flipped.
        var sweep = SweepOutput.Load(dir.Path);
        Assert.All(sweep.Boundary!, l => Assert.Contains($"href=\"runs/{l.LowRunId}/\"", report.Html));

        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        ReportWriter.Write(dir.Path);
        RenderChecks.AssertEveryChartDrew(Chromium.DumpDom(Path.Combine(dir.Path, ReportWriter.ReportFile)), report.Charts);
    }

    [Fact]
    public void Edges_carry_their_spread_across_seeds_and_a_sweep_file_for_both_sides()
    {
        using var dir = new TempDir();
        // Seeds put the edge at 0.2, 0.25 and 0.3 (brackets 0.02 wide) for batch 1000; batch 5000 never flips.
        BoundaryFolder(dir.Path, (low, _) => low.Settings["batch_size_per_class"] == "1000"
            ? ("found", 0.19 + 0.05 * low.Repeat, 0.21 + 0.05 * low.Repeat, false, true)
            : ("no_flip", 0, 1, true, true));
        var sweep = SweepOutput.Load(dir.Path);
        var edges = EdgeSummary.Of(sweep.Boundary!, sweep.Info.Varying);
        var found = edges.Single(e => e.Label == "batch_size_per_class=1000");
        Assert.Equal([0.2, 0.25, 0.3], found.Estimates.Select(e => Math.Round(e, 12)));
        Assert.Equal(0.25, found.Edge.Mean, 12);
        Assert.Equal(0.05, found.Edge.Std, 12);
        Assert.Equal(0.1, found.Range, 12);
        Assert.Equal(0.02, found.WidestBracket, 12);
        Assert.Equal("true at both ends: 3", edges.Single(e => e.Label == "batch_size_per_class=5000").NoFlipOutcomes);

        var report = ReportBuilder.BuildReport(sweep);
        var section = report.Charts.Where(c => c.Section == "boundary-class-similarity").ToList();
        Assert.Equal(2, section.Count);
        Assert.Equal(3, section[0].TraceCount); // the edge chart: one trace per seed, found lines only
        var line = sweep.Boundary!.First(l => l.Found);
        string yaml = ReproduceYaml.ForBracket(sweep.Info, line);
        Assert.Contains(string.Create(C, $"grid:\n  class_similarity: [{line.Low:R}, {line.High:R}]\n"), yaml);
        Assert.Contains("  batch_size_per_class: 1000\n", yaml);
        Assert.DoesNotContain("  class_similarity:", yaml.Split("grid:")[0]);
        Assert.Contains($"repeats: {line.Repeat + 1}\n", yaml);
    }
}
