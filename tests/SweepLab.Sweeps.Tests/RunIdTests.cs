namespace SweepLab.Sweeps.Tests;

/// <summary>
/// Ids hash the canonical settings (equal runs, equal ids), and finished runs stored under the ids an earlier version
/// gave them (settings as written) are moved to the current ids without losing one, whenever the move is stopped.
/// </summary>
public class RunIdTests
{
    /// <summary>A stand-in for the engine's canonical form: soft/hard are aliases of off/on, case does not matter.</summary>
    private static SettingMap Canonical(SettingMap settings) => new(settings.Select(p =>
        new KeyValuePair<string, SettingValue>(p.Key, p.Key != "mode" ? p.Value : SettingValue.FromString(p.Value.AsString.ToLowerInvariant() switch
        {
            "soft" => "off",
            "hard" => "on",
            string other => other,
        }, p.Value.Line))));

    private static SweepSpec Spec(params SettingValue[] modes) =>
        Specs.Grid(Specs.Map(("k", 2)), Specs.Axis("x", 1, 2), Specs.Axis("mode", modes)) with { Repeats = new Located<int>(2), Seed = new Located<long>(3) };

    [Fact]
    public void AliasesAndCasingsOfOneValuePlanToOneRunIdAndTheCanonicalSettings()
    {
        var ids = new[] { "soft", "off", "OFF" }.Select(m => SweepPlanner.Plan(Spec(m), canonicalise: Canonical)).ToArray();
        Assert.All(ids, p => Assert.Equal(ids[0].Runs.Select(r => r.RunId), p.Runs.Select(r => r.RunId)));
        Assert.All(ids, p => Assert.Equal(ids[0].Runs.Select(r => r.ConfigId), p.Runs.Select(r => r.ConfigId)));
        Assert.All(ids[0].Runs, r => Assert.Equal("off", r.Settings["mode"].AsString));
        // Without a canonical form the settings stay as written, and so do the ids (as before).
        Assert.NotEqual(SweepPlanner.Plan(Spec("soft")).Runs[0].RunId, SweepPlanner.Plan(Spec("off")).Runs[0].RunId);
        Assert.Equal(ids[1].Runs.Select(r => r.RunId), SweepPlanner.Plan(Spec("off")).Runs.Select(r => r.RunId));
    }

    [Fact]
    public void TwoSpellingsOfOneConfigurationAreRefusedLikeARepeatedValue()
    {
        var e = Assert.Throws<SweepSpecException>(() => SweepPlanner.Plan(Spec("soft", "off") with { SourcePath = "s.yaml" }, canonicalise: Canonical));
        Assert.Contains("mode = soft and off both read mode = off", e.Message);
        Assert.Contains("grid.mode", e.Message);
        Assert.Throws<InvalidOperationException>(() => SweepPlanner.Plan(Spec("soft"), canonicalise: m => Specs.Map(("k", 2))));
    }

    /// <summary>A folder as an earlier version wrote it: the plan without the canonical form, run to the end.</summary>
    private static async Task<SweepPlan> WriteEarlierFolder(string dir)
    {
        var earlier = SweepPlanner.Plan(Spec("soft", "hard"));
        using var store = new RunStore(dir);
        var result = await new SweepRunner(store, new SyntheticObjective()).RunAsync(earlier.Runs);
        Assert.Equal(8, result.Completed);
        return earlier;
    }

    [Fact]
    public async Task FinishedRunsUnderEarlierIdsAreMovedAndNotComputedAgain()
    {
        using var dir = new TempDir();
        var earlier = await WriteEarlierFolder(dir.Path);
        var plan = SweepPlanner.Plan(Spec("soft", "hard"), canonicalise: Canonical);
        Assert.Empty(plan.Runs.Select(r => r.RunId).Intersect(earlier.Runs.Select(r => r.RunId)));
        var expected = earlier.Runs.ToDictionary(r => plan.Runs[earlier.Runs.ToList().IndexOf(r)].RunId, r => r);

        using (var store = new RunStore(dir.Path))
        {
            Assert.False(store.RunIdsCurrent);
            Assert.Equal(8, store.RunsUnderEarlierIds(Canonical).Count);
            var rewritten = new List<string>();
            Assert.Equal(new RunIdMigration(8, 0), store.MigrateRunIds(Canonical, (folder, record) => rewritten.Add(Path.GetFileName(folder) + "=" + record.RunId)));
            Assert.Equal(plan.Runs.Select(r => r.RunId + "=" + r.RunId).Order(), rewritten.Order());
            Assert.Empty(store.RunsUnderEarlierIds(Canonical));
            Assert.Equal(new RunIdMigration(0, 0), store.MigrateRunIds(Canonical));
            store.MarkRunIdsCurrent();
            Assert.True(store.RunIdsCurrent);
            foreach (var run in plan.Runs)
            {
                var record = store.TryLoad(run.RunId)!;
                Assert.Equal((run.RunId, run.ConfigId, run.Settings.ToString()), (record.RunId, record.ConfigId, record.Settings.ToString()));
                Assert.Equal(expected[run.RunId].Seed % 1000 + 3, record.FinalMetrics["x"]);
                Assert.False(store.IsFinished(expected[run.RunId].RunId));
                Assert.Equal(1, store.History(run.RunId).Attempts);
            }
        }
        Assert.Equal(plan.Runs.Select(r => r.RunId).Order(), Directory.GetDirectories(Path.Combine(dir.Path, "runs")).Select(Path.GetFileName).Order());

        // The resume: every run is found, none is computed again.
        using (var store = new RunStore(dir.Path))
        {
            var objective = new SyntheticObjective();
            var result = await new SweepRunner(store, objective).RunAsync(plan.Runs);
            Assert.Equal(new SweepBatchResult(8, 8, 0, 0, 0, 0, false, false), result);
            Assert.Empty(objective.Calls);
        }
    }

