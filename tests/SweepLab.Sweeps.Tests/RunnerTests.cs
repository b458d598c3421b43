namespace SweepLab.Sweeps.Tests;

public class RunnerTests
{
    private static SweepPlan Plan(int configs, int repeats = 1) => SweepPlanner.Plan(
        Specs.Grid(Specs.Map(("k", 2)), new GridAxis("x", Enumerable.Range(0, configs).Select(i => SettingValue.FromInteger(i)).ToArray()))
            with { Repeats = new Located<int>(repeats), Seed = new Located<long>(5) });

    [Fact]
    public async Task RunsEveryRunOnceAndSkipsThemOnResume()
    {
        using var dir = new TempDir();
        var plan = Plan(6, repeats: 2);
        var objective = new SyntheticObjective();
        using (var store = new RunStore(dir.Path))
        {
            var result = await new SweepRunner(store, objective, new SweepRunnerOptions { Workers = 3 }).RunAsync(plan.Runs);
            Assert.Equal(new SweepBatchResult(12, 0, 12, 0, 0, 0, false, false), result);
            Assert.All(plan.Runs, r => Assert.Equal(RunState.Complete, store.GetState(r.RunId)));
            var record = store.TryLoad(plan.Runs[3].RunId)!;
            Assert.Equal(plan.Runs[3].Settings.ToString(), record.Settings.ToString());
            Assert.Equal([1, 2, 3], record.Iterations.Select(i => i.Iteration));
            Assert.Equal(plan.Runs[3].Seed % 1000 + 3, record.FinalMetrics["x"]);
        }
        Assert.All(objective.Calls.Values, n => Assert.Equal(1, n));

        using (var store = new RunStore(dir.Path))
        {
            var again = new SyntheticObjective();
            var result = await new SweepRunner(store, again).RunAsync(plan.Runs);
            Assert.Equal(new SweepBatchResult(12, 12, 0, 0, 0, 0, false, false), result);
            Assert.Empty(again.Calls);
        }
    }

    [Fact]
    public async Task AResumedRunIsSteppedWithTheSameCompanionsAsInAnUninterruptedSweep()
    {
        // An objective whose results depend on the group (as floating-point results of lockstep runs can):
        // resuming must form the same groups, recomputing finished companions as discarded shadows.
        using var dir = new TempDir();
        var plan = Plan(6);
        var objective = new SyntheticObjective { PreferredGroupSize = 3 };
        var companions = new Dictionary<string, string>();
        void Remember() { foreach (var g in objective.Groups) foreach (var id in g) companions[id] = string.Join(",", g); }
        using (var store = new RunStore(dir.Path))
            await new SweepRunner(store, objective).RunAsync(plan.Runs.Take(2).ToList());
        Remember();
        Assert.Equal(string.Join(",", plan.Runs.Take(2).Select(r => r.RunId)), companions[plan.Runs[0].RunId]);

        // The full sweep: the first group is {0, 1, 2} as a clean run would have it; 0 and 1 are shadows, kept as they were.
        var resumed = new SyntheticObjective { PreferredGroupSize = 3 };
        using (var store = new RunStore(dir.Path))
        {
            var result = await new SweepRunner(store, resumed).RunAsync(plan.Runs);
            Assert.Equal(new SweepBatchResult(6, 2, 4, 0, 0, 0, false, false), result);
            Assert.Empty(System.IO.Directory.GetDirectories(store.RunsDirectory, ".tmp-*"));
            Assert.All(plan.Runs, r => Assert.Equal(RunState.Complete, store.GetState(r.RunId)));
            Assert.Equal(1, store.History(plan.Runs[0].RunId).Attempts);
        }
        Assert.Equal([plan.Runs[0].RunId, plan.Runs[1].RunId, plan.Runs[2].RunId], resumed.Groups.First());
        Assert.Equal([plan.Runs[3].RunId, plan.Runs[4].RunId, plan.Runs[5].RunId], resumed.Groups.Last());
    }

