using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SweepLab.Reports.Tests;

public class ReproduceYamlTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
    [Theory]
    [InlineData("0.1", "0.1")]
    [InlineData("1E-05", "1E-05")]
    [InlineData("10000", "10000")]
    [InlineData("true", "true")]
    [InlineData("soft_then_hard:30", "\"soft_then_hard:30\"")]
    [InlineData("off", "\"off\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    public void Scalars_keep_numbers_plain_and_quote_the_rest(string value, string expected) =>
        Assert.Equal(expected, ReproduceYaml.Scalar(value));

    [Fact]
    public void Snippet_holds_dataset_every_setting_repeats_and_seed()
    {
        var summary = new SweepSummary(SweepOutput.Load(sweep.Dir));
        var best = summary.Ranked[0];
        string yaml = ReproduceYaml.For(summary.Sweep.Info, best);
        var blocks = TopLevelBlocks(yaml);
        Assert.Equal(["name", "dataset", "base", "repeats", "seed"], blocks.Keys);
        Assert.Contains("simulate: {particles: 2000, classes: 2, box: 16}", blocks["dataset"]);
        foreach (string setting in summary.Sweep.Info.Settings)
            Assert.Contains($"  {setting}: {ReproduceYaml.Scalar(best.Settings[setting])}\n", blocks["base"]);
        Assert.Equal("repeats: 3\n", blocks["repeats"]);
        Assert.Equal("seed: 1000\n", blocks["seed"]);
        Assert.StartsWith($"# configuration {best.ConfigId} (rank 1)", yaml);
    }

    [Fact]
    public void Blocks_are_copied_from_sweep_json_not_from_its_yaml()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("class_similarity", ["0", "0.1"])], Seeds = 2, Maps = false });
        string json = Path.Combine(dir.Path, "sweep.json");
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        doc["reproduce"] = new JsonObject { ["dataset"] = "dataset:\n  star: \"a b.star\"\n", ["seed"] = null };
        doc["yaml"] = "not: [valid yaml";
        File.WriteAllText(json, doc.ToJsonString());
        var summary = new SweepSummary(SweepOutput.Load(dir.Path));
        Assert.Equal(new ReproduceBlocks("dataset:\n  star: \"a b.star\"\n", null), summary.Sweep.Info.Reproduce);
        var blocks = TopLevelBlocks(ReproduceYaml.For(summary.Sweep.Info, summary.Ranked[0]));
        Assert.Equal(["name", "dataset", "base", "repeats"], blocks.Keys);
        Assert.Equal("dataset:\n  star: \"a b.star\"\n", blocks["dataset"]);
    }

    [Fact]
    public void A_sweep_json_without_blocks_gets_notes_in_their_place()
    {
        using var dir = new TempDir();
        SweepFixture.Write(dir.Path, new FixtureSpec { Axes = [("class_similarity", ["0", "0.1"])], Seeds = 2, Maps = false });
        string json = Path.Combine(dir.Path, "sweep.json");
        var doc = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        doc.Remove("reproduce");
        File.WriteAllText(json, doc.ToJsonString());
        var summary = new SweepSummary(SweepOutput.Load(dir.Path));
        Assert.Null(summary.Sweep.Info.Reproduce);
        string yaml = ReproduceYaml.For(summary.Sweep.Info, summary.Ranked[0]);
        var blocks = TopLevelBlocks(yaml);
        Assert.Equal(["name", "base", "repeats"], blocks.Keys);
        Assert.Contains("# dataset: as in the original sweep file", yaml);
        Assert.Contains("# seed: as in the original sweep file", yaml);
    }

    /// <summary>Top-level keys of the produced text with their lines (the key's line and the indented, blank or comment
    /// lines under it), so tests can check its layout.</summary>
    private static Dictionary<string, string> TopLevelBlocks(string yaml)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        var current = new StringBuilder();
        void Close()
        {
            if (key is not null) blocks[key] = current.ToString().TrimEnd('\n', ' ', '\t') + "\n";
            key = null;
        }
        foreach (string raw in yaml.Split('\n'))
        {
            var m = Regex.Match(raw, @"^([A-Za-z_][A-Za-z0-9_]*)\s*:");
            if (m.Success)
            {
                Close();
                key = m.Groups[1].Value;
                current.Clear().Append(raw).Append('\n');
            }
            else if (key is not null && (raw.Length == 0 || raw[0] is ' ' or '\t' or '#')) current.Append(raw).Append('\n');
            else Close();
        }
        Close();
        return blocks;
    }
}