    [Fact]
    public async Task AMoveStoppedAtAnyStepLosesNothingAndTheNextCallCompletesIt()
    {
        using var dir = new TempDir();
        await WriteEarlierFolder(dir.Path);
        var plan = SweepPlanner.Plan(Spec("soft", "hard"), canonicalise: Canonical);
        // Stopped after the rename of the third run, before its files were rewritten (as a kill -9 would).
        int calls = 0;
        using (var store = new RunStore(dir.Path))
        {
            Assert.Throws<IOException>(() => store.MigrateRunIds(Canonical, (_, _) =>
            {
                if (++calls == 3) throw new IOException("killed");
            }));
            // Every run is in exactly one folder: two moved, one renamed with its earlier run.json, five not yet moved.
            Assert.Equal(8, Directory.GetDirectories(store.RunsDirectory).Length);
            Assert.Equal(2, plan.Runs.Count(r => store.IsFinished(r.RunId)));
            Assert.Equal(6, store.RunsUnderEarlierIds(Canonical).Count);
        }
        using (var store = new RunStore(dir.Path))
        {
            Assert.Equal(new RunIdMigration(6, 0), store.MigrateRunIds(Canonical));
            Assert.All(plan.Runs, r => Assert.True(store.IsFinished(r.RunId)));
            var objective = new SyntheticObjective();
            Assert.Equal(8, (await new SweepRunner(store, objective).RunAsync(plan.Runs)).Skipped);
            Assert.Empty(objective.Calls);
        }
    }

    [Fact]
    public async Task ARunFinishedUnderBothIdsKeepsBothFoldersAndTheCurrentOneCounts()
    {
        using var dir = new TempDir();
        var earlier = await WriteEarlierFolder(dir.Path);
        var plan = SweepPlanner.Plan(Spec("soft", "hard"), canonicalise: Canonical);
        using var store = new RunStore(dir.Path);
        await new SweepRunner(store, new SyntheticObjective()).RunAsync([plan.Runs[0]]);
        Assert.Equal(new RunIdMigration(7, 1), store.MigrateRunIds(Canonical));
        Assert.True(store.IsFinished(earlier.Runs[0].RunId));
        Assert.All(plan.Runs, r => Assert.True(store.IsFinished(r.RunId)));
    }

    [Fact]
    public async Task RunsAnAdaptiveSearchAddsTakeTheSameCanonicalForm()
    {
        // A stand-in for the mask radius, whose 0 reads "none": the bisected value and the rung's budget are settings
        // like any other, so the runs a search asks for carry them canonically (and a later move leaves them alone).
        static SettingMap Zero(SettingMap m) => new(m.Select(p => new KeyValuePair<string, SettingValue>(p.Key,
            p.Value.IsNumber && p.Value.AsDouble == 0 ? SettingValue.FromString("none") : p.Value)));
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);
        var spec = Specs.Grid(Specs.Map(("k", 2))) with { Search = new BoundarySearchSpec("radius", 0, 1, 0.25, MetricPredicate.Parse("x > 100")) };
        var plan = SweepPlanner.Plan(spec, canonicalise: Zero);
        var batches = new List<IReadOnlyList<RunSpec>>();
        await BoundarySearch.RunAsync(plan, store, (runs, _) => { batches.Add(runs); return Task.FromResult(SweepBatchResult.Empty); });
        Assert.Equal(["none", "1"], batches[0].Select(r => r.Settings["radius"].CanonicalText));
        Assert.Equal(CanonicalJson.RunId(Specs.Map(("k", 2), ("radius", "none")), plan.Seeds[0]), batches[0][0].RunId);

        var halving = SweepPlanner.Plan(Specs.Grid(Specs.Map(("k", 2))) with { Search = new HalvingSearchSpec("x", true, 2, "budget", [1, 2]) },
            canonicalise: m => new(m.Select(p => new KeyValuePair<string, SettingValue>(p.Key, p.Key == "budget" ? SettingValue.FromString($"b{p.Value.CanonicalText}") : p.Value))));
        batches.Clear();
        var result = await SuccessiveHalving.RunAsync(halving, store, (runs, _) => { batches.Add(runs); return Task.FromResult(SweepBatchResult.Empty); });
        Assert.Equal("b1", batches[0][0].Settings["budget"].CanonicalText);
        Assert.Equal(batches[0][0].ConfigId, result.Entries[0].RunsConfigId);
    }
}
