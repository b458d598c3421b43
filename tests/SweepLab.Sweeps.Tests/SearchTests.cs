namespace SweepLab.Sweeps.Tests;

public class BoundarySearchTests
{
    /// <summary>The known boundary of each line: collapse happens for similarity strictly above it.</summary>
    private static double TrueBoundary(RunSpec run) => run.Settings["x"].AsDouble switch
    {
        2 => 2.0, // outside [0, 1]: no flip
        var x => 0.3 + 0.1 * x + (run.RepeatIndex == 1 ? 0.0123 : 0),
    };

    private static SyntheticObjective StepObjective(Func<RunSpec, bool>? failsOnce = null) => new()
    {
        Iterations = 1,
        PreferredGroupSize = 4,
        Key = r => r.Seed.ToString(),
        Metric = (run, _) => new Dictionary<string, double>
        {
            ["collapsed"] = run.Settings["similarity"].AsDouble > TrueBoundary(run) ? 1 : 0,
        },
        FailsOnce = failsOnce ?? (_ => false),
    };

    private static SweepPlan Plan() => SweepPlanner.Plan(
        Specs.Grid(Specs.Map(("k", 2)), Specs.Axis("x", 0, 1, 2))
            with
            {
                Repeats = new Located<int>(2),
                Search = new BoundarySearchSpec("similarity", 0, 1, 0.01, MetricPredicate.Parse("collapsed == 1")),
            });

    [Fact]
    public async Task BisectsAStepFunctionToTheTolerance()
    {
        using var dir = new TempDir();
        var plan = Plan();
        var objective = StepObjective();
        using var store = new RunStore(dir.Path);
        var study = await SweepStudy.RunAsync(plan, new SweepRunner(store, objective, new SweepRunnerOptions { Workers = 2 }));
        var lines = study.Boundary!.Lines;
        Assert.Equal(6, lines.Count);
        foreach (var line in lines)
        {
            var probe = new RunSpec(line.Configuration.With("similarity", 0.5), line.Seed, line.RepeatIndex);
            double truth = TrueBoundary(probe);
            if (truth > 1)
            {
                Assert.Equal((BoundaryStatus.NoFlip, 0.0, 1.0, 2), (line.Status, line.Low, line.High, line.Evaluations));
                Assert.Equal((false, false), (line.OutcomeAtLow, line.OutcomeAtHigh));
                continue;
            }
            Assert.Equal(BoundaryStatus.Found, line.Status);
            Assert.True(line.Low <= truth && truth < line.High, $"{truth} not in [{line.Low}, {line.High})");
            Assert.True(line.High - line.Low <= 0.01);
            Assert.True(Math.Abs(line.Estimate - truth) <= 0.005);
            Assert.Equal((false, true), (line.OutcomeAtLow, line.OutcomeAtHigh));
            Assert.Equal(BoundarySearch.MaxEvaluations((BoundarySearchSpec)plan.Spec.Search), line.Evaluations); // 2 + 7
        }
        Assert.Equal(4 * 9 + 2 * 2, study.Runs.Count);
        Assert.Equal(study.Runs.Count, objective.Calls.Count);
        Assert.All(study.Runs, r => Assert.Equal(RunState.Complete, store.GetState(r.RunId)));
        // Wave 0 holds both ends of every line, in line order.
        Assert.Equal([0.0, 1.0, 0.0, 1.0], study.Runs.Take(4).Select(r => r.Settings["similarity"].AsDouble));
        Assert.Equal(0.5, study.Runs[12].Settings["similarity"].AsDouble);

        // Replaying from the store computes nothing and reproduces everything.
        var replay = await SweepStudy.ReplayAsync(plan, store);
        Assert.Equal(study.Runs.Select(r => r.RunId), replay.Runs.Select(r => r.RunId));
        Assert.Equal(lines, replay.Boundary!.Lines, new BoundaryComparer());
    }

    [Fact]
    public async Task AnInterruptedSearchResumesWithoutRecomputing()
    {
        using var clean = new TempDir();
        using var resumed = new TempDir();
        var plan = Plan();
        StudyResult expected;
        using (var store = new RunStore(clean.Path))
            expected = await SweepStudy.RunAsync(plan, new SweepRunner(store, StepObjective()));

        bool failing = true;
        var objective = StepObjective(failsOnce: r => failing && r.Settings["similarity"].AsDouble == 0.25);
        using (var store = new RunStore(resumed.Path))
        {
            var partial = await SweepStudy.RunAsync(plan, new SweepRunner(store, objective, new SweepRunnerOptions { MaxRuns = 19 }));
            Assert.True(partial.Execution.StoppedByBudget);
            Assert.Contains(partial.Boundary!.Lines, l => l.Status == BoundaryStatus.Incomplete);
            Assert.Contains(partial.Boundary.Lines, l => l.Status == BoundaryStatus.Failed);
        }
        failing = false;
        using (var store = new RunStore(resumed.Path))
        {
            var finished = await SweepStudy.RunAsync(plan, new SweepRunner(store, objective));
            Assert.Equal(expected.Runs.Select(r => r.RunId), finished.Runs.Select(r => r.RunId));
            Assert.Equal(expected.Boundary!.Lines, finished.Boundary!.Lines, new BoundaryComparer());
        }
        // Each run computed once, except the three that failed in the first sweep.
        Assert.Equal(expected.Runs.Count, objective.Calls.Count);
        Assert.Equal(3, objective.Calls.Count(kv => kv.Value == 2));
        Assert.All(objective.Calls.Where(kv => kv.Value == 2), kv => Assert.Equal(0.25, expected.Runs.Single(r => r.RunId == kv.Key).Settings["similarity"].AsDouble));
    }

