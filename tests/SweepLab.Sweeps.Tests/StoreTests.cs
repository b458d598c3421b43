using SweepLab.Core.IO;
using System.Text;

namespace SweepLab.Sweeps.Tests;

public class StoreTests
{
    private static RunSpec Run(int x, long seed = 1) => new(Specs.Map(("x", x)), seed, 0);

    [Fact]
    public void AtomicFileReplacesWholeAndLeavesNoTemporaries()
    {
        using var dir = new TempDir();
        string path = dir.Sub("a/b.txt");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second ü");
        Assert.Equal("second ü", File.ReadAllText(path));
        Assert.Equal(Encoding.UTF8.GetBytes("second ü"), File.ReadAllBytes(path)); // no BOM
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("boom"); }));
        Assert.Equal("second ü", File.ReadAllText(path));
        Assert.Equal(["b.txt"], Directory.GetFiles(dir.Sub("a")).Select(Path.GetFileName));
    }

    [Fact]
    public void JournalRoundTripsAndIgnoresATornLastLine()
    {
        using var dir = new TempDir();
        string path = dir.Sub("journal.jsonl");
        var t = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using (var journal = new RunJournal(path))
        {
            journal.Append(new RunEvent(RunEventKind.Started, "r1", t, 1));
            journal.Append(new RunEvent(RunEventKind.Failed, "r1", t, 1, Error: "line1\nline2 \"quoted\"", DurationSeconds: 1.5));
            journal.Append(new RunEvent(RunEventKind.Pruned, "r2", t, 2, Iteration: 7));
        }
        // A crash mid-write: half an event, no newline.
        File.AppendAllText(path, "{\"event\":\"completed\",\"run_id\":\"r3\",\"ti");
        var (events, unreadable) = RunJournal.Replay([path]);
        Assert.Equal(1, unreadable);
        Assert.Equal(3, events.Count);
        Assert.Equal(new RunEvent(RunEventKind.Failed, "r1", t, 1, "line1\nline2 \"quoted\"", null, 1.5), events[1]);
        Assert.Equal(new RunEvent(RunEventKind.Pruned, "r2", t, 2, null, 7, null), events[2]);

        // A writer reopening the file ends the torn line first, so its own events stay readable.
        using (var journal = new RunJournal(path)) journal.Append(new RunEvent(RunEventKind.Completed, "r4", t, 1));
        (events, unreadable) = RunJournal.Replay([path]);
        Assert.Equal(1, unreadable);
        Assert.Equal("r4", events[^1].RunId);
        Assert.Equal(5, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void RunRecordRoundTripsKindsOrderAndNonFiniteMetrics()
    {
        var settings = Specs.Map(("z", 2.0), ("a", 3), ("s", "soft"), ("b", false), ("r", 1e-7));
        var record = new RunRecord("abc", "def", 99, 2, settings, RunOutcome.Pruned, 4,
            new MetricMap([new("m2", double.NaN), new("m1", 0.1), new("inf", double.NegativeInfinity)]),
            [new IterationMetrics(1, new MetricMap([new("m1", 1.0 / 3)]))]);
        var back = RunRecord.Parse(record.ToJson(), "run.json");
        Assert.Equal(["z", "a", "s", "b", "r"], back.Settings.Keys);
        Assert.Equal(SettingKind.Real, back.Settings["z"].Kind);
        Assert.Equal(SettingKind.Integer, back.Settings["a"].Kind);
        Assert.Equal(1e-7, back.Settings["r"].AsDouble);
        Assert.Equal(["m2", "m1", "inf"], back.FinalMetrics.Keys);
        Assert.True(double.IsNaN(back.FinalMetrics["m2"]));
        Assert.Equal(double.NegativeInfinity, back.FinalMetrics["inf"]);
        Assert.Equal(1.0 / 3, back.Iterations[0].Metrics["m1"]);
        Assert.Equal((RunOutcome.Pruned, 4, 99L, 2), (back.Outcome, back.PrunedAtIteration, back.Seed, back.RepeatIndex));
        Assert.Equal(record.ToJson(), back.ToJson());
        Assert.Throws<InvalidDataException>(() => RunRecord.Parse(Encoding.UTF8.GetBytes("{\"run_id\":1}"), "bad.json"));
    }

    [Fact]
    public void StatesFollowFoldersAndJournal()
    {
        using var dir = new TempDir();
        var complete = Run(1);
        var failed = Run(2);
        var interrupted = Run(3);
        var noResult = Run(4);
        using (var store = new RunStore(dir.Path))
        {
            var (attempt, folder) = store.BeginRun(complete);
            Assert.Equal(1, attempt);
            Assert.StartsWith(Path.Combine(store.RunsDirectory, $".tmp-{complete.RunId}-"), folder);
            File.WriteAllText(Path.Combine(folder, RunStore.ResultFileName), "{}");
            store.CommitRun(Record(complete), folder, attempt, 0.5);
            Assert.False(Directory.Exists(folder));
            Assert.Equal(RunState.Complete, store.GetState(complete.RunId));

            var (fa, ff) = store.BeginRun(failed);
            store.RecordFailure(failed, ff, fa, "it broke", 0.1);
            Assert.False(Directory.Exists(ff));

            store.BeginRun(interrupted); // then a crash: the temporary folder stays behind

            var (na, nf) = store.BeginRun(noResult);
            Assert.Throws<InvalidOperationException>(() => store.CommitRun(Record(noResult), nf, na, 0));
        }

        using (var store = new RunStore(dir.Path))
        {
            Assert.Equal(RunState.Complete, store.GetState(complete.RunId));
            Assert.Equal(RunState.Failed, store.GetState(failed.RunId));
            Assert.Equal("it broke", store.History(failed.RunId).LastError);
            Assert.Equal(RunState.Interrupted, store.GetState(interrupted.RunId));
            Assert.Equal(RunState.Interrupted, store.GetState(noResult.RunId));
            Assert.Equal(RunState.Missing, store.GetState(Run(5).RunId));
            Assert.Equal(new StoreSummary(5, 1, 0, 1, 2, 1), store.Summarize([complete, failed, interrupted, noResult, Run(5)]));
            Assert.Equal(2, store.RemoveStaleTemporaryFolders());
            Assert.Equal([complete.RunId], Directory.GetDirectories(store.RunsDirectory).Select(Path.GetFileName));
            Assert.Equal(2, store.BeginRun(failed).Attempt);

            // A folder without result.json is not complete, whatever the journal says.
            File.Delete(Path.Combine(store.RunDirectory(complete.RunId), RunStore.ResultFileName));
            Assert.Equal(RunState.Interrupted, store.GetState(complete.RunId));
            Assert.Null(store.TryLoad(complete.RunId));
        }
    }

    [Fact]
    public void SecondCommitOfTheSameRunKeepsTheFirst()
    {
        using var dir = new TempDir();
        var run = Run(1);
        using var store = new RunStore(dir.Path);
        var (a1, f1) = store.BeginRun(run);
        var (a2, f2) = store.BeginRun(run);
        File.WriteAllText(Path.Combine(f1, RunStore.ResultFileName), "first");
        File.WriteAllText(Path.Combine(f2, RunStore.ResultFileName), "second");
        store.CommitRun(Record(run), f1, a1, 0);
        store.CommitRun(Record(run), f2, a2, 0);
        Assert.Equal("first", File.ReadAllText(Path.Combine(store.RunDirectory(run.RunId), RunStore.ResultFileName)));
        Assert.False(Directory.Exists(f2));
    }

    [Fact]
    public void SeparateWritersShareOneFolder()
    {
        using var dir = new TempDir();
        var a = Run(1);
        var b = Run(2);
        using (var first = new RunStore(dir.Path, "task-1"))
        using (var second = new RunStore(dir.Path, "task-2"))
        {
            var (aa, af) = first.BeginRun(a);
            first.RecordFailure(a, af, aa, "x", 0);
            second.BeginRun(b);
        }
        Assert.True(File.Exists(dir.Sub("journal.task-1.jsonl")));
        using var merged = new RunStore(dir.Path);
        Assert.Equal(RunState.Failed, merged.GetState(a.RunId));
        Assert.Equal(RunState.Interrupted, merged.GetState(b.RunId));
        Assert.Throws<ArgumentException>(() => new RunStore(dir.Path, "../evil"));
    }

    internal static RunRecord Record(RunSpec run) => new(run.RunId, run.ConfigId, run.Seed, run.RepeatIndex, run.Settings,
        RunOutcome.Complete, null, new MetricMap([new("m", 1)]), []);
}
