using System.Diagnostics;
using SweepLab.Compute;
using SweepLab.Core.Fourier;
using SweepLab.Core.Metrics;
using SweepLab.Core.Particles;
using SweepLab.Engine.Configuration;
using SweepLab.Engine.Posteriors;
using SweepLab.Engine.Schedules;

namespace SweepLab.Engine;

/// <summary>What a classification starts from besides its configuration: the data and, when known, the truth.</summary>
/// <param name="TrueClasses">0-based true class per particle (-1 where unknown), for accuracy and ARI.</param>
/// <param name="TrueVolumes">True maps in the engine's centred Fourier layout, for FSC against the recovered classes.</param>
/// <param name="InputVolumes">Starting maps (same layout) for initialisation = input_volumes.</param>
/// <param name="Mask">A real-space mask on the cropped box (M^3); overrides mask_radius_angstrom when given.</param>
/// <param name="FocusMask">A real-space focus mask on the cropped box (M^3, values in [0, 1]): the classes may differ
/// only inside it (focused classification, <see cref="EmSteps.FocusClassDifferences"/>); null = anywhere.</param>
public sealed record ClassificationInput(
    ParticleSet Particles,
    IReadOnlyList<int>? TrueClasses = null,
    IReadOnlyList<float[]>? TrueVolumes = null,
    IReadOnlyList<float[]>? InputVolumes = null,
    float[]? Mask = null,
    float[]? FocusMask = null);

/// <summary>Called after every iteration of every run; returning true stops that run (a pruner's decision).</summary>
public delegate bool IterationObserver(int runIndex, IterationMetrics metrics);

/// <summary>
/// Online-EM 3D classification without alignment. Runs whose batches coincide (same particle count, batch size,
/// epochs and seed) are stepped together: one residual pass over each batch particle scores every class volume of
/// every such run, and one backprojection pass accumulates all of them. The noise spectrum is estimated once per
/// particle set (see <see cref="ParticleStatistics"/>). See README "The engine" for the exact formulas.
/// </summary>
public sealed partial class ClassificationEngine
{
    private const int FinalChunk = 4096;
    /// <summary>Resolution the consensus is low-passed to before an automatic mask is thresholded from it.</summary>
    private const double AutoMaskLowpassAngstrom = 15;
    /// <summary>Fraction of the low-passed consensus maximum that the automatic mask radius must enclose.</summary>
    private const double AutoMaskRadiusThreshold = 0.15;
    private readonly ClassificationKernels _kernels;
    private readonly ClassificationInput _input;
    private readonly Dictionary<double, ParticleStatistics> _statistics = new();
    private readonly Dictionary<string, float[][]> _initialVolumes = new(StringComparer.Ordinal);

