using System.Collections.Concurrent;
using System.Globalization;
using SweepLab.Cli.Outputs;
using SweepLab.Compute;
using SweepLab.Engine;
using SweepLab.Engine.Configuration;
using SweepLab.Formats.Particles;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// The classification engine as a sweep objective. The particle file is read once; it is preprocessed once per
/// target resolution and uploaded once per worker; runs that share a batch schedule (same seed, batch size, epochs,
/// classes, noise model, regularisation, target resolution) form one group and are stepped together by
/// <see cref="ClassificationEngine.RunMany"/>.
/// </summary>
/// <param name="particleBudgetBytes">Memory each worker's particle copy may take (see <see cref="ParticleMemory"/>).</param>
internal sealed class EngineObjective(ParticleTable table, SweepDataset dataset, ComputeDevice device, int groupSize, long particleBudgetBytes,
    Action<string> log)
    : IRunObjective, IDisposable
{
    private readonly ConcurrentDictionary<double, Lazy<LoadedParticles>> _data = new();
    private readonly ConcurrentDictionary<(double, int), ClassificationKernels> _kernels = new();
    private readonly ConcurrentDictionary<ClassificationKernels, ClassificationEngine> _engines = new();
    private readonly Lock _deviceGate = new();

    public int PreferredGroupSize => groupSize;

    /// <summary>Engine settings of a run: its sweep settings plus its seed.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings(RunSpec run) =>
        run.Settings.Select(p => new KeyValuePair<string, string>(p.Key, p.Value.CanonicalText))
            .Append(new(ClassificationConfig.Keys.Seed, run.Seed.ToString(CultureInfo.InvariantCulture)));

    public static ClassificationConfig Config(RunSpec run, ParticleTable table) =>
        ConfigSettings.Apply(Settings(run), pixelSizeAngstrom: table.PixelSizeAngstrom, particleCount: table.Count);

    /// <summary>Each run's configuration, parsed and validated once in this worker: grouping and running share it.</summary>
    private readonly ConcurrentDictionary<string, ClassificationConfig> _configs = new(StringComparer.Ordinal);

    private ClassificationConfig ConfigOf(RunSpec run) => _configs.GetOrAdd(run.RunId, _ => Config(run, table));

    public string GroupKey(RunSpec run)
    {
        var c = ConfigOf(run);
        return GroupKeyOf(c, table.Count);
    }

    /// <summary>The group key without an objective, for executors that split runs before any worker starts.</summary>
    public static string GroupKeyOf(RunSpec run, ParticleTable table) => GroupKeyOf(Config(run, table), table.Count);

    /// <summary>The engine's own lockstep key, plus the target resolution: another resolution is another particle set.</summary>
    private static string GroupKeyOf(ClassificationConfig c, int particleCount) =>
        string.Create(CultureInfo.InvariantCulture, $"{ClassificationEngine.LockstepKey(c, particleCount)}|{c.TargetResolutionAngstrom:R}");

    public Task RunGroupAsync(IReadOnlyList<RunContext> runs, CancellationToken cancellationToken)
    {
        var configs = runs.Select(r => ConfigOf(r.Run)).ToList();
        double resolution = configs[0].TargetResolutionAngstrom;
        var data = _data.GetOrAdd(resolution, r => new Lazy<LoadedParticles>(() =>
            DataLoader.Load(table, dataset.ParticleFile, r, dataset.TruthFile, log: log, cacheDirectory: dataset.CacheDirectory, focusMaskFile: dataset.FocusMaskFile))).Value;
        var kernels = KernelsFor(resolution, data);
        lock (kernels)
        {
            // The engine keeps the consensus and noise spectra of its particles: computed once per worker and resolution.
            var engine = _engines.GetOrAdd(kernels, k => new ClassificationEngine(k, data.Input));
            var results = engine.RunMany(configs, (index, it) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return runs[index].ReportIteration(it.Iteration, IterationMetrics(it, configs[index].CollapseFloorFraction));
            });
            for (int i = 0; i < runs.Count; i++)
            {
                var extra = new Dictionary<string, string> { ["run_id"] = runs[i].Run.RunId, ["config_id"] = runs[i].Run.ConfigId };
                RunOutputs.WriteInto(runs[i].OutputDirectory, table, results[i], dataset.ParticleFile, dataset.TruthFile, extra);
                runs[i].Complete(RunOutputs.FinalMetrics(results[i]));
                _configs.TryRemove(runs[i].Run.RunId, out _);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>One set of kernels (one device copy of the particles) per worker thread and resolution.</summary>
    private ClassificationKernels KernelsFor(double resolution, LoadedParticles data)
    {
        int worker = Environment.CurrentManagedThreadId;
        return _kernels.GetOrAdd((resolution, worker), _ =>
        {
            lock (_deviceGate) return ParticleMemory.Kernels(device, data.Set, particleBudgetBytes, log);
        });
    }

    public static Dictionary<string, double> IterationMetrics(Engine.IterationMetrics it, double collapseFloor)
    {
        var metrics = new Dictionary<string, double>
        {
            ["learning_rate"] = it.LearningRate,
            ["class_similarity"] = it.Similarity,
            ["hard"] = it.Hard ? 1 : 0,
            ["mean_ess"] = it.MeanEss,
            ["median_ess"] = it.MedianEss,
            ["fraction_changed"] = it.FractionChanged,
            ["mean_log_likelihood"] = it.MeanLogLikelihood,
            ["volume_change_rms"] = it.VolumeChangeRms,
            ["collapsed"] = it.ClassFractionsHard.Min() < collapseFloor ? 1 : 0,
        };
        for (int k = 0; k < it.ClassFractionsHard.Count; k++)
        {
            metrics[$"fraction_hard_{k + 1}"] = it.ClassFractionsHard[k];
            metrics[$"fraction_soft_{k + 1}"] = it.ClassFractionsSoft[k];
        }
        return metrics;
    }

    public void Dispose()
    {
        foreach (var kernels in _kernels.Values) kernels.Dispose();
        foreach (var data in _data.Values) if (data.IsValueCreated) data.Value.Set.Dispose();
    }
}
