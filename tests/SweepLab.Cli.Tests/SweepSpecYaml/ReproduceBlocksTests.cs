using System.Text.Json;
using SweepLab.Reports;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Tests;

/// <summary>The dataset and seed blocks the CLI serialises into sweep.json, so reports copy them without reading YAML.</summary>
public class ReproduceBlocksTests
{
    private const string Sweep = """
        name: blocks   # a comment
        dataset:
          # where the particles come from
          simulate: {particles: 2000, classes: 2, box: 16}
          star: "a b.star"
          truth: [a.csv, 'b.csv']
          extra:
            - 1
            - two
        base:
          classes: 2
        seed: 42
        """;

    [Fact]
    public void Blocks_keep_the_files_style_and_drop_comments()
    {
        var blocks = SweepSpecYaml.TopLevelYaml(Sweep, "dataset", "seed", "grid");
        Assert.Equal("""
            dataset:
              simulate: {particles: 2000, classes: 2, box: 16}
              star: "a b.star"
              truth: [a.csv, 'b.csv']
              extra:
                - 1
                - two

            """.ReplaceLineEndings("\n"), blocks["dataset"]);
        Assert.Equal("seed: 42\n", blocks["seed"]);
        Assert.Null(blocks["grid"]);
    }

    [Fact]
    public void A_reproduce_file_reads_back_to_the_same_dataset_and_seed()
    {
        var blocks = SweepSpecYaml.TopLevelYaml(Sweep, "dataset", "seed");
        var original = SweepSpecYaml.Parse(Sweep);
        var copy = SweepSpecYaml.Parse($"name: copy\n{blocks["dataset"]}base:\n  classes: 2\nrepeats: 1\n{blocks["seed"]}");
        Assert.Equal(original.Seed.Value, copy.Seed.Value);
        Assert.Equal(Shape(original.Dataset), Shape(copy.Dataset));
        // Serialising a serialised block changes nothing.
        Assert.Equal(blocks["dataset"], SweepSpecYaml.TopLevelYaml(blocks["dataset"]!, "dataset")["dataset"]);
    }

    [Fact]
    public void Text_a_sweep_file_may_not_hold_is_refused()
    {
        Assert.Throws<SweepSpecException>(() => SweepSpecYaml.TopLevelYaml("dataset: &a {x: 1}\nseed: *a\n", "dataset"));
        Assert.Throws<SweepSpecException>(() => SweepSpecYaml.TopLevelYaml("- a list\n", "dataset"));
    }

    [Fact]
    public void An_older_sweep_json_gets_its_blocks_from_its_copy_of_the_sweep_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sweeplab-blocks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "results.csv"), "run_id,config_id,repeat,seed,status,pruned_at_iteration\nc0-r0,c0,0,1,failed,\n");
            void SweepJson(object json) => File.WriteAllText(Path.Combine(dir, "sweep.json"), JsonSerializer.Serialize(json));

            SweepJson(new { name = "old", settings = Array.Empty<string>(), varying = Array.Empty<string>(), yaml = Sweep });
            Assert.Null(SweepOutput.Load(dir).Info.Reproduce);
            var blocks = SweepSpecYaml.TopLevelYaml(Sweep, "dataset", "seed");
            Assert.Equal(new ReproduceBlocks(blocks["dataset"], blocks["seed"]), SweepFolders.Load(dir).Info.Reproduce);

            // A newer sweep.json's blocks are taken as written; a copy that no longer parses leaves them unset.
            SweepJson(new { name = "new", settings = Array.Empty<string>(), varying = Array.Empty<string>(), reproduce = new { dataset = (string?)null, seed = "seed: 7\n" }, yaml = Sweep });
            Assert.Equal(new ReproduceBlocks(null, "seed: 7\n"), SweepFolders.Load(dir).Info.Reproduce);
            SweepJson(new { name = "broken", settings = Array.Empty<string>(), varying = Array.Empty<string>(), yaml = "dataset: [unclosed" });
            Assert.Null(SweepFolders.Load(dir).Info.Reproduce);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The dataset tree without line numbers.</summary>
    private static string Shape(SpecNode node) => node switch
    {
        SpecMap m => "{" + string.Join(",", m.Entries.Select(e => $"{e.Key}:{Shape(e.Value)}")) + "}",
        SpecList l => "[" + string.Join(",", l.Items.Select(Shape)) + "]",
        SpecScalar s => $"{s.Value.Kind}:{s.Value.CanonicalText}",
        _ => throw new ArgumentException(node.GetType().Name),
    };
}