    /// <summary>The kernels must already hold <paramref name="input"/>'s particles (UploadParticles).</summary>
    public ClassificationEngine(ClassificationKernels kernels, ClassificationInput input)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentNullException.ThrowIfNull(input);
        int m = kernels.Box;
        if (input.FocusMask is { } focus && focus.Length != m * m * m)
            throw new ArgumentException($"the focus mask has {focus.Length} voxels; the cropped box needs {m}^3");
        if (kernels.ParticleCount != input.Particles.Count)
            throw new ArgumentException($"the kernels hold {kernels.ParticleCount} particles; the input has {input.Particles.Count}; upload the particle set first");
        if (input.TrueClasses is not null && input.TrueClasses.Count != input.Particles.Count)
            throw new ArgumentException($"{input.TrueClasses.Count} true classes for {input.Particles.Count} particles");
        _kernels = kernels;
        _input = input;
    }

    public string DeviceName => _kernels.Device.ToString();

    /// <summary>Consensus and noise spectra for a regularisation constant, computed once and reused.</summary>
    public ParticleStatistics Statistics(double regularisationFudge)
    {
        lock (_statistics)
        {
            if (!_statistics.TryGetValue(regularisationFudge, out var statistics))
                _statistics[regularisationFudge] = statistics = ParticleStatistics.Estimate(_kernels, _input.Particles, regularisationFudge);
            return statistics;
        }
    }

    /// <summary>
    /// Starting maps depend only on the initialisation settings and the seed: runs of a sweep that share them (most
    /// runs of one seed) reuse one computation. Copies are handed out, so masking one run's maps touches no other.
    /// </summary>
    private float[][] InitialVolumes(ClassificationConfig config, ParticleStatistics statistics)
    {
        string key = string.Join('|', config.ToCanonicalDictionary()
            .Where(p => p.Key is ClassificationConfig.Keys.Initialisation or ClassificationConfig.Keys.Classes or ClassificationConfig.Keys.InitSubsetSize
                or ClassificationConfig.Keys.InitLowpassResolutionAngstrom or ClassificationConfig.Keys.PcaReconstructionCount
                or ClassificationConfig.Keys.PcaComponentCount or ClassificationConfig.Keys.RegularisationTau2Fudge or ClassificationConfig.Keys.Seed)
            .Select(p => $"{p.Key}={p.Value}"));
        float[][] volumes;
        lock (_initialVolumes)
        {
            if (!_initialVolumes.TryGetValue(key, out volumes!))
            {
                volumes = Initialisation.Create(config, _kernels, _input.Particles, statistics, _input.InputVolumes);
                if (_initialVolumes.Count >= 64) _initialVolumes.Clear();
                _initialVolumes[key] = volumes;
            }
        }
        return volumes.Select(v => (float[])v.Clone()).ToArray();
    }

    public ClassificationResult Run(ClassificationConfig config, IterationObserver? observer = null) => RunMany([config], observer)[0];

    /// <summary>
    /// Configurations with equal keys draw the same batches and share one noise model, so <see cref="RunMany"/> steps
    /// them together: the batch schedule (particles, batch size, epochs, full-batch iterations, seed), the classes,
    /// the noise model and the regularisation constant. Callers grouping runs (a sweep) use the same key.
    /// </summary>
    public static string LockstepKey(ClassificationConfig config, int particleCount)
    {
        var b = BatchSchedule.FromConfig(config, particleCount);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{b.ParticleCount}|{b.BatchSize}|{b.Epochs}|{b.FullBatchIterationCount}|{b.Seed}|{config.ClassCount}|{config.NoiseModel}|{config.RegularisationTau2Fudge:R}");
    }

    /// <summary>Runs every configuration; results in the order given. Invalid configurations throw before any work.</summary>
    public IReadOnlyList<ClassificationResult> RunMany(IReadOnlyList<ClassificationConfig> configs, IterationObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(configs);
        var set = _input.Particles;
        foreach (var config in configs) config.ThrowIfInvalid(set.Grid.OriginalPixelSizeAngstrom, set.Count);
        var results = new ClassificationResult[configs.Count];
        var groups = configs.Select((c, i) => (Config: c, Index: i))
            .GroupBy(x => LockstepKey(x.Config, set.Count), StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var members = group.ToList();
            var groupResults = RunGroup(members.Select(m => m.Config).ToList(), members.Select(m => m.Index).ToList(), observer);
            for (int i = 0; i < members.Count; i++) results[members[i].Index] = groupResults[i];
        }
        return results;
    }

    /// <summary>
    /// Steps a lockstep group through its iterations: one shared E-step (<see cref="EStep"/>) over each batch, each
    /// active run's posteriors (<see cref="PlanIteration"/>), one shared backprojection (<see cref="BackprojectBatch"/>),
    /// each run's own remaining steps (<see cref="CompleteIteration"/>), then convergence and the observer
    /// (<see cref="FinishIteration"/>); finally a last E-step over every particle (<see cref="FinalResults"/>).
    /// </summary>
    private ClassificationResult[] RunGroup(IReadOnlyList<ClassificationConfig> configs, IReadOnlyList<int> runIndices, IterationObserver? observer)
    {
        var clock = Stopwatch.StartNew();
        var statistics = Statistics(configs[0].RegularisationTau2Fudge);
        var staticWeights = statistics.InverseNoise(configs[0].NoiseModel, _input.Particles, configs.Max(c => c.ClassCount));
        // Wiener filter with the consensus signal spectrum: a class's own spectrum would feed back on itself (a blurred
        // map lowers its tau^2, which raises the regulariser and blurs it further). tau2_source = class_map opts into that.
        var consensusRegulariser = ParticleStatistics.Regulariser(statistics.NoiseSpectrum, statistics.SignalSpectrum, configs[0].RegularisationTau2Fudge);
        // One stack holds every run's classes for the shared residual pass; the M-step is per run (its own sums and
        // output), so a run's result never depends on which other runs share its group.
        using var volumes = _kernels.CreateVolumes(configs.Sum(c => c.ClassCount));
        var shared = new SharedModel(statistics, staticWeights, consensusRegulariser, volumes);
        var runs = new List<RunState>();
        try
        {
            int volumeOffset = 0;
            for (int r = 0; r < configs.Count; r++)
            {
                StartRun(configs[r], runIndices[r], volumeOffset, shared, runs);
                volumeOffset += configs[r].ClassCount;
            }
            var sampler = runs[0].Schedule.Batches.CreateSampler();
            int iterations = runs[0].Schedule.TotalIterationCount;
            for (int t = 0; t < iterations && runs.Any(r => r.Active); t++)
            {
                var iterationClock = Stopwatch.StartNew();
                int[] batch = sampler.Batch(t).ToArray();
                var active = runs.Where(r => r.Active).ToList();
                var logLikelihoods = EStep(batch, active, volumes);
                // A staged set reads the next batch while this one's M-step runs.
                if (t + 1 < iterations) _kernels.Prefetch(sampler.Batch(t + 1));
                var steps = new RunPosteriors[active.Count];
                for (int i = 0; i < active.Count; i++) steps[i] = PlanIteration(active[i], t, batch.Length, logLikelihoods[i]);
                BackprojectBatch(batch, active, steps);
                var metrics = new IterationMetrics[active.Count];
                for (int i = 0; i < active.Count; i++) metrics[i] = CompleteIteration(active[i], batch, logLikelihoods[i], steps[i], shared);
                for (int i = 0; i < active.Count; i++)
                    FinishIteration(active[i], metrics[i] with { WallSeconds = iterationClock.Elapsed.TotalSeconds }, iterations, observer);
            }
            return FinalResults(runs, volumes, clock.Elapsed.TotalSeconds / runs.Count);
        }
        finally
        {
            foreach (var run in runs) run.Dispose();
        }
    }

    /// <summary>
    /// A run's starting state, added to <paramref name="runs"/> as soon as it holds device memory: the static noise
    /// spectrum, the first likelihood limit and weights, the solvent mask, and the starting maps (masked, pre-corrected
    /// for projection, uploaded into the shared stack; their tau^2 for tau2_source = class_map).
    /// </summary>
    private void StartRun(ClassificationConfig config, int runIndex, int volumeOffset, SharedModel shared, List<RunState> runs)
    {
        var statistics = shared.Statistics;
        int m = _kernels.Box, shells = _kernels.ShellCount;
        var (mask, radiusAngstrom) = MaskFor(config, statistics);
        var run = new RunState(config, runIndex, volumeOffset, _input.Particles.Count, _kernels)
        {
            Mask = mask,
            MaskRadiusAngstrom = radiusAngstrom,
            // Maps are held pre-corrected for trilinear projection: reconstructions are divided by the envelope twice (once
            // for the splat that made them, once for the gather that reads them), the user's maps once; the solvent mask
            // rides along in the same real-space pass.
            ReconstructionFactor = VolumeOperations.GriddingCorrection(m, 2, mask),
            Noise = statistics.NoiseSpectrum.ToArray(),
            LikelihoodShell = config.ResolutionSchedule == ResolutionSchedule.Grow
                ? EmSteps.InitialLikelihoodShell(_input.Particles.Grid, config.InitLowpassResolutionAngstrom, shells - 1)
                : statistics.LikelihoodShellCount(config.ClassCount) - 1,
        };
        runs.Add(run);
        run.Weights = RunWeights(run, shared.StaticWeights);
        var initial = InitialVolumes(config, statistics);
        var initialFactor = config.Initialisation switch
        {
            InitialisationMode.InputVolumes => VolumeOperations.GriddingCorrection(m, 1, run.Mask),
            _ => run.ReconstructionFactor,
        };
        MaskMaps(initial, initialFactor, run.Priors);
        for (int k = 0; k < run.K; k++)
        {
            run.Maps[k] = initial[k];
            shared.Volumes.UploadVolume(volumeOffset + k, initial[k]);
        }
        if (config.Tau2Source == Tau2Source.ClassMap) run.Tau2 = initial.Select(v => InitialTau2(config, v, m, shells)).ToArray();
    }

    /// <summary>
    /// tau^2 of a starting map. Low-passed starts (every initialisation but input_volumes) have no signal beyond the
    /// low-pass, whatever the solvent mask spread there, so their spectrum is cut at the low-pass + 1 shell (RELION
    /// multiplies its tau^2 by the ini_high filter): the first reconstructions then stay at the starting resolution
    /// instead of filling higher shells with the noise of a random half of the data.
    /// </summary>
    private double[] InitialTau2(ClassificationConfig config, float[] map, int m, int shells)
    {
        var tau2 = FourierVolume.ShellPower(map, m, shells);
        if (config.Initialisation == InitialisationMode.InputVolumes) return tau2;
        var grid = _input.Particles.Grid;
        double cut = grid.OriginalBox * grid.OriginalPixelSizeAngstrom / config.InitLowpassResolutionAngstrom + 1;
        for (int s = 0; s < shells; s++) if (s > cut) tau2[s] = 0;
        return tau2;
    }

    /// <summary>The run's real-space solvent mask (null = none) and the radius of its sphere in Angstrom (0 = none, NaN = a mask file).</summary>
    private (float[]? Mask, double RadiusAngstrom) MaskFor(ClassificationConfig config, ParticleStatistics statistics)
    {
        if (_input.Mask is not null) return (_input.Mask, double.NaN);
        int m = _kernels.Box;
        double pixel = _input.Particles.Grid.CroppedPixelSizeAngstrom;
        float[]? mask = null;
        if (config.AutoMask)
        {
            var consensus = (float[])statistics.Consensus.Clone();
            VolumeOperations.LowPass(consensus, m, _input.Particles.Grid.OriginalBox * _input.Particles.Grid.OriginalPixelSizeAngstrom / AutoMaskLowpassAngstrom);
            mask = VolumeOperations.MaskFromMap(Core.Fourier.FourierVolume.ToRealSpace(consensus, m, m), m, config.AutoMaskThreshold);
        }
        double radiusPixels = config.MaskRadiusAngstrom is double radius ? radius / pixel : AutoMaskRadiusPixels(statistics);
        if (radiusPixels > 0)
        {
            var sphere = VolumeOperations.SphericalMask(m, radiusPixels);
            if (mask is null) mask = sphere;
            else for (int i = 0; i < mask.Length; i++) mask[i] *= sphere[i];
        }
        return (mask, radiusPixels * pixel);
    }

    /// <summary>
    /// mask_radius_angstrom = auto: the radius enclosing every voxel of the consensus map (low-passed to 15 A) above 15% of
    /// its maximum, plus 2 pixels (the low-pass already widens the map; a tight mask keeps solvent noise out of projections),
    /// kept inside the box with room for the 3-pixel edge.
    /// </summary>
    private double AutoMaskRadiusPixels(ParticleStatistics statistics)
    {
        int m = _kernels.Box;
        var consensus = (float[])statistics.Consensus.Clone();
        VolumeOperations.LowPass(consensus, m, _input.Particles.Grid.OriginalBox * _input.Particles.Grid.OriginalPixelSizeAngstrom / AutoMaskLowpassAngstrom);
        double enclosing = VolumeOperations.EnclosingRadius(Core.Fourier.FourierVolume.ToRealSpace(consensus, m, m), m, AutoMaskRadiusThreshold);
        return Math.Min(m / 2.0 - 4, enclosing + 2);
    }

    /// <summary>A last E-step over every particle with the final maps and the last iteration's similarity, hard flag and likelihood weights.</summary>
    /// <param name="volumes">The group's stack, which already holds every run's final maps (the same as each run's Maps).</param>
    private ClassificationResult[] FinalResults(List<RunState> runs, VolumeStack volumes, double secondsPerRun)
    {
        var set = _input.Particles;
        int n = set.Count, m = _kernels.Box;
        var results = new ClassificationResult[runs.Count];
        var trueScale = VolumeOperations.TrilinearEnvelope(m);
        var posteriors = runs.Select(r => new double[(long)n * r.K]).ToArray();
        var ess = runs.Select(_ => new double[n]).ToArray();
        for (int start = 0; start < n; start += FinalChunk)
        {
            int count = Math.Min(FinalChunk, n - start);
            var chunk = Enumerable.Range(start, count).ToArray();
            var logLikelihoods = EStep(chunk, runs, volumes);
            for (int r = 0; r < runs.Count; r++)
            {
                var run = runs[r];
                var plan = run.LastPlan!;
                ClassPosterior.ComputeBatch(logLikelihoods[r], ClassPosterior.LogPriors(run.Priors), plan.Similarity, run.Config.SimilarityModel, plan.Hard,
                    posteriors[r].AsSpan(start * run.K, count * run.K), ess[r].AsSpan(start, count));
            }
        }
        for (int r = 0; r < runs.Count; r++)
        {
            var run = runs[r];
            int k = run.K;
            var assignments = new int[n];
            var maxPosterior = new double[n];
            var packed = new float[(long)n * k];
            for (int i = 0; i < n; i++)
            {
                var p = posteriors[r].AsSpan(i * k, k);
                assignments[i] = ClassPosterior.ArgMax(p);
                maxPosterior[i] = p[assignments[i]];
                for (int c = 0; c < k; c++) packed[(long)i * k + c] = (float)p[c];
            }
            var hard = ClassFractions.Hard(assignments, k);
            var soft = ClassFractions.Soft(posteriors[r], k);
            var summary = EssStatistics.Summarise(ess[r], k);
            // Results are true-scale maps: undo the projection pre-correction.
            var classVolumes = Enumerable.Range(0, k).Select(c =>
            {
                var map = (float[])run.Maps[c].Clone();
                VolumeOperations.ApplyRealSpaceMask(map, m, trueScale);
                return map;
            }).ToArray();
            results[r] = new ClassificationResult(run.Config, DeviceName, run.InitialSimilarity, run.Iterations,
                assignments, packed, maxPosterior, ess[r], hard, soft, ClassFractions.MinorityToMajorityRatio(hard),
                ClassFractions.IsCollapsed(hard, run.Config.CollapseFloorFraction), run.ConvergenceIteration, run.StoppedEarly,
                summary.Mean, summary.Median, summary.BinCounts, Truth(assignments, k, classVolumes, m), classVolumes, secondsPerRun,
                set.Grid.OriginalBox * set.Grid.OriginalPixelSizeAngstrom / Math.Max(1, run.LikelihoodShell), run.MaskRadiusAngstrom);
        }
        return results;
    }

    private TruthMetrics? Truth(int[] assignments, int k, float[][] classVolumes, int m)
    {
        if (_input.TrueClasses is null) return null;
        var known = Enumerable.Range(0, assignments.Length).Where(i => _input.TrueClasses[i] >= 0).ToArray();
        if (known.Length == 0) return null;
        var truth = known.Select(i => _input.TrueClasses[i]).ToArray();
        var predicted = known.Select(i => assignments[i]).ToArray();
        int trueK = truth.Max() + 1;
        if (_input.TrueVolumes is not null) trueK = Math.Max(trueK, _input.TrueVolumes.Count);
        var best = ClusteringAgreement.BestPermutationAccuracy(truth, predicted, trueK, k);
        double ari = ClusteringAgreement.AdjustedRandIndex(truth, predicted, trueK, k);
        var resolutions = new List<double>();
        var curves = new List<IReadOnlyList<double>>();
        if (_input.TrueVolumes is not null)
        {
            double pixel = _input.Particles.Grid.CroppedPixelSizeAngstrom;
            for (int c = 0; c < k; c++)
            {
                int match = best.TrueClassOfPredicted[c];
                if (match < 0) { resolutions.Add(double.NaN); curves.Add([]); continue; }
                var fsc = FourierShellCorrelation.Compute(classVolumes[c], _input.TrueVolumes[match], m, pixel);
                resolutions.Add(fsc.ResolutionAt0143Angstrom);
                curves.Add(fsc.Correlation);
            }
        }
        return new TruthMetrics(best.Accuracy, ari, best.TrueClassOfPredicted, resolutions, curves, OracleAccuracy());
    }

    private double? _oracleAccuracy;

    /// <summary>
    /// The ceiling a classifier could reach on this data (with true maps): every particle to the true map whose
    /// CTF-modulated slice at the particle's pose is nearest, flat weights over the kept pixels; computed once. NaN
    /// without true maps or classes.
    /// </summary>
    public double OracleAccuracy()
    {
        if (_input.TrueVolumes is not { Count: > 0 } trueVolumes || _input.TrueClasses is null) return double.NaN;
        lock (_statistics)
        {
            if (_oracleAccuracy is double known) return known;
            int m = _kernels.Box, k = trueVolumes.Count, n = _input.Particles.Count;
            using var stack = _kernels.CreateVolumes(k);
            var correction = VolumeOperations.GriddingCorrection(m, 1); // true-scale maps, pre-corrected for projection
            for (int c = 0; c < k; c++)
            {
                var map = (float[])trueVolumes[c].Clone();
                VolumeOperations.ApplyRealSpaceMask(map, m, correction);
                stack.UploadVolume(c, map);
            }
            var flat = Enumerable.Repeat(1f, _kernels.ShellCount).ToArray();
            var nearest = new int[n];
            var indices = Enumerable.Range(0, k).ToArray();
            for (int start = 0; start < n; start += FinalChunk)
            {
                int count = Math.Min(FinalChunk, n - start);
                var residuals = new float[(long)count * k];
                _kernels.Residuals(Enumerable.Range(start, count).ToArray(), indices, stack, flat, residuals);
                for (int i = 0; i < count; i++)
                {
                    int best = 0;
                    for (int c = 1; c < k; c++) if (residuals[(long)i * k + c] < residuals[(long)i * k + best]) best = c;
                    nearest[start + i] = best;
                }
            }
            var known2 = Enumerable.Range(0, n).Where(i => _input.TrueClasses[i] >= 0).ToArray();
            int trueK = Math.Max(k, _input.TrueClasses.Max() + 1);
            _oracleAccuracy = known2.Length == 0 ? double.NaN : ClusteringAgreement.BestPermutationAccuracy(
                known2.Select(i => _input.TrueClasses[i]).ToArray(), known2.Select(i => nearest[i]).ToArray(), trueK, trueK).Accuracy;
            return _oracleAccuracy.Value;
        }
    }
}
