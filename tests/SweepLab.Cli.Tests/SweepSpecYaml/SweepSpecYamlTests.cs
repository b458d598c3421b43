using SweepLab.Cli.Commands;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Tests;

public class SweepSpecYamlTests
{
    private const string Example = """
        name: similarity-vs-batch
        dataset:
          simulate:
            particles: 2000
            classes: 2
            snr: 0.05
          truth: [a.csv, b.csv]
        base:
          classes: 2
          iterations: 200
          force_hard: false
          label: "007"
        grid:
          batch_size_per_class: [1000, 5000, 10_000]
          class_similarity: {linspace: [0.0, 0.3, 4]}
          learning_rate: {logspace: [-1, 0, 3]}
          hard_schedule: [soft, soft_then_hard]
        zip:
          - anneal_start: {range: [0, 30, 10]}
            anneal_end: [50, 100, 150]
        conditional:
          - when: {hard_schedule: soft_then_hard}
            grid:
              hard_switch_iteration: [20, 50]
        repeats: 3
        seed: 42
        execution:
          executor: slurm
          workers: 4
          max_runs: 2000
          time_budget_seconds: 3600
        search:
          kind: grid
          prune_when: "collapsed == 1"
        """;

    private static SweepSpecException Refused(string yaml) =>
        Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(SweepSpecYaml.Parse(yaml, "s.yaml")));

    private static string[] Messages(string yaml) => Refused(yaml).Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void ReadsTheDocumentedExample()
    {
        var spec = SweepSpecYaml.Parse(Example, "sweeps.yaml");
        Assert.Equal(("similarity-vs-batch", "sweeps.yaml"), (spec.Name, spec.SourcePath));

        var simulate = Assert.IsType<SpecMap>(spec.Dataset.Find("simulate")!.Value);
        Assert.Equal(["particles", "classes", "snr"], simulate.Entries.Select(e => e.Key));
        Assert.Equal(4, simulate.Entries[0].Line);
        Assert.Equal(0.05, Assert.IsType<SpecScalar>(simulate.Entries[2].Value).Value.AsDouble);
        Assert.Equal(2, Assert.IsType<SpecList>(spec.Dataset.Find("truth")!.Value).Items.Count);

        Assert.Equal("classes=2, iterations=200, force_hard=false, label=007", spec.Base.ToString());
        Assert.Equal(SettingKind.String, spec.Base["label"].Kind);
        Assert.Equal(SettingKind.Boolean, spec.Base["force_hard"].Kind);
        Assert.Equal(10, spec.Base["iterations"].Line);

        Assert.Equal(["batch_size_per_class", "class_similarity", "learning_rate", "hard_schedule"], spec.Grid.Select(a => a.Name));
        Assert.Equal([14, 15, 16, 17], spec.Grid.Select(a => a.Line));
        Assert.Equal("1000 5000 10000", string.Join(" ", spec.Grid[0].Values.Select(v => v.CanonicalText)));
        Assert.Equal("0 0.1 0.2 0.3", string.Join(" ", spec.Grid[1].Values.Select(v => v.CanonicalText)));
        Assert.Equal("0.1 0.316227766016838 1", string.Join(" ", spec.Grid[2].Values.Select(v => v.CanonicalText)));

        var zip = Assert.Single(spec.Zip);
        Assert.Equal("0 10 20|50 100 150", string.Join("|", zip.Axes.Select(a => string.Join(" ", a.Values.Select(v => v.CanonicalText)))));

        var conditional = Assert.Single(spec.Conditional);
        Assert.Equal(("hard_switch_iteration", "hard_schedule", "soft_then_hard"), (conditional.Axis.Name, conditional.WhenSetting, conditional.WhenValues.Single().AsString));

        Assert.Equal((3, 25, 42L, 26), (spec.Repeats.Value, spec.Repeats.Line, spec.Seed.Value, spec.Seed.Line));
        Assert.Equal((ExecutorKind.Slurm, 4, 2000L, 3600.0), (spec.Execution.Executor, spec.Execution.Workers, spec.Execution.MaxRuns!.Value.Value, spec.Execution.TimeBudgetSeconds!.Value));
        Assert.Equal(MetricPredicate.Parse("collapsed == 1"), Assert.IsType<GridSearchSpec>(spec.Search).PruneWhen);

        // 3 x 4 x 3 grid axes times a zip of 3, then hard_schedule: soft (1) plus soft_then_hard doubled by its conditional axis (2).
        var plan = SweepPlanner.Plan(spec);
        Assert.Equal(3 * 4 * 3 * 3 * (1 + 2), plan.Configurations.Count);
        Assert.Equal(plan.Configurations.Count * 3, plan.Runs.Count);
    }

    [Fact]
    public void ReadsAdaptiveSearches()
    {
        var boundary = SweepSpecYaml.Parse("""
            base: {classes: 2}
            search:
              kind: boundary
              axis: class_similarity
              low: 0
              high: 0.5
              tolerance: 0.01
              outcome: "split_ratio < 0.2"
            """);
        Assert.Equal(new BoundarySearchSpec("class_similarity", 0, 0.5, 0.01, MetricPredicate.Parse("split_ratio < 0.2"), null, 3), boundary.Search);

        var halving = Assert.IsType<HalvingSearchSpec>(SweepSpecYaml.Parse("""
            base: {classes: 2}
            search: {kind: halving, metric: loss, direction: minimize, eta: 2, budget_setting: iterations, rungs: [10, 30, 90], prune_when: collapsed == 1}
            """).Search);
        Assert.Equal(("loss", false, 2, "iterations"), (halving.Metric, halving.Maximize, halving.Eta, halving.BudgetSetting));
        Assert.Equal([10L, 30, 90], halving.Rungs);
        Assert.Equal(MetricPredicate.Parse("collapsed == 1"), halving.PruneWhen);
    }

    [Fact]
    public void ScalarsFollowTheCoreSchema()
    {
        var spec = SweepSpecYaml.Parse("""
            base:
              a: 5
              b: "5"
              c: 5.0
              d: 1e-3
              e: true
              f: 'true'
              g: -12
              h: yes
              i: 0x1F
              j: .5
              k: soft_then_hard
              l: 1.5.2
            """);
        var kinds = spec.Base.Select(kv => $"{kv.Key}:{kv.Value.Kind}:{kv.Value.CanonicalText}");
        Assert.Equal(["a:Integer:5", "b:String:5", "c:Real:5", "d:Real:0.001", "e:Boolean:true", "f:String:true", "g:Integer:-12",
            "h:String:yes", "i:Integer:31", "j:Real:0.5", "k:String:soft_then_hard", "l:String:1.5.2"], kinds);
    }

    [Fact]
    public void UnknownKeysAreNamedWithTheirLine()
    {
        var messages = Messages("""
            base: {classes: 2}
            grid:
              x: [1, 2]
            colour: red
            execution:
              workers: 2
              gpus: 4
            search: {kind: boundary, axis: s, low: 0, high: 1, tolerance: 0.1, outcome: "a > 1", eta: 3}
            """);
        Assert.Equal([
            "s.yaml:4: colour: unknown key; expected one of name, dataset, base, grid, zip, conditional, repeats, seed, execution, search, baselines",
            "s.yaml:7: execution.gpus: unknown key; expected one of executor, workers, max_runs, time_budget_seconds, slurm",
            "s.yaml:8: search.eta: unknown key for a boundary search; expected one of kind, prune_when, axis, low, high, tolerance, outcome",
        ], messages);
    }

    [Fact]
    public void WrongTypesAreNamedWithTheirLine()
    {
        var messages = Messages("""
            base:
              classes: 2
              mask: {radius: 3}
            grid:
              x: 5
            repeats: three
            seed: 1.5
            execution:
              workers: 2.5
              executor: cloud
            search:
              kind: halving
              metric: score
              budget_setting: iterations
              rungs: 10
            """);
        Assert.Equal([
            "s.yaml:3: base.mask: expected a single value (string, number or boolean), got a map",
            "s.yaml:5: grid.x: an axis needs a list of values or a range/linspace/logspace, got the integer '5'; put a single value in 'base'",
            "s.yaml:6: repeats: expected an integer, got the string 'three'",
            "s.yaml:7: seed: expected an integer, got the number '1.5'",
            "s.yaml:9: execution.workers: expected an integer, got the number '2.5'",
            "s.yaml:10: execution.executor: expected local or slurm, got 'cloud'",
            "s.yaml:15: search.rungs: expected a list of iteration budgets like [10, 30, 90], got the integer '10'",
        ], messages);
    }

    [Fact]
    public void MalformedGeneratorsAreRefused()
    {
        var messages = Messages("""
            grid:
              a: {range: [0, 1]}
              b: {linspace: [0, 1, 2.5]}
              c: {range: [0, 10, 0]}
              d: {steps: [1, 2, 3]}
              e: {logspace: [0, x, 3]}
              f: [1, [2, 3]]
              g: {range: [5, 1, 1]}
            """);
        Assert.Equal([
            "s.yaml:2: grid.a.range: expected three numbers [start, stop, step], got a list",
            "s.yaml:3: grid.b.linspace: the count must be an integer, not 2.5",
            "s.yaml:4: grid.c.range: range step must not be zero",
            "s.yaml:5: grid.d: expected a list of values or one of {range: [start, stop, step]}, {linspace: [start, stop, count]}, {logspace: [start, stop, count]}",
            "s.yaml:6: grid.e.logspace: expected three numbers [start, stop, count], got 0, \"x\", 3",
            "s.yaml:7: grid.f: expected a single value (string, number or boolean), got a list",
            "s.yaml:8: grid.g.range: range [5, 1, 1] is empty",
        ], messages);
    }

    [Fact]
    public void EmptyAxesAndZipMismatchesAreRefusedByThePlannerWithLines()
    {
        var messages = Messages("""
            base: {classes: 2}
            grid:
              batch: []
            zip:
              a: [1, 2]
              b: [1, 2, 3]
            """);
        Assert.Equal([
            "s.yaml:3: grid.batch: the axis has no values",
            "s.yaml:5: zip[0]: axes that vary together need the same number of values; here a has 2, b has 3",
        ], messages);
    }

    [Fact]
    public void AMillionRunGridNeedsMaxRuns()
    {
        const string yaml = """
            base: {classes: 2}
            grid:
              a: {range: [0, 1000, 1]}
              b: {range: [0, 1000, 1]}
            """;
        var error = Refused(yaml).Errors.Single();
        Assert.Equal("s.yaml:3: grid: the sweep expands to 1000000 runs, more than 10000; set execution.max_runs to at least that number if you mean it", error.ToString());
        var capped = Refused(yaml + "\nexecution: {max_runs: 5000}").Errors.Single();
        Assert.Equal("s.yaml:5: execution.max_runs: the sweep expands to 1000000 runs, more than max_runs = 5000", capped.ToString());
    }

    [Fact]
    public void OutOfRangeSettingsAreRefusedThroughTheValidatorWithLines()
    {
        var spec = SweepSpecYaml.Parse("""
            base:
              classes: 2
              class_similarity: 1.5
            grid:
              batch_size_per_class: [1000, -5]
              turbo: [true]
            """, "s.yaml");
        IReadOnlyList<SettingIssue> Validate(IReadOnlyDictionary<string, SettingValue> s)
        {
            var issues = new List<SettingIssue>();
            foreach (var (key, value) in s)
            {
                switch (key)
                {
                    case "class_similarity" when value.AsDouble is < 0 or > 1:
                        issues.Add(new SettingIssue(key, $"must be in [0, 1], not {value.CanonicalText}"));
                        break;
                    case "batch_size_per_class" when value.AsDouble < 1:
                        issues.Add(new SettingIssue(key, $"must be at least 1, not {value.CanonicalText}"));
                        break;
                    case "classes" or "class_similarity" or "batch_size_per_class":
                        break;
                    default:
                        issues.Add(new SettingIssue(key, "unknown setting"));
                        break;
                }
            }
            return issues;
        }
        var e = Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(spec, Validate));
        Assert.Equal([
            "s.yaml:3: base.class_similarity: must be in [0, 1], not 1.5",
            "s.yaml:6: grid.turbo: unknown setting",
            "s.yaml:5: grid.batch_size_per_class: must be at least 1, not -5",
        ], e.Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void ConditionalBlocksAreChecked()
    {
        var messages = Messages("""
            grid:
              mode: [a, b]
            conditional:
              - when: {mode: c}
                grid: {k: [1, 2]}
              - grid: {j: [1]}
              - when: {mode: a, other: 1}
                grid: {i: [1]}
                also: 2
            """);
        Assert.Equal([
            "s.yaml:6: conditional[1]: missing 'when: {setting: value}'",
            "s.yaml:9: conditional[2].also: unknown key; expected when, grid",
            "s.yaml:7: conditional[2].when: name exactly one setting, like {hard_classification: soft_then_hard}",
        ], messages);

        var never = Messages("""
            grid:
              mode: [a, b]
            conditional:
              - when: {mode: [c, d]}
                grid: {k: [1, 2]}
            """);
        Assert.Equal(["s.yaml:4: conditional[0].k: never applies: no configuration has mode = \"c\" or \"d\""], never);
    }

    [Fact]
    public void BrokenYamlDuplicatesAndNullsAreReported()
    {
        var syntax = Messages("""
            base:
              classes: 2
             bad indent: [
            """);
        Assert.Single(syntax);
        Assert.Matches(@"^s\.yaml:3: not valid YAML: ", syntax[0]);

        var duplicate = Messages("""
            base:
              classes: 2
              classes: 3
            """);
        Assert.Single(duplicate);
        Assert.StartsWith("s.yaml:3:", duplicate[0]);

        var nulls = Messages("""
            base:
              classes:
              eta: .inf
            """);
        Assert.Equal([
            "s.yaml:2: base.classes: expected a value, got no value (null)",
            "s.yaml:3: base.eta: expected a value, got .inf is not a finite number",
        ], nulls);

        Assert.Equal(["s.yaml: the sweep file is empty"], Messages(""));
        Assert.Equal(["s.yaml:1: the sweep file must be a map of keys (name, dataset, base, grid, ...)"], Messages("- a\n- b\n"));
        Assert.Equal(["s.yaml:1: the sweep sets nothing: give at least 'base' or 'grid'"], Messages("name: x\n"));
    }

    [Fact]
    public void LoadReadsAFileAndNamesIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(path, "base: {classes: 2}\nrepeats: 0\n");
            var e = Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(SweepSpecYaml.Load(path)));
            Assert.Equal($"{path}:2: repeats: must be at least 1, not 0", e.Errors.Single().ToString());
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Throws<FileNotFoundException>(() => SweepSpecYaml.Load(path));
    }
    [Fact]
    public void BaselinesAreAListOrAMapOfSettingsWithDocumentedDefaults()
    {
        Assert.Empty(SweepSpecYaml.Parse("base: {classes: 2}").Baselines);
        var listed = SweepSpecYaml.Parse("base: {classes: 2}\nbaselines: [relion]").Baselines.Single();
        Assert.Equal(new BaselineSpec("relion", 25, 2, 2), listed);
        var set = SweepSpecYaml.Parse("base: {classes: 2}\nbaselines:\n  relion: {iterations: 5, threads: 4}").Baselines.Single();
        Assert.Equal(new BaselineSpec("relion", 5, 4, 3), set);
        Assert.Equal(25, SweepSpecYaml.Parse("base: {classes: 2}\nbaselines:\n  relion:\n").Baselines.Single().Iterations);
    }

    [Fact]
    public void AnUnknownBaselineOrSettingIsRefusedNamingItsLine()
    {
        Assert.Equal(["s.yaml:3: baselines[1]: unknown baseline 'cryosparc'; expected one of relion"],
            Messages("base: {classes: 2}\nbaselines: [relion,\n  cryosparc]"));
        Assert.Equal(["s.yaml:2: baselines.relion.iterations: expected 1 to 1000 iterations, got 0",
            "s.yaml:2: baselines.relion.gpu: unknown key; expected one of iterations, threads"],
            Messages("base: {classes: 2}\nbaselines: {relion: {iterations: 0, gpu: 1}}"));
        Assert.Equal(["s.yaml:2: baselines: expected a list of baselines like [relion], or a map like {relion: {iterations: 25}}, got the string 'relion'"],
            Messages("base: {classes: 2}\nbaselines: relion"));
        Assert.Equal(["s.yaml:2: baselines[1]: the baseline 'relion' is named twice"], Messages("base: {classes: 2}\nbaselines: [relion, relion]"));
    }

    /// <summary>
    /// The sweep file described in <see cref="SweepSpecYaml"/>'s doc comment plans as written: every key is one the
    /// engine (Knobs) or the simulator knows, so the documentation cannot keep a renamed key (it had iterations,
    /// learning_rate, anneal_start and hard_schedule long after they went).
    /// </summary>
    [Fact]
    public void TheDocumentedExamplePlansWithTodaysKeys()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SweepLab.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var source = File.ReadAllLines(Path.Combine(dir.FullName, "src", "SweepLab.Cli", "SweepSpecYaml", "SweepSpecYaml.cs"));
        int start = Array.FindIndex(source, l => l.Trim() == "/// <code>");
        int end = Array.FindIndex(source, start + 1, l => l.Trim() == "/// </code>");
        Assert.True(start >= 0 && end > start, "the doc comment's <code> example is missing");
        string yaml = string.Join('\n', source[(start + 1)..end].Select(l => l.TrimStart()["///".Length..]).Select(l => l.StartsWith(' ') ? l[1..] : l));
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "example.yaml");
        var spec = SweepSpecYaml.Parse(yaml, path);
        var (plan, dataset) = SweepCommands.Prepare(spec, Path.Combine(temp.Path, "out"));
        Assert.NotNull(dataset.Simulation);
        Assert.Contains("hard_switch_iteration", plan.VaryingSettings);
        Assert.Contains("similarity_anneal_end", plan.VaryingSettings);
        Assert.True(plan.Runs.Count > 0);
    }
}

