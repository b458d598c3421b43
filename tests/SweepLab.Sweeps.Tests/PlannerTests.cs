namespace SweepLab.Sweeps.Tests;

public class PlannerTests
{
    private static SettingValue At(SettingValue v, int line) => v.WithLine(line);

    [Fact]
    public void ExpandsGridThenZipThenRepeatsInOrder()
    {
        var spec = Specs.Grid(Specs.Map(("classes", 2)),
                Specs.Axis("similarity", 0.0, 0.1),
                Specs.Axis("batch", 1000, 5000, 10000))
            with
            {
                Zip = [new ZipGroup([Specs.Axis("anneal_start", 0, 10), Specs.Axis("anneal_end", 50, 100)])],
                Repeats = new Located<int>(2),
                Seed = new Located<long>(42),
            };
        var plan = SweepPlanner.Plan(spec);
        Assert.Equal(2 * 3 * 2, plan.Configurations.Count);
        Assert.Equal(24, plan.Runs.Count);
        Assert.Equal(24, plan.MaxRunCount);
        Assert.Equal(["similarity", "batch", "anneal_start", "anneal_end"], plan.VaryingSettings);

        // Last factor fastest, repeats innermost, settings in spec order.
        Assert.Equal("classes=2, similarity=0, batch=1000, anneal_start=0, anneal_end=50", plan.Runs[0].Settings.ToString());
        Assert.Equal(plan.Runs[0].Settings.ToString(), plan.Runs[1].Settings.ToString());
        Assert.Equal([0, 1], plan.Runs.Take(2).Select(r => r.RepeatIndex));
        Assert.Equal("classes=2, similarity=0, batch=1000, anneal_start=10, anneal_end=100", plan.Runs[2].Settings.ToString());
        Assert.Equal("classes=2, similarity=0, batch=5000, anneal_start=0, anneal_end=50", plan.Runs[4].Settings.ToString());
        Assert.Equal("classes=2, similarity=0.1, batch=1000, anneal_start=0, anneal_end=50", plan.Runs[12].Settings.ToString());
        Assert.Equal([SeedDerivation.ForRepeat(42, 0), SeedDerivation.ForRepeat(42, 1)], plan.Seeds);
        Assert.All(plan.Runs, r => Assert.Equal(plan.Seeds[r.RepeatIndex], r.Seed));
        Assert.Equal(24, plan.Runs.Select(r => r.RunId).Distinct().Count());
        Assert.Equal(12, plan.Runs.Select(r => r.ConfigId).Distinct().Count());

        // Deterministic: a second plan gives the same ids in the same order.
        Assert.Equal(plan.Runs.Select(r => r.RunId), SweepPlanner.Plan(spec).Runs.Select(r => r.RunId));
    }

    [Fact]
    public void ConditionalAxisAppliesOnlyWhereItsConditionHolds()
    {
        var spec = Specs.Grid(Specs.Map(("classes", 2)), Specs.Axis("hard_schedule", "soft", "soft_then_hard", "hard"))
            with
            {
                Conditional = [new ConditionalAxis(Specs.Axis("hard_switch_iteration", 20, 50), "hard_schedule", ["soft_then_hard"])],
            };
        var plan = SweepPlanner.Plan(spec);
        Assert.Equal(
            ["classes=2, hard_schedule=soft",
             "classes=2, hard_schedule=soft_then_hard, hard_switch_iteration=20",
             "classes=2, hard_schedule=soft_then_hard, hard_switch_iteration=50",
             "classes=2, hard_schedule=hard"],
            plan.Configurations.Select(c => c.ToString()));
    }

    [Fact]
    public void ChainedConditionalsAndListedConditionValues()
    {
        var spec = Specs.Grid(SettingMap.Empty, Specs.Axis("mode", "a", "b", "c"))
            with
            {
                Conditional =
                [
                    new ConditionalAxis(Specs.Axis("k", 1, 2), "mode", ["a", "c"]),
                    new ConditionalAxis(Specs.Axis("j", true, false), "k", [2]),
                ],
            };
        var plan = SweepPlanner.Plan(spec);
        Assert.Equal(
            ["mode=a, k=1", "mode=a, k=2, j=true", "mode=a, k=2, j=false", "mode=b", "mode=c, k=1", "mode=c, k=2, j=true", "mode=c, k=2, j=false"],
            plan.Configurations.Select(c => c.ToString()));
    }

