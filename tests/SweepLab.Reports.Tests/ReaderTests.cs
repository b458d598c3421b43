using SweepLab.Formats;

namespace SweepLab.Reports.Tests;

public class ReaderTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
    [Fact]
    public void Reads_every_run_with_its_settings_and_metrics()
    {
        var output = SweepOutput.Load(sweep.Dir);
        Assert.Equal(sweep.Runs.Count, output.Runs.Count);
        Assert.Equal(108, output.Runs.Count);
        Assert.Equal(["class_similarity", "batch_size_per_class", "hard_classification"], output.Info.Varying);
        Assert.True(output.HasTruth);
        foreach (var (expected, actual) in sweep.Runs.Zip(output.Runs))
        {
            Assert.Equal(expected.RunId, actual.RunId);
            Assert.Equal(expected.ConfigId, actual.ConfigId);
            Assert.Equal(expected.Seed, actual.Seed);
            Assert.Equal(expected.Status, actual.Status.ToString().ToLowerInvariant());
            Assert.Equal(expected.Settings["hard_classification"], actual.Settings["hard_classification"]);
            foreach (var (name, value) in expected.Metrics)
                Assert.Equal(value, actual.Metric(name)); // round-trip text: bit-exact
            if (expected.Status == "failed") Assert.True(double.IsNaN(actual.Metric("split_ratio")));
        }
        Assert.Equal(2, output.Runs.Count(r => r.Status == RunStatus.Failed));
        Assert.Contains("worst_class_fsc_resolution_angstrom", output.MetricNames);
        Assert.DoesNotContain("class_similarity", output.MetricNames);
    }

    [Fact]
    public void Aligns_iteration_series_and_keeps_NaN()
    {
        var output = SweepOutput.Load(sweep.Dir);
        var run = output.Iterations[sweep.Runs.First(r => r.Status == "complete").RunId];
        Assert.Equal(Enumerable.Range(1, 60), run.Iterations);
        var changed = run.Get("fraction_changed")!;
        Assert.True(double.IsNaN(changed[0]) && double.IsNaN(changed[4]));
        Assert.Equal(0.4 * Math.Exp(-6 / 12.0), changed[5], 15);
        Assert.Equal(Math.Pow(0.5, 3 / 15.0), run.Get("learning_rate")![2], 15);
        Assert.Null(run.Get("no_such_metric"));
        var pruned = output.Iterations[sweep.Runs.First(r => r.Status == "pruned").RunId];
        Assert.Equal(25, pruned.Iterations.Count);
    }

    [Fact]
    public void Reads_result_json_with_named_NaN_and_class_maps()
    {
        var output = SweepOutput.Load(sweep.Dir);
        var run = sweep.Runs.First(r => r.Status == "complete");
        var detail = output.Detail(run.RunId)!;
        Assert.Equal(20, detail.EssHistogram.Count);
        Assert.Equal(run.Metrics["largest_class_fraction"], detail.ClassFractionsHard[0]);
        Assert.Equal([0, 1], detail.TrueClassOfClass!);
        Assert.Equal(2, output.ClassMaps(run.RunId).Count);
        var failed = sweep.Runs.First(r => r.Status == "failed");
        Assert.Null(output.Detail(failed.RunId));
        Assert.Empty(output.ClassMaps(failed.RunId));
        var group = sweep.Runs.Where(r => r.ConfigId == run.ConfigId && r.Status != "failed").ToList();
        Assert.Equal(group.All(r => r.Metrics["collapsed"] == 0) ? 0.9 : 0.3, output.Agreement[run.ConfigId]);
    }

    [Fact]
    public void A_varying_setting_missing_from_settings_is_taken_from_results_csv()
    {
        // sweep.json of adaptive searches written before the fix listed the searched axis under 'varying' only.
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("batch_size_per_class", ["1000", "5000"]), ("class_similarity", ["0", "0.5"])], Failed = new HashSet<int>() });
        string json = Path.Combine(dir.Path, "sweep.json");
        var doc = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!;
        var settings = doc["settings"]!.AsArray();
        settings.Remove(settings.Single(n => n!.GetValue<string>() == "class_similarity"));
        File.WriteAllText(json, doc.ToJsonString());
        var output = SweepOutput.Load(dir.Path);
        Assert.Equal("class_similarity", output.Info.Settings[^1]);
        Assert.Equal(["0", "0.5"], output.Runs.Select(r => r.Settings["class_similarity"]).Distinct().Order());
        Assert.Null(output.Info.Search);
        Assert.Null(output.Boundary);
    }

    [Fact]
    public void Bad_input_names_file_and_line()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("class_similarity", ["0", "0.1"])], Seeds = 2, Maps = false, Failed = new HashSet<int>() });
        string results = Path.Combine(dir.Path, "results.csv");
        var lines = File.ReadAllLines(results);
        lines[3] = lines[3].Replace(",complete,", ",finished,", StringComparison.Ordinal).Replace(",pruned,", ",finished,", StringComparison.Ordinal);
        File.WriteAllLines(results, lines);
        var e = Assert.Throws<DataFormatException>(() => SweepOutput.Load(dir.Path));
        Assert.Contains("results.csv", e.Message);
        Assert.Equal(4, e.LineNumber);
        Assert.Contains("finished", e.Message);

        lines[3] = lines[3].Replace(",finished,", ",complete,", StringComparison.Ordinal);
        var cells = lines[2].Split(',');
        cells[^1] = "abc";
        lines[2] = string.Join(',', cells);
        File.WriteAllLines(results, lines);
        e = Assert.Throws<DataFormatException>(() => SweepOutput.Load(dir.Path));
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("'abc' is not a number", e.Message);

        File.WriteAllText(Path.Combine(dir.Path, "sweep.json"), """{"name": "x", "settings": ["classes"], "varying": ["nope"]}""");
        e = Assert.Throws<DataFormatException>(() => SweepOutput.Load(dir.Path));
        Assert.Contains("sweep.json", e.Message);
        Assert.Contains("nope", e.Message);

        Assert.Throws<DirectoryNotFoundException>(() => SweepOutput.Load(Path.Combine(dir.Path, "missing")));
    }

    [Fact]
    public void Short_records_and_broken_quoting_name_file_and_line()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("class_similarity", ["0", "0.1"])], Seeds = 2, Maps = false, Failed = new HashSet<int>() });
        // A record without its value read as NaN before; now it is an error on its line.
        string iterations = Path.Combine(dir.Path, "iterations.csv");
        var lines = File.ReadAllLines(iterations);
        lines[4] = lines[4][..lines[4].LastIndexOf(',')];
        File.WriteAllLines(iterations, lines);
        var e = Assert.Throws<DataFormatException>(() => SweepOutput.Load(dir.Path));
        Assert.Equal((iterations, 5), (e.FilePath, e.LineNumber));
        Assert.Contains("3 fields, header has 4", e.Message);

        File.Delete(iterations);
        string results = Path.Combine(dir.Path, "results.csv");
        lines = File.ReadAllLines(results);
        lines[2] = "\"" + lines[2];
        File.WriteAllLines(results, lines);
        e = Assert.Throws<DataFormatException>(() => SweepOutput.Load(dir.Path));
        Assert.Equal((results, 3), (e.FilePath, e.LineNumber));
        Assert.Contains("malformed CSV", e.Message);
    }
}