public sealed class SweepDatasetCacheTests
{
    private static SweepLab.Cli.Sweeping.SweepDataset Dataset(string cacheLine, string folder)
    {
        string yaml = $"name: c\ndataset:\n  simulate: {{particles: 100}}\n{cacheLine}base:\n  classes: 2\n";
        return SweepLab.Cli.Sweeping.SweepDataset.FromSpec(SweepSpecYaml.Parse(yaml, Path.Combine(folder, "s.yaml")), Path.Combine(folder, "out"));
    }

    [Fact]
    public void CacheDefaultsToTheSweepFolderAndFollowsTheFile()
    {
        string folder = Path.Combine(Path.GetTempPath(), "sweeplab-cache-spec");
        Assert.Equal(Path.Combine(folder, "out", "cache"), Dataset("", folder).CacheDirectory);
        Assert.Null(Dataset("  cache: none\n", folder).CacheDirectory);
        Assert.Equal(Path.Combine(folder, "shared"), Dataset("  cache: shared\n", folder).CacheDirectory); // relative to the sweep file
        Assert.Equal("/scratch/c", Dataset("  cache: /scratch/c\n", folder).CacheDirectory);
        var bad = Assert.Throws<UserInputException>(() => Dataset("  cache: [a, b]\n", folder));
        Assert.Contains("s.yaml:4: dataset.cache", bad.Message);
    }
}