    [Fact]
    public async Task ProgressCountsEvaluationsAgainstWhatTheToleranceNeeds()
    {
        using var dir = new TempDir();
        var plan = Plan();
        var stages = new List<SearchProgress>();
        using var store = new RunStore(dir.Path);
        var study = await SweepStudy.RunAsync(plan, new SweepRunner(store, StepObjective()), progress: stages.Add);

        // 6 lines (3 configurations x 2 seeds): both ends, then ceil(log2(1 / 0.01)) = 7 midpoints each; then the end.
        Assert.Equal(9, stages.Count);
        Assert.Equal((true, 0, 40, 40), (stages[^1].Finished, stages[^1].BatchRuns, stages[^1].EvaluationsDone, stages[^1].EvaluationsExpected));
        Assert.Equal("search finished: 4 of 6 line(s) found an edge", stages[^1].Stage);
        stages.RemoveAt(stages.Count - 1);
        Assert.Equal((1, 12, 0, 6 * 9), (stages[0].Batch, stages[0].BatchRuns, stages[0].EvaluationsDone, stages[0].EvaluationsExpected));
        Assert.StartsWith("wave 1: both ends of 6 line(s)", stages[0].Stage);
        // After the ends, the two lines of x = 2 (no flip) need nothing more: 4 x 9 + 2 x 2.
        Assert.Equal((2, 4, 12, 40), (stages[1].Batch, stages[1].BatchRuns, stages[1].EvaluationsDone, stages[1].EvaluationsExpected));
        Assert.Equal("wave 2: bisection step 1 of at most 7", stages[1].Stage);
        Assert.All(stages.Skip(1), s => Assert.Equal(40, s.EvaluationsExpected));
        Assert.Equal(study.Runs.Count, stages[^1].EvaluationsDone + stages[^1].BatchRuns);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i == 0 ? 0 : 12 + 4 * (i - 1)), stages.Select(s => s.EvaluationsDone));
    }

    [Fact]
    public async Task EachFoundBracketNamesTheRunsAtItsTwoSides()
    {
        using var dir = new TempDir();
        var plan = Plan();
        using var store = new RunStore(dir.Path);
        var study = await SweepStudy.RunAsync(plan, new SweepRunner(store, StepObjective()));
        var byId = study.Runs.ToDictionary(r => r.RunId);
        foreach (var line in study.Boundary!.Lines)
        {
            var low = byId[line.LowRunId!];
            var high = byId[line.HighRunId!];
            Assert.Equal((line.Low, line.High), (low.Settings["similarity"].AsDouble, high.Settings["similarity"].AsDouble));
            Assert.Equal((line.Seed, line.Seed), (low.Seed, high.Seed));
            Assert.Equal((false, line.OutcomeAtHigh == true), (store.TryLoad(low.RunId)!.FinalMetrics["collapsed"] == 1, store.TryLoad(high.RunId)!.FinalMetrics["collapsed"] == 1));
        }
        string csv = System.Text.Encoding.UTF8.GetString(ResultTables.BoundaryCsv(study.Boundary.Lines, "similarity"));
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = rows[0].Split(',');
        Assert.Equal(["status", "axis", "low", "high", "estimate", "outcome_at_low", "outcome_at_high", "evaluations", "low_run_id", "high_run_id"], header[^10..]);
        var first = rows[1].Split(',');
        Assert.Equal(("similarity", study.Boundary.Lines[0].LowRunId, study.Boundary.Lines[0].HighRunId), (first[^9], first[^2], first[^1]));
        // The searched axis is a setting of every run, and so a column of the plan's settings, though no configuration holds it.
        Assert.DoesNotContain(plan.Configurations, c => c.ContainsKey("similarity"));
        Assert.Equal(["k", "x", "similarity"], plan.SettingNames);
    }

    [Fact]
    public async Task FailedAndUnstartedEvaluationsAreRunsOfTheStudySoStatusCountsThem()
    {
        using var dir = new TempDir();
        var plan = Plan();
        var objective = StepObjective(failsOnce: r => r.Settings["similarity"].AsDouble == 0.25);
        using var store = new RunStore(dir.Path);
        var partial = await SweepStudy.RunAsync(plan, new SweepRunner(store, objective, new SweepRunnerOptions { MaxRuns = 19 }));
        // Wave 1 (12 ends) and wave 2 (4 midpoints at 0.5) ran; wave 3 asked for 4 runs at 0.25, of which the budget
        // started 3 (all failed) and left one unstarted.
        var summary = store.Summarize(partial.Runs);
        Assert.Equal((20, 16, 3, 1), (summary.Total, summary.Complete, summary.Failed, summary.Missing));
        var replay = await SweepStudy.ReplayAsync(plan, store);
        Assert.Equal(summary, store.Summarize(replay.Runs));
    }

    private sealed class BoundaryComparer : IEqualityComparer<BoundaryResult>
    {
        public bool Equals(BoundaryResult? a, BoundaryResult? b) => a is not null && b is not null
            && (a.ConfigId, a.RepeatIndex, a.Seed, a.Status, a.Low, a.High, a.OutcomeAtLow, a.OutcomeAtHigh, a.Evaluations)
            == (b.ConfigId, b.RepeatIndex, b.Seed, b.Status, b.Low, b.High, b.OutcomeAtLow, b.OutcomeAtHigh, b.Evaluations);

        public int GetHashCode(BoundaryResult obj) => obj.ConfigId.GetHashCode();
    }

    [Fact]
    public void MidpointsStayInsideAndReadCleanly()
    {
        Assert.Equal(0.25, BoundarySearch.Midpoint(0.1, 0.4));
        Assert.Equal(0.3, BoundarySearch.Midpoint(0.1, 0.5));
        double low = 1.0, high = Math.BitIncrement(Math.BitIncrement(1.0));
        double mid = BoundarySearch.Midpoint(low, high);
        Assert.True(mid > low && mid < high);
    }
}

