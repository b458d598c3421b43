using System.Text.Json;
using SweepLab.Cli.Sweeping;
using SweepLab.Engine.Configuration;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>
/// Every knob declared in the engine reaches the CLI, the sweep file, result.json and the README, with nothing but
/// its declaration: a knob added without a value below fails here, so it cannot be forgotten on any path.
/// </summary>
public class KnobCoverageTests
{
    /// <summary>A non-default value per key, valid together on the 400-particle, 32 px, 6 A set of the CLI tests.</summary>
    private static readonly Dictionary<string, string> NonDefault = new()
    {
        ["classes"] = "3",
        ["target_resolution_angstrom"] = "14",
        ["initialisation"] = "pca",
        ["init_subset_size"] = "60",
        ["init_lowpass_resolution_angstrom"] = "25",
        ["pca_reconstruction_count"] = "6",
        ["pca_component_count"] = "2",
        ["class_similarity"] = "0.3",
        ["similarity_anneal_start"] = "1",
        ["similarity_anneal_end"] = "1ep",
        ["similarity_model"] = "tempered",
        ["auto_similarity_target_ess_fraction"] = "0.8",
        ["learning_rate_init"] = "0.5",
        ["learning_rate_half_life_iterations"] = "0.5ep",
        ["batch_size_per_class"] = "40",
        ["oem_epochs"] = "2",
        ["min_oem_iterations"] = "4",
        ["full_batch_iterations"] = "2",
        ["hard_classification"] = "soft_then_hard:2ep",
        ["convergence_switch_fraction"] = "0.01",
        ["collapse_floor_fraction"] = "0.05",
        ["noise_model"] = "white",
        ["noise_update"] = "per_iteration",
        ["tau2_source"] = "consensus",
        ["resolution_schedule"] = "grow",
        ["regularisation_tau2_fudge"] = "2",
        ["mask_radius_angstrom"] = "80",
        ["auto_mask"] = "true",
        ["auto_mask_threshold"] = "0.2",
        ["seed"] = "7",
    };

    [Fact]
    public void The_table_has_a_non_default_value_for_every_knob()
    {
        Assert.Equal(Knobs.All.Select(k => k.Key).OrderBy(k => k, StringComparer.Ordinal), NonDefault.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var knob in Knobs.All) Assert.NotEqual(knob.DefaultText, NonDefault[knob.Key]);
    }

    [Fact]
    public void Every_knob_option_reaches_the_engine_from_the_command_line()
    {
        string[] args = ["classify", "--particles", "p.star", "--out", "o", .. Knobs.All.SelectMany(k => new[] { "--" + k.Option, NonDefault[k.Key] })];
        var (remaining, settings) = KnobArguments.Extract(args);
        Assert.Equal(["classify", "--particles", "p.star", "--out", "o"], remaining);
        var config = ConfigSettings.Apply(settings, pixelSizeAngstrom: 6, particleCount: 400);
        Assert.Equal(NonDefault.OrderBy(p => p.Key, StringComparer.Ordinal), config.ToCanonicalDictionary());
        // --name=value, a flag without a value, and a refusal naming the option
        var (_, flag) = KnobArguments.Extract(["classify", "--auto-mask", "--classes=4"]);
        Assert.Equal([new("auto_mask", "true"), new("classes", "4")], flag);
        var missing = Assert.Throws<UserInputException>(() => KnobArguments.Extract(["classify", "--class-similarity"]));
        Assert.StartsWith("--class-similarity: needs a value", missing.Message);
        Assert.Contains("--anneal-end", KnobArguments.Help());
    }

    [Fact]
    public void Every_knob_reaches_the_engine_from_the_sweep_file()
    {
        string yaml = "name: every-knob\ndataset:\n  particles: p.star\nbase:\n"
            + string.Concat(NonDefault.Where(p => p.Key != "seed").Select(p => $"  {p.Key}: {p.Value}\n"))
            + "seed: 7\n";
        var plan = SweepPlanner.Plan(SweepSpecYaml.Parse(yaml, "sweep.yaml"));
        var run = Assert.Single(plan.Runs);
        var config = ConfigSettings.Apply(EngineObjective.Settings(run), pixelSizeAngstrom: 6, particleCount: 400);
        var expected = NonDefault.ToDictionary(p => p.Key, p => p.Value);
        expected["seed"] = run.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), config.ToCanonicalDictionary());
    }

    [Fact]
    public void Every_knob_reaches_result_json_through_a_real_run()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, "simulate", "--out", "data", "--particles", "400", "--box", "32", "--pixel-size", "6", "--snr", "0.3",
            "--subunit-mass", "0.3", "--seed", "3").ExitCode);
        string[] args = ["classify", "--particles", "data/particles.star", "--out", "class", .. Knobs.All.SelectMany(k => new[] { "--" + k.Option, NonDefault[k.Key] })];
        var outcome = CliRunner.Run(temp.Path, args);
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "class", "result.json"))).RootElement;
        foreach (var (key, value) in NonDefault)
            Assert.Equal(value, result.GetProperty("config").GetProperty(key).GetString());
        // the schedule points in both units: 400 particles, batch 3 x 40 = 120, 10/3 iterations per epoch
        var timeline = result.GetProperty("timeline");
        Assert.Equal(400.0 / 120, timeline.GetProperty("iterations_per_epoch").GetDouble(), 12);
        Assert.Equal(4, timeline.GetProperty("similarity_anneal_end_iteration").GetDouble()); // ceil(1 x 10/3)
        Assert.Equal(7, timeline.GetProperty("hard_switch_iteration").GetDouble()); // ceil(2 x 10/3)
        Assert.Equal(2, timeline.GetProperty("hard_switch_epochs").GetDouble(), 0.11);
        Assert.Equal(5.0 / 3, timeline.GetProperty("learning_rate_half_life_iterations").GetDouble(), 12);
    }

    [Fact]
    public void The_readme_knob_table_is_the_declarations()
    {
        string readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        const string begin = "<!-- knobs:begin (generated from src/SweepLab.Engine/Configuration/Knobs.cs by `sweeplab knobs`; a test keeps it equal) -->\n";
        const string end = "<!-- knobs:end -->";
        int at = readme.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(at >= 0, "README.md lacks the knob table markers");
        int stop = readme.IndexOf(end, at, StringComparison.Ordinal);
        Assert.Equal(Knobs.MarkdownTable(), readme[(at + begin.Length)..stop]);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SweepLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("SweepLab.sln not found above the test binaries");
    }
}
