namespace SweepLab.Sweeps.Tests;

/// <summary>The studies pick grid, boundary and halving through <see cref="ISearchStrategy"/>; each behaves as its own search.</summary>
public class SearchStrategyTests
{
    private static SweepSpec Base() =>
        Specs.Grid(SettingMap.Empty, new GridAxis("x", [SettingValue.FromInteger(0), SettingValue.FromInteger(1), SettingValue.FromInteger(2)]))
            with { Repeats = new Located<int>(2) };

    private static readonly BoundarySearchSpec Boundary = new("similarity", 0, 1, 0.01, MetricPredicate.Parse("collapsed == 1"));
    private static readonly HalvingSearchSpec Halving = new("score", Maximize: true, Eta: 3, "iterations", [1, 3, 9]);

    [Fact]
    public void EachSearchBlockMapsToTheStrategyOfItsKind()
    {
        Assert.Same(GridSearch.Instance, SearchStrategies.For(new GridSearchSpec()));
        Assert.Same(BoundarySearch.Instance, SearchStrategies.For(Boundary));
        Assert.Same(SuccessiveHalving.Instance, SearchStrategies.For(Halving));
        Assert.Equal(["grid", "boundary", "halving"], SearchStrategies.All.Select(s => s.Name));
        Assert.Throws<ArgumentNullException>(() => SearchStrategies.For(null!));
    }

    [Fact]
    public void BoundsAreEachStrategysOwn()
    {
        Assert.Equal(1, SearchStrategies.For(new GridSearchSpec()).RunsPerConfigurationBound(new GridSearchSpec()));
        Assert.Equal(BoundarySearch.MaxEvaluations(Boundary), SearchStrategies.For(Boundary).RunsPerConfigurationBound(Boundary));
        Assert.Equal(3, SearchStrategies.For(Halving).RunsPerConfigurationBound(Halving));
        Assert.Equal(3L * 2 * BoundarySearch.MaxEvaluations(Boundary), SweepPlanner.Plan(Base() with { Search = Boundary }).MaxRunCount);
    }

    [Fact]
    public async Task GridRunsThePlanAsOneBatch()
    {
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);
        var plan = SweepPlanner.Plan(Base());
        var batches = new List<IReadOnlyList<RunSpec>>();
        var study = await SearchStrategies.For(plan.Spec.Search).RunAsync(plan, store, Record(batches));
        Assert.Equal(plan.Runs.Select(r => r.RunId), Assert.Single(batches).Select(r => r.RunId));
        Assert.Equal(plan.Runs, study.Runs);
        Assert.Null(study.Boundary);
        Assert.Null(study.Halving);
    }

    [Fact]
    public async Task AdaptiveStrategiesThroughTheInterfaceMatchTheirSearches()
    {
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);

        var boundaryPlan = SweepPlanner.Plan(Base() with { Search = Boundary });
        var batches = new List<IReadOnlyList<RunSpec>>();
        var viaInterface = await SearchStrategies.For(Boundary).RunAsync(boundaryPlan, store, Record(batches));
        var direct = await BoundarySearch.RunAsync(boundaryPlan, store, Record([]));
        Assert.Equal(direct.Runs.Select(r => r.RunId), viaInterface.Runs.Select(r => r.RunId));
        Assert.Equal(3 * 2 * 2, Assert.Single(batches).Count); // both ends of every line, then nothing finished to bisect
        Assert.Equal(direct.Lines.Count, viaInterface.Boundary!.Lines.Count);
        Assert.Null(viaInterface.Halving);

        var halvingPlan = SweepPlanner.Plan(Base() with { Search = Halving });
        batches.Clear();
        var halving = await SearchStrategies.For(Halving).RunAsync(halvingPlan, store, Record(batches));
        var halvingDirect = await SuccessiveHalving.RunAsync(halvingPlan, store, Record([]));
        Assert.Equal(halvingDirect.Runs.Select(r => r.RunId), halving.Runs.Select(r => r.RunId));
        Assert.All(Assert.Single(batches), r => Assert.Equal(1, r.Settings["iterations"].AsDouble)); // rung 1 only
        Assert.Equal(halvingDirect.Finished, halving.Halving!.Finished);
        Assert.Null(halving.Boundary);
    }

    /// <summary>A batch runner that runs nothing and remembers what it was asked.</summary>
    private static Func<IReadOnlyList<RunSpec>, CancellationToken, Task<SweepBatchResult>> Record(List<IReadOnlyList<RunSpec>> batches) =>
        (runs, _) =>
        {
            batches.Add(runs);
            return Task.FromResult(SweepBatchResult.Empty);
        };
}