    private static SweepSpecException Refused(SweepSpec spec, Func<IReadOnlyDictionary<string, SettingValue>, IReadOnlyList<SettingIssue>>? validator = null) =>
        Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(spec with { SourcePath = "s.yaml" }, validator));

    [Fact]
    public void RefusesEveryStructuralMistakeAtOnce()
    {
        var spec = Specs.Grid(Specs.Map(("similarity", At(0.1, 3))),
                new GridAxis("similarity", [At(0.0, 7), At(0.2, 7)], 7),
                new GridAxis("batch", [], 8),
                new GridAxis("lr", [At(1, 9), At(1.0, 9)], 9))
            with
            {
                Zip = [new ZipGroup([new GridAxis("a", [1, 2], 11), new GridAxis("b", [1, 2, 3], 12)], 10)],
                Repeats = new Located<int>(0, 14),
            };
        var e = Refused(spec);
        var messages = e.Errors.Select(x => x.ToString()).ToArray();
        Assert.Contains(messages, m => m.StartsWith("s.yaml:7: grid.similarity: 'similarity' is also set by base.similarity", StringComparison.Ordinal));
        Assert.Contains("s.yaml:8: grid.batch: the axis has no values", messages);
        Assert.Contains("s.yaml:9: grid.lr: the value 1 appears twice", messages);
        Assert.Contains(messages, m => m.StartsWith("s.yaml:10: zip[0]: axes that vary together need the same number of values; here a has 2, b has 3", StringComparison.Ordinal));
        Assert.Contains("s.yaml:14: repeats: must be at least 1, not 0", messages);
        Assert.Equal(5, e.Errors.Count);
        // The first line names the file, line and key on its own; the rest follow.
        string first = e.Message.Split(Environment.NewLine)[0];
        Assert.Equal($"{e.Errors[0]} (and 4 more errors below)", first);
        Assert.Equal(5, e.Message.Split(Environment.NewLine).Length);
    }

    [Fact]
    public void RefusesDuplicateAxesAndSeedAsASetting()
    {
        var spec = Specs.Grid(Specs.Map(("seed", At(3, 2))), new GridAxis("x", [1, 2], 4), new GridAxis("x", [3], 5));
        var messages = Refused(spec).Errors.Select(x => x.ToString()).ToArray();
        Assert.Contains(messages, m => m.StartsWith("s.yaml:5: grid.x: 'x' is also set by grid.x", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("s.yaml:2: base.seed: the seed is set by the top-level 'seed' key", StringComparison.Ordinal));
    }

    [Fact]
    public void RefusesConditionalsThatCannotApply()
    {
        var spec = Specs.Grid(SettingMap.Empty, Specs.Axis("mode", "a", "b"))
            with
            {
                Conditional =
                [
                    new ConditionalAxis(new GridAxis("k", [1], 21), "missing", ["x"], 20),
                ],
            };
        Assert.Equal("s.yaml:20: conditional[0].when: 'missing' is not set by base, grid, zip or an earlier conditional axis", Refused(spec).Errors.Single().ToString());

        var never = spec with { Conditional = [new ConditionalAxis(new GridAxis("k", [1], 21), "mode", ["c"], 20)] };
        Assert.Equal("s.yaml:20: conditional[0].k: never applies: no configuration has mode = \"c\"", Refused(never).Errors.Single().ToString());
    }

    [Fact]
    public void RefusesMoreThanTenThousandRunsWithoutMaxRunsBeforeExpanding()
    {
        var thousand = Enumerable.Range(0, 1000).Select(i => SettingValue.FromInteger(i)).ToArray();
        var spec = Specs.Grid(SettingMap.Empty,
            new GridAxis("a", thousand, 5), new GridAxis("b", thousand, 6), new GridAxis("c", thousand, 7));
        var error = Refused(spec).Errors.Single();
        Assert.Equal(5, error.Line);
        Assert.Equal("grid", error.Key);
        Assert.Contains("1000000000 runs, more than 10000; set execution.max_runs", error.Message);

        var capped = spec with { Execution = new ExecutionSpec(MaxRuns: new Located<long>(2_000_000, 30)) };
        var cappedError = Refused(capped).Errors.Single();
        Assert.Equal("s.yaml:30: execution.max_runs: the sweep expands to 1000000000 runs, more than max_runs = 2000000", cappedError.ToString());

        // No max_runs lifts a plan past the in-memory ceiling: a huge max_runs exhausted memory while expanding.
        var huge = spec with { Execution = new ExecutionSpec(MaxRuns: new Located<long>(2_000_000_000, 31)) };
        var hugeError = Refused(huge).Errors.Single();
        Assert.Equal(31, hugeError.Line);
        Assert.Equal("execution.max_runs", hugeError.Key);
        Assert.Contains($"1000000000 runs; one sweep holds at most {SweepPlanner.HardRunLimit}", hugeError.Message);
    }

    [Fact]
    public void MaxRunsAllowsLargePlansAndCountsRepeats()
    {
        var values = Enumerable.Range(0, 200).Select(i => SettingValue.FromInteger(i)).ToArray();
        var spec = Specs.Grid(SettingMap.Empty, new GridAxis("a", values), new GridAxis("b", values.Take(30).ToArray()))
            with { Repeats = new Located<int>(2) };
        Assert.Contains("12000 runs", Refused(spec).Message);
        var plan = SweepPlanner.Plan(spec with { Execution = new ExecutionSpec(MaxRuns: new Located<long>(12000)) });
        Assert.Equal(12000, plan.Runs.Count);
        Assert.Contains("more than max_runs = 11999",
            Refused(spec with { Execution = new ExecutionSpec(MaxRuns: new Located<long>(11999)) }).Message);
    }

    [Fact]
    public void ValidatorSeesEveryConfigurationAndErrorsNameKeyAndLine()
    {
        var spec = Specs.Grid(Specs.Map(("classes", At(2, 3)), ("colour", At("red", 4))),
            new GridAxis("similarity", [At(0.1, 8), At(1.5, 8), At(-0.2, 8)], 8),
            new GridAxis("batch", [At(100, 9), At(5000, 9)], 9));
        var seen = new List<string>();
        IReadOnlyList<SettingIssue> Validate(IReadOnlyDictionary<string, SettingValue> s)
        {
            seen.Add(((SettingMap)s).ToString());
            var issues = new List<SettingIssue>();
            foreach (var key in s.Keys)
                if (key is not ("classes" or "similarity" or "batch")) issues.Add(new SettingIssue(key, "unknown setting"));
            double sim = s["similarity"].AsDouble;
            if (sim is < 0 or > 1) issues.Add(new SettingIssue("similarity", FormattableString.Invariant($"must be in [0, 1], not {sim}")));
            return issues;
        }
        var e = Refused(spec, Validate);
        Assert.Equal(6, seen.Count);
        Assert.Equal(
            ["s.yaml:4: base.colour: unknown setting",
             "s.yaml:8: grid.similarity: must be in [0, 1], not 1.5",
             "s.yaml:8: grid.similarity: must be in [0, 1], not -0.2"],
            e.Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void AdaptiveSearchesAreCheckedAndBounded()
    {
        var baseSpec = Specs.Grid(Specs.Map(("classes", 2)), Specs.Axis("batch", 1000, 5000)) with { Repeats = new Located<int>(3) };
        var boundary = baseSpec with { Search = new BoundarySearchSpec("similarity", 0, 0.5, 0.01, MetricPredicate.Parse("collapsed == 1")) };
        var plan = SweepPlanner.Plan(boundary);
        Assert.True(plan.IsAdaptive);
        Assert.Empty(plan.Runs);
        Assert.Equal(2, plan.Configurations.Count);
        Assert.Equal(8, BoundarySearch.MaxEvaluations((BoundarySearchSpec)boundary.Search)); // 2 ends + ceil(log2(50)) = 6
        Assert.Equal(2 * 3 * 8, plan.MaxRunCount);

        // Worst cases above 10,000 runs need max_runs, which then acts as a budget rather than a refusal.
        var wide = baseSpec with { Grid = [new GridAxis("batch", Enumerable.Range(1, 500).Select(i => SettingValue.FromInteger(i)).ToArray())], Search = boundary.Search };
        Assert.Contains("12000 runs, more than 10000", Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(wide)).Message);
        Assert.Equal(12000, SweepPlanner.Plan(wide with { Execution = new ExecutionSpec(MaxRuns: new Located<long>(100)) }).MaxRunCount);

        var clash = baseSpec with { Search = new BoundarySearchSpec("batch", 0.5, 0.1, 0.01, MetricPredicate.Parse("x > 0"), Line: 40), SourcePath = "s.yaml" };
        var messages = Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(clash)).Errors.Select(x => x.ToString()).ToArray();
        Assert.Contains(messages, m => m.StartsWith("s.yaml:40: search.axis: 'batch' is bisected by the search", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("s.yaml:40: search.low: low (0.5) must be below high (0.1)", StringComparison.Ordinal));

        var halving = baseSpec with { Search = new HalvingSearchSpec("score", true, 3, "iterations", [10, 5], Line: 50), SourcePath = "s.yaml" };
        Assert.Equal("s.yaml:50: search.rungs: budgets must be positive and increasing, like [10, 30, 90]",
            Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(halving)).Errors.Single().ToString());

        // The validator sees the boundary ends and each rung budget, and blames the search key.
        var validated = baseSpec with { Search = new BoundarySearchSpec("similarity", 0, 1.5, 0.01, MetricPredicate.Parse("x > 0"), Line: 60), SourcePath = "s.yaml" };
        var e = Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(validated, s =>
            s["similarity"].AsDouble > 1 ? [new SettingIssue("similarity", "must be in [0, 1]")] : []));
        Assert.Equal("s.yaml:60: search.high: must be in [0, 1]", e.Errors.Single().ToString());
    }

    [Fact]
    public void ZipAxesMayRepeatValuesButNotRows()
    {
        var spec = SweepSpec.Create(Specs.Map(("k", 1))) with
        {
            Zip = [new ZipGroup([Specs.Axis("a", 100, 250, 100, 100), Specs.Axis("b", 1, 1, 2, 3)], 1)],
        };
        var plan = SweepPlanner.Plan(spec);
        Assert.Equal(4, plan.Runs.Count);
        var repeated = spec with { Zip = [new ZipGroup([Specs.Axis("a", 100, 250, 100), Specs.Axis("b", 1, 1, 1)], 1)] };
        var e = Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(repeated));
        Assert.Contains("row 3 (a = 100, b = 1) repeats an earlier row", e.Message);
    }
}
