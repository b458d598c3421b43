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
        var blocks = ReproduceYaml.TopLevelBlocks(yaml);
        Assert.Equal(["name", "dataset", "base", "repeats", "seed"], blocks.Keys);
        Assert.Contains("simulate: {particles: 2000, classes: 2, box: 16}", blocks["dataset"]);
        foreach (string setting in summary.Sweep.Info.Settings)
            Assert.Contains($"  {setting}: {ReproduceYaml.Scalar(best.Settings[setting])}\n", blocks["base"]);
        Assert.Equal("repeats: 3\n", blocks["repeats"]);
        Assert.Equal("seed: 1000\n", blocks["seed"]);
        Assert.StartsWith($"# configuration {best.ConfigId} (rank 1)", yaml);
    }
}