public class SuccessiveHalvingTests
{
    /// <summary>Score peaks at x = 6.2; config 6 collapses after iteration 2; the score grows with the budget.</summary>
    private static SyntheticObjective Objective() => new()
    {
        Iterations = 0, // overridden per run below
        Metric = (run, it) => new Dictionary<string, double>
        {
            ["score"] = -Math.Pow(run.Settings["x"].AsDouble - 6.2, 2) * 10 / it + 0.001 * run.RepeatIndex,
            ["collapsed"] = run.Settings["x"].AsDouble == 6 && it >= 2 ? 1 : 0,
        },
    };

    private sealed class BudgetedObjective(SyntheticObjective inner) : IRunObjective
    {
        public int PreferredGroupSize => 1;
        public string GroupKey(RunSpec run) => "";
        public List<long> Budgets { get; } = [];

        public Task RunGroupAsync(IReadOnlyList<RunContext> runs, CancellationToken cancellationToken)
        {
            foreach (var context in runs)
            {
                long budget = context.Run.Settings["iterations"].AsDouble is var b ? (long)b : 0;
                lock (Budgets) Budgets.Add(budget);
                IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
                for (int it = 1; it <= budget; it++)
                {
                    last = inner.Metric(context.Run, it);
                    if (context.ReportIteration(it, last)) break;
                }
                File.WriteAllText(Path.Combine(context.OutputDirectory, RunStore.ResultFileName), "{}");
                context.Complete(last);
            }
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task KeepsTheTopThirdAndNeverPromotesACollapsedConfiguration()
    {
        using var dir = new TempDir();
        var plan = SweepPlanner.Plan(
            Specs.Grid(SettingMap.Empty, new GridAxis("x", Enumerable.Range(0, 9).Select(i => SettingValue.FromInteger(i)).ToArray()))
                with
                {
                    Repeats = new Located<int>(2),
                    Search = new HalvingSearchSpec("score", Maximize: true, Eta: 3, "iterations", [1, 3, 9], MetricPredicate.Parse("collapsed == 1")),
                });
        Assert.Equal(9 * 2 * 3, plan.MaxRunCount);
        var objective = new BudgetedObjective(Objective());
        using var store = new RunStore(dir.Path);
        var study = await SweepStudy.RunAsync(plan, new SweepRunner(store, objective, SweepRunnerOptions.FromSpec(plan.Spec)));
        var halving = study.Halving!;
        Assert.True(halving.Finished);
        Assert.Equal(9 * 2 + 3 * 2 + 1 * 2, study.Runs.Count);
        Assert.Equal(Enumerable.Repeat(1L, 18).Concat(Enumerable.Repeat(3L, 6)).Concat(Enumerable.Repeat(9L, 2)), objective.Budgets);

        // Rung 0 (1 iteration): ranking 6, 7, 5, 8, 4, ... ; ceil(9 / 3) = 3 promoted.
        var rung0 = halving.Entries.Where(e => e.Rung == 0).ToArray();
        Assert.Equal([5, 6, 7], rung0.Where(e => e.Promoted).Select(e => (int)e.Configuration["x"].AsDouble));
        Assert.Equal([9, 8, 7, 6, 5, 3, 1, 2, 4], rung0.Select(e => e.Rank));
        Assert.Equal(-Math.Pow(0 - 6.2, 2) * 10 + 0.0005, rung0[0].Score, 9);

        // Rung 1 (3 iterations): config 6 collapses at iteration 2, is pruned, and so is not ranked; 7 beats 5.
        var rung1 = halving.Entries.Where(e => e.Rung == 1).ToArray();
        Assert.Equal([5, 6, 7], rung1.Select(e => (int)e.Configuration["x"].AsDouble));
        Assert.Equal([true, false, true], rung1.Select(e => e.Eligible));
        Assert.Equal([false, false, true], rung1.Select(e => e.Promoted));
        var pruned = study.Runs.Where(r => store.GetState(r.RunId) == RunState.Pruned).ToArray();
        Assert.Equal(2, pruned.Length);
        Assert.All(pruned, r => Assert.Equal((6.0, 3.0), (r.Settings["x"].AsDouble, r.Settings["iterations"].AsDouble)));
        Assert.All(pruned, r => Assert.Equal(2, store.TryLoad(r.RunId)!.PrunedAtIteration));

        Assert.Equal(["x=7"], halving.Survivors.Select(s => s.ToString()));
        // Each entry names the config id its rung's runs carry in the tables.
        Assert.All(halving.Entries, e => Assert.Equal(2, study.Runs.Count(r => r.ConfigId == e.RunsConfigId && r.Settings["iterations"].AsDouble == e.Budget)));

        var replay = await SweepStudy.ReplayAsync(plan, store);
        Assert.Equal(study.Runs.Select(r => r.RunId), replay.Runs.Select(r => r.RunId));
        Assert.Equal(halving.Entries.Select(e => (e.ConfigId, e.Rung, e.Score, e.Promoted)), replay.Halving!.Entries.Select(e => (e.ConfigId, e.Rung, e.Score, e.Promoted)));
    }

    [Fact]
    public async Task ProgressExpectsEtaShrinkingRungs()
    {
        using var dir = new TempDir();
        var plan = SweepPlanner.Plan(
            Specs.Grid(SettingMap.Empty, new GridAxis("x", Enumerable.Range(0, 9).Select(i => SettingValue.FromInteger(i)).ToArray()))
                with { Repeats = new Located<int>(2), Search = new HalvingSearchSpec("score", Maximize: true, Eta: 3, "iterations", [1, 3, 9]) });
        var stages = new List<SearchProgress>();
        using var store = new RunStore(dir.Path);
        var study = await SweepStudy.RunAsync(plan, new SweepRunner(store, new BudgetedObjective(Objective())), progress: stages.Add);
        Assert.Equal([(0, 26, 18), (18, 26, 6), (24, 26, 2), (26, 26, 0)], stages.Select(s => (s.EvaluationsDone, s.EvaluationsExpected, s.BatchRuns)));
        Assert.Equal([false, false, false, true], stages.Select(s => s.Finished));
        Assert.Equal("rung 2 of 3: 3 configuration(s) at iterations = 3", stages[1].Stage);
        Assert.Equal(26, study.Runs.Count);
    }

    [Fact]
    public async Task MinimisingAndBudgetStops()
    {
        using var dir = new TempDir();
        var plan = SweepPlanner.Plan(
            Specs.Grid(SettingMap.Empty, new GridAxis("x", Enumerable.Range(0, 4).Select(i => SettingValue.FromInteger(i)).ToArray()))
                with { Search = new HalvingSearchSpec("score", Maximize: false, Eta: 2, "iterations", [1, 2]) });
        using var store = new RunStore(dir.Path);
        var partial = await SweepStudy.RunAsync(plan, new SweepRunner(store, new BudgetedObjective(Objective()), new SweepRunnerOptions { MaxRuns = 3 }));
        Assert.False(partial.Halving!.Finished);
        Assert.DoesNotContain(partial.Halving.Entries, e => e.Promoted);
        var full = await SweepStudy.RunAsync(plan, new SweepRunner(store, new BudgetedObjective(Objective())));
        // Minimising -(x - 6.2)^2: the farthest from 6.2 are best: x = 0, then 1.
        Assert.Equal([0, 1], full.Halving!.Entries.Where(e => e.Rung == 1).Select(e => (int)e.Configuration["x"].AsDouble));
        Assert.Equal(["x=0", "x=1"], full.Halving.Survivors.Select(s => s.ToString()));
    }
}