    [Fact]
    public async Task GroupsShareKeysUpToThePreferredSizeInPlanOrder()
    {
        using var dir = new TempDir();
        var plan = Plan(5, repeats: 2);
        var objective = new SyntheticObjective { PreferredGroupSize = 3, Key = r => r.Seed.ToString() };
        using var store = new RunStore(dir.Path);
        await new SweepRunner(store, objective).RunAsync(plan.Runs);
        var groups = objective.Groups.ToArray();
        string[] Ids(int repeat, params int[] xs) => xs.Select(x => plan.Runs[2 * x + repeat].RunId).ToArray();
        Assert.Equal(4, groups.Length);
        Assert.Equal(Ids(0, 0, 1, 2), groups[0]);
        Assert.Equal(Ids(1, 0, 1, 2), groups[1]);
        Assert.Equal(Ids(0, 3, 4), groups[2]);
        Assert.Equal(Ids(1, 3, 4), groups[3]);
    }

    [Fact]
    public async Task FailuresAreRecordedTheSweepGoesOnAndARerunRetriesThem()
    {
        using var dir = new TempDir();
        var plan = Plan(6);
        var failing = new HashSet<string> { plan.Runs[1].RunId, plan.Runs[4].RunId };
        var objective = new SyntheticObjective { FailsOnce = r => failing.Contains(r.RunId), PreferredGroupSize = 2 };
        using (var store = new RunStore(dir.Path))
        {
            var result = await new SweepRunner(store, objective).RunAsync(plan.Runs);
            Assert.Equal((4, 2), (result.Completed, result.Failed));
            Assert.Equal(RunState.Failed, store.GetState(plan.Runs[1].RunId));
            Assert.Contains("injected failure", store.History(plan.Runs[1].RunId).LastError);
            Assert.False(Directory.Exists(store.RunDirectory(plan.Runs[1].RunId)));
        }
        using (var store = new RunStore(dir.Path))
        {
            var noRetry = await new SweepRunner(store, objective, new SweepRunnerOptions { RetryFailed = false }).RunAsync(plan.Runs);
            Assert.Equal((6, 0), (noRetry.Skipped, noRetry.Completed));
            var result = await new SweepRunner(store, objective).RunAsync(plan.Runs);
            Assert.Equal((4, 2, 0), (result.Skipped, result.Completed, result.Failed));
            Assert.Equal(2, store.History(plan.Runs[1].RunId).Attempts);
        }
    }

    [Fact]
    public async Task AttemptsPerRunRetriesWithinOneSweep()
    {
        using var dir = new TempDir();
        var plan = Plan(3);
        var objective = new SyntheticObjective { FailsOnce = r => r.RunId == plan.Runs[2].RunId };
        using var store = new RunStore(dir.Path);
        var result = await new SweepRunner(store, objective, new SweepRunnerOptions { AttemptsPerRun = 2 }).RunAsync(plan.Runs);
        Assert.Equal((3, 0), (result.Completed, result.Failed));
        Assert.Equal(2, store.History(plan.Runs[2].RunId).Attempts);
    }

    [Fact]
    public async Task ObjectiveErrorsFailTheRestOfTheGroup()
    {
        using var dir = new TempDir();
        var plan = Plan(3);
        using var store = new RunStore(dir.Path);
        var result = await new SweepRunner(store, new ThrowingObjective()).RunAsync(plan.Runs);
        Assert.Equal((1, 2), (result.Completed, result.Failed));
        Assert.Contains("the whole group broke", store.History(plan.Runs[1].RunId).LastError);
        Assert.Contains("returned without completing", store.History(plan.Runs[2].RunId).LastError);
        Assert.Empty(Directory.GetDirectories(store.RunsDirectory, ".tmp-*"));
    }

