using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace SweepLab.Bench;

/// <summary>
/// Runs bench cases through BenchmarkDotNet in this process (the kernels and their data stay on the device that
/// was set up once; a separate process per case would re-simulate and re-upload). Monitoring strategy: each
/// iteration is one call, no pilot or overhead subtraction, since one call takes tens of milliseconds or more.
/// BenchmarkDotNet's log goes to bench-results/benchmarkdotnet.log.
/// </summary>
public static class BdnHarness
{
    private static IReadOnlyDictionary<string, BenchCase> _cases = new Dictionary<string, BenchCase>();

    public static IReadOnlyDictionary<string, Timing> Measure(IReadOnlyList<BenchCase> cases, int warmups, int repeats, string outputDirectory)
    {
        _cases = cases.ToDictionary(c => c.Name);
        CaseBenchmarks.Names = cases.Select(c => c.Name).ToList();
        Directory.CreateDirectory(outputDirectory);
        string logPath = Path.Combine(outputDirectory, "benchmarkdotnet.log");
        using var writer = new StreamWriter(logPath, append: false);
        var job = new Job("bench")
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(warmups)
            .WithIterationCount(repeats)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithToolchain(InProcessNoEmitToolchain.Instance);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(new StreamLogger(writer))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(outputDirectory, "benchmarkdotnet-artifacts"))
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.DisableOptimizationsValidator);
        Console.WriteLine($"  BenchmarkDotNet: {cases.Count} cases x ({warmups} warm-up + {repeats}) calls, log {logPath}");
        var summary = BenchmarkRunner.Run<CaseBenchmarks>(config);
        var result = new Dictionary<string, Timing>();
        foreach (var report in summary.Reports)
        {
            string name = (string)report.BenchmarkCase.Parameters[nameof(CaseBenchmarks.Case)];
            var statistics = report.ResultStatistics
                ?? throw new InvalidOperationException($"BenchmarkDotNet measured nothing for '{name}'; see {logPath}");
            result[name] = new Timing(statistics.Median / 1e9, statistics.Min / 1e9, statistics.Max / 1e9, statistics.N);
        }
        foreach (var c in cases)
            if (!result.ContainsKey(c.Name)) throw new InvalidOperationException($"BenchmarkDotNet returned no report for '{c.Name}'; see {logPath}");
        return result;
    }

    /// <summary>Invoked by BenchmarkDotNet; one parameter value per case.</summary>
    public static void Invoke(string name) => _cases[name].Action();
}

/// <summary>The benchmark class BenchmarkDotNet instantiates; the cases themselves live in <see cref="BdnHarness"/>.</summary>
public class CaseBenchmarks
{
    public static IReadOnlyList<string> Names { get; set; } = [];

    [ParamsSource(nameof(CaseNames))]
    public string Case { get; set; } = "";

    public static IEnumerable<string> CaseNames() => Names;

    [Benchmark]
    public void Run() => BdnHarness.Invoke(Case);
}
