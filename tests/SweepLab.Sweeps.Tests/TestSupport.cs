using System.Collections.Concurrent;
using System.Text.Json;

namespace SweepLab.Sweeps.Tests;

/// <summary>A scratch folder deleted after the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sweeplab-tests-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A clock that moves only when a test advances it: time budgets and estimates that do not depend on how
/// fast (or how loaded) the machine is.</summary>
public sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>
/// A synthetic objective: each run reports <see cref="Iterations"/> iterations of the metrics <see cref="Metric"/>
/// computes, writes result.json with the final ones, and can be told to fail or cancel at chosen moments.
/// </summary>
public sealed class SyntheticObjective : IRunObjective
{
    public int PreferredGroupSize { get; init; } = 1;
    public Func<RunSpec, string> Key { get; init; } = _ => "";
    public int Iterations { get; init; } = 3;

    /// <summary>Metrics of a run at an iteration (1-based).</summary>
    public Func<RunSpec, int, IReadOnlyDictionary<string, double>> Metric { get; init; } =
        (run, it) => new Dictionary<string, double> { ["x"] = run.Seed % 1000 + it };

    /// <summary>Runs that throw (before writing anything) on their first attempt in this objective's lifetime.</summary>
    public Func<RunSpec, bool> FailsOnce { get; init; } = _ => false;

    /// <summary>Called before each run starts; may cancel a token.</summary>
    public Action<RunSpec>? BeforeRun { get; init; }

    /// <summary>Groups received, in order (run ids).</summary>
    public ConcurrentQueue<string[]> Groups { get; } = new();

    public ConcurrentDictionary<string, int> Calls { get; } = new();

    public string GroupKey(RunSpec run) => Key(run);

    public Task RunGroupAsync(IReadOnlyList<RunContext> runs, CancellationToken cancellationToken)
    {
        Groups.Enqueue(runs.Select(r => r.Run.RunId).ToArray());
        foreach (var context in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BeforeRun?.Invoke(context.Run);
            cancellationToken.ThrowIfCancellationRequested();
            int call = Calls.AddOrUpdate(context.Run.RunId, 1, (_, n) => n + 1);
            try
            {
                if (call == 1 && FailsOnce(context.Run)) throw new InvalidOperationException($"injected failure of {context.Run.RunId}");
                IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
                for (int it = 1; it <= Iterations; it++)
                {
                    last = Metric(context.Run, it);
                    if (context.ReportIteration(it, last)) break;
                }
                File.WriteAllText(Path.Combine(context.OutputDirectory, RunStore.ResultFileName), JsonSerializer.Serialize(last));
                context.Complete(last);
            }
            catch (InvalidOperationException e)
            {
                context.Fail(e);
            }
        }
        return Task.CompletedTask;
    }
}

public static class Specs
{
    public static SettingMap Map(params (string Key, SettingValue Value)[] entries) =>
        new(entries.Select(e => new KeyValuePair<string, SettingValue>(e.Key, e.Value)));

    public static GridAxis Axis(string name, params SettingValue[] values) => new(name, values);

    public static SweepSpec Grid(SettingMap baseSettings, params GridAxis[] axes) =>
        SweepSpec.Create(baseSettings) with { Grid = axes };
}