    /// <summary>Completes the first run, then throws on its first call and returns silently on the second.</summary>
    private sealed class ThrowingObjective : IRunObjective
    {
        private int _calls;
        public int PreferredGroupSize => 2;
        public string GroupKey(RunSpec run) => "";
        public Task RunGroupAsync(IReadOnlyList<RunContext> runs, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 2) return Task.CompletedTask;
            File.WriteAllText(Path.Combine(runs[0].OutputDirectory, RunStore.ResultFileName), "{}");
            runs[0].Complete(new Dictionary<string, double>());
            throw new IOException("the whole group broke");
        }
    }

    [Fact]
    public async Task RunBudgetStopsStartingNewRunsAcrossBatches()
    {
        using var dir = new TempDir();
        var plan = Plan(10);
        using var store = new RunStore(dir.Path);
        var runner = new SweepRunner(store, new SyntheticObjective { PreferredGroupSize = 3 }, new SweepRunnerOptions { MaxRuns = 7 });
        var first = await runner.RunAsync(plan.Runs.Take(5).ToArray());
        Assert.Equal((5, 0, false), (first.Completed, first.NotStarted, first.StoppedByBudget));
        var second = await runner.RunAsync(plan.Runs);
        Assert.Equal((5, 2, 3, true), (second.Skipped, second.Completed, second.NotStarted, second.StoppedByBudget));
        Assert.Equal(7, runner.RunsStarted);
        Assert.Equal(7, plan.Runs.Count(r => store.IsFinished(r.RunId)));
        Assert.All(plan.Runs.Take(7), r => Assert.True(store.IsFinished(r.RunId)));
    }

    [Fact]
    public async Task TimeBudgetStopsNewGroupsButLetsRunningOnesFinish()
    {
        using var dir = new TempDir();
        var plan = Plan(6);
        using var store = new RunStore(dir.Path);
        // Groups of two runs that take 150 ms each on a manual clock, under a 200 ms budget: the first group starts at
        // 0 and finishes at 300 ms although the budget ran out in its second run; the next group would start at 300 ms.
        var clock = new ManualClock();
        var objective = new SyntheticObjective { PreferredGroupSize = 2, BeforeRun = _ => clock.Advance(TimeSpan.FromMilliseconds(150)) };
        var options = new SweepRunnerOptions { TimeBudget = TimeSpan.FromMilliseconds(200), Clock = clock };
        var result = await new SweepRunner(store, objective, options).RunAsync(plan.Runs);
        Assert.True(result.StoppedByBudget);
        Assert.Equal((2, 4), (result.Completed, result.NotStarted));
        Assert.Equal(plan.Runs.Take(2).Select(r => r.RunId), plan.Runs.Where(r => store.IsFinished(r.RunId)).Select(r => r.RunId));
        Assert.Equal(TimeSpan.FromMilliseconds(300), clock.GetElapsedTime(0));
    }

    [Fact]
    public async Task CancellationLeavesTheStoreConsistentAndResumes()
    {
        using var dir = new TempDir();
        var plan = Plan(8);
        using var cts = new CancellationTokenSource();
        int started = 0;
        var objective = new SyntheticObjective
        {
            PreferredGroupSize = 4,
            BeforeRun = _ => { if (Interlocked.Increment(ref started) == 3) cts.Cancel(); },
        };
        using (var store = new RunStore(dir.Path))
        {
            var result = await new SweepRunner(store, objective).RunAsync(plan.Runs, cts.Token);
            Assert.True(result.Cancelled);
            Assert.Equal((2, 0, 4), (result.Completed, result.Failed, result.NotStarted));
            Assert.Equal(RunState.Interrupted, store.GetState(plan.Runs[2].RunId));
            Assert.Empty(Directory.GetDirectories(store.RunsDirectory, ".tmp-*"));
        }
        using (var store = new RunStore(dir.Path))
        {
            var resumed = await new SweepRunner(store, new SyntheticObjective()).RunAsync(plan.Runs);
            Assert.Equal((2, 6, false), (resumed.Skipped, resumed.Completed, resumed.Cancelled));
        }
    }

    [Fact]
    public async Task PrunerStopsRunsThatCollapseAndStoresThemAsPruned()
    {
        using var dir = new TempDir();
        var plan = Plan(4);
        var objective = new SyntheticObjective
        {
            Iterations = 10,
            // Config x collapses at iteration 3 + x when x is odd.
            Metric = (run, it) => new Dictionary<string, double>
            {
                ["collapsed"] = run.Settings["x"].AsDouble % 2 == 1 && it >= 3 + run.Settings["x"].AsDouble ? 1 : 0,
                ["it"] = it,
            },
        };
        using var store = new RunStore(dir.Path);
        var options = new SweepRunnerOptions { Pruner = new PredicatePruner(MetricPredicate.Parse("collapsed == 1")) };
        var result = await new SweepRunner(store, objective, options).RunAsync(plan.Runs);
        Assert.Equal((2, 2), (result.Completed, result.Pruned));
        var pruned = store.TryLoad(plan.Runs[3].RunId)!;
        Assert.Equal((RunOutcome.Pruned, 6), (pruned.Outcome, pruned.PrunedAtIteration));
        Assert.Equal(6, pruned.Iterations.Count);
        Assert.Equal(6, pruned.FinalMetrics["it"]);
        Assert.Equal(RunState.Pruned, store.GetState(plan.Runs[1].RunId));
        Assert.Equal(4, store.TryLoad(plan.Runs[1].RunId)!.PrunedAtIteration);
        Assert.Equal(10, store.TryLoad(plan.Runs[2].RunId)!.Iterations.Count);
    }

    [Fact]
    public async Task ProgressCountsAndEstimates()
    {
        using var dir = new TempDir();
        var plan = Plan(5);
        var reports = new List<SweepProgress>();
        using var store = new RunStore(dir.Path);
        await new SweepRunner(store, new SyntheticObjective(), new SweepRunnerOptions { Workers = 2, Progress = reports.Add }).RunAsync(plan.Runs.Take(2).ToArray());
        reports.Clear();
        var clock = new ManualClock();
        var objective = new SyntheticObjective { FailsOnce = r => r.RunId == plan.Runs[4].RunId, BeforeRun = _ => clock.Advance(TimeSpan.FromSeconds(1)) };
        await new SweepRunner(store, objective, new SweepRunnerOptions { Workers = 2, Progress = reports.Add, Clock = clock }).RunAsync(plan.Runs);
        Assert.Equal(4, reports.Count); // initial + three ended runs
        Assert.Null(reports[0].EstimatedRemaining);
        Assert.Equal(new[] { 0, 1, 2, 3 }, reports.Select(r => r.Ended));
        var last = reports[^1];
        Assert.Equal((5, 2, 2, 1, 4), (last.Total, last.Skipped, last.Completed, last.Failed, last.Done));
        Assert.Equal(TimeSpan.Zero, last.EstimatedRemaining);
        Assert.True(reports[1].EstimatedRemaining > TimeSpan.Zero);
    }

    [Fact]
    public async Task ObjectiveMisuseIsReported()
    {
        using var dir = new TempDir();
        var plan = Plan(1);
        using var store = new RunStore(dir.Path);
        var objective = new DoubleCompleter();
        var result = await new SweepRunner(store, objective).RunAsync(plan.Runs);
        Assert.Equal(1, result.Completed);
        Assert.IsType<InvalidOperationException>(objective.SecondCompletion);
        Assert.IsType<InvalidOperationException>(objective.LateReport);
    }

    private sealed class DoubleCompleter : IRunObjective
    {
        public Exception? SecondCompletion { get; private set; }
        public Exception? LateReport { get; private set; }
        public int PreferredGroupSize => 1;
        public string GroupKey(RunSpec run) => "";
        public Task RunGroupAsync(IReadOnlyList<RunContext> runs, CancellationToken cancellationToken)
        {
            File.WriteAllText(Path.Combine(runs[0].OutputDirectory, RunStore.ResultFileName), "{}");
            runs[0].Complete(new Dictionary<string, double>());
            SecondCompletion = Record.Exception(() => runs[0].Complete(new Dictionary<string, double>()));
            LateReport = Record.Exception(() => runs[0].ReportIteration(1, new Dictionary<string, double>()));
            return Task.CompletedTask;
        }
    }
}
