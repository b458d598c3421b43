using System.Globalization;
using SweepLab.Engine.Schedules;

namespace SweepLab.Engine.Configuration;

/// <summary>
/// Every setting of one 3D classification run without alignment (online EM, cryoSPARC-like), immutable.
/// Build it with an object initialiser and a <c>with</c> expression, then call <see cref="Validate"/> (all errors at
/// once) or <see cref="ThrowIfInvalid"/>. Iterations are 0-based and count every iteration of the run: first the
/// online-EM (O-EM) iterations, then the final full-batch ones. Defaults follow cryoSPARC's 3D Classification job
/// where its public documentation gives them, and RELION's Class3D for the steps that cryoSPARC does not document and
/// where RELION-made data measured them better (initialisation, tau^2, mask, full-batch iterations; see each property
/// and experiments/07-relion-corpus).
/// </summary>
public sealed record ClassificationConfig
{
    /// <summary>Number of classes K (key <c>classes</c>, &gt;= 2; cryoSPARC default 2).</summary>
    public int ClassCount { get; init; } = 2;

    /// <summary>
    /// Highest resolution used by the E- and M-steps, Angstrom (key <c>target_resolution_angstrom</c>; must be at least
    /// the Nyquist limit 2 x pixel size). Set to the finest resolution at which the classes differ. Default 8.
    /// </summary>
    public double TargetResolutionAngstrom { get; init; } = 8.0;

    /// <summary>
    /// How starting volumes are made (key <c>initialisation</c>: simple | input_volumes | pca | consensus; default consensus,
    /// RELION's start: on RELION-made sets it beat simple by 0-9 points of accuracy, see experiments/07-relion-corpus).
    /// </summary>
    public InitialisationMode Initialisation { get; init; } = InitialisationMode.Consensus;

    /// <summary>
    /// Particles per initial reconstruction, for simple and PCA initialisation (key <c>init_subset_size</c>, &gt;= 1;
    /// cryoSPARC default 1000, recommending 1000-5000 for simple and 100-500 for PCA).
    /// </summary>
    public int InitSubsetSize { get; init; } = 1000;

    /// <summary>Low-pass applied to the initial volumes, Angstrom (key <c>init_lowpass_resolution_angstrom</c>;
    /// &gt;= target resolution). Default 30, RELION's usual --ini_high for Class3D (cryoSPARC uses 20); with
    /// resolution_schedule = grow it also sets the likelihood's first resolution.</summary>
    public double InitLowpassResolutionAngstrom { get; init; } = 30.0;

    /// <summary>Subset reconstructions for PCA initialisation (key <c>pca_reconstruction_count</c>, &gt;= classes; cryoSPARC default 100).</summary>
    public int PcaReconstructionCount { get; init; } = 100;

    /// <summary>Principal components kept for PCA initialisation (key <c>pca_component_count</c>, 1 .. reconstructions - 1; cryoSPARC default 5).</summary>
    public int PcaComponentCount { get; init; } = 5;

    /// <summary>
    /// Initial class similarity s0 (key <c>class_similarity</c>, in [0, 1]; cryoSPARC default 0.5): 1 spreads every
    /// particle over all classes equally, 0 uses the posteriors as computed. Unused when
    /// <see cref="AutoSimilarityTargetEssFraction"/> is set, which tunes s0 from the data instead. Default 0.8 with the
    /// mixture model and a 12-iteration anneal: together they found a 10% class in 6 of 6 seeds where 0.5 tempered over
    /// 7 iterations found it in 4 of 6 (see <see cref="MinOemIterations"/> and experiments/07-relion-corpus).
    /// </summary>
    public double ClassSimilarity { get; init; } = 0.8;

    /// <summary>Last iteration at which s = s0; annealing starts after it (key <c>similarity_anneal_start</c>, &gt;= 0,
    /// iterations or epochs such as <c>1ep</c>). Default 2.</summary>
    public ScheduleTime SimilarityAnnealStart { get; init; } = 2;

    /// <summary>
    /// First iteration at which s = 0 (key <c>similarity_anneal_end</c>, &gt;= anneal start, iterations or epochs;
    /// cryoSPARC default 10). Null (<c>auto</c>, the default) means 12, or the run's last O-EM iteration when the run is
    /// shorter, so the defaults work for any particle count, K and batch size (see <see cref="AnnealWindow"/>); a value
    /// given is never changed. In epochs (<c>2ep</c>) the window keeps its place in the data whatever the batch size.
    /// </summary>
    public ScheduleTime? SimilarityAnnealEnd { get; init; }

    /// <summary>The anneal end <c>auto</c> uses when the run is long enough (cryoSPARC's is 10; 12 measured better with
    /// the mixture model on a K = 3 set: 6 of 6 seeds against 0.95 / 0.98 for 10, see <see cref="MinOemIterations"/>).</summary>
    public const int DefaultAnnealEndIteration = 12;

    /// <summary>
    /// The anneal window the run uses, in iterations: the configured one (epochs converted on the run's clock), or
    /// with <c>auto</c> the end min(12, last O-EM iteration) and the start no later than that end.
    /// </summary>
    public (int Start, int End) AnnealWindow(long particleCount)
    {
        var clock = Clock(particleCount);
        int start = SimilarityAnnealStart.ToIteration(clock);
        if (SimilarityAnnealEnd is { } end) return (start, end.ToIteration(clock));
        int auto = (int)Math.Min(DefaultAnnealEndIteration, Math.Max(0, clock.OemIterations - 1));
        return (Math.Min(start, auto), auto);
    }

    /// <summary>
    /// Every schedule point of the run in both units (iterations and epochs), as the run uses them: result.json records
    /// this so a sweep over batch sizes shows where each window fell, whichever unit the settings were written in.
    /// </summary>
    public IReadOnlyDictionary<string, double> Timeline(long particleCount)
    {
        var clock = Clock(particleCount);
        var (start, end) = AnnealWindow(particleCount);
        double halfLife = LearningRateHalfLife.ToIterations(clock);
        var timeline = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["particle_count"] = clock.ParticleCount,
            ["iterations_per_epoch"] = clock.IterationsPerEpoch,
            ["oem_epochs"] = EffectiveOemEpochs(particleCount),
            ["oem_iterations"] = clock.OemIterations,
            ["total_iterations"] = clock.TotalIterations,
            ["similarity_anneal_start_iteration"] = start,
            ["similarity_anneal_start_epochs"] = clock.ToEpochs(start),
            ["similarity_anneal_end_iteration"] = end,
            ["similarity_anneal_end_epochs"] = clock.ToEpochs(end),
            ["learning_rate_half_life_iterations"] = halfLife,
            ["learning_rate_half_life_epochs"] = clock.ToEpochs(halfLife),
        };
        if (HardClassification?.SwitchIterationOn(clock, end) is int sw)
        {
            timeline["hard_switch_iteration"] = sw;
            timeline["hard_switch_epochs"] = clock.ToEpochs(sw);
        }
        return timeline;
    }

    /// <summary>The run's timeline for <paramref name="particleCount"/> particles, which turns epochs into iterations.</summary>
    public RunClock Clock(long particleCount)
    {
        if (particleCount < 1) throw new ArgumentOutOfRangeException(nameof(particleCount), particleCount, "particle count must be >= 1");
        long batch = BatchSize(particleCount);
        long oem = BatchSchedule.OemIterationCountFor(particleCount, batch, EffectiveOemEpochs(particleCount));
        return new RunClock(particleCount, batch, oem, oem + Math.Max(0, FullBatchIterations));
    }

    /// <summary>
    /// How s modifies the posteriors (key <c>similarity_model</c>: tempered | mixture; default mixture). The mixture's
    /// floor of s/K per class keeps every class learning from every particle while s anneals (deterministic annealing);
    /// tempering barely spreads posteriors whose log-likelihood gaps are tens of units, as they are at SNR 0.1, and with
    /// it the 10% class of a K = 3 set was merged in 2 of 6 seeds whatever the anneal length.
    /// </summary>
    public SimilarityModel SimilarityModel { get; init; } = SimilarityModel.Mixture;

    /// <summary>
    /// When set, s0 is tuned before the first iteration (bisection) so that the mean per-particle ESS reaches this
    /// fraction of K (key <c>auto_similarity_target_ess_fraction</c>, in (0, 1], null = off; cryoSPARC offers this
    /// with target 0.75). Off by default here so that <c>class_similarity</c> is what a sweep varies.
    /// </summary>
    public double? AutoSimilarityTargetEssFraction { get; init; }

    /// <summary>O-EM learning rate eta0 at iteration 0 (key <c>learning_rate_init</c>, in (0, 1]). Default 0.4.</summary>
    public double LearningRateInit { get; init; } = 0.4;

    /// <summary>
    /// Iterations over which the O-EM learning rate halves: eta_t = eta0 0.5^(t / half-life) (key
    /// <c>learning_rate_half_life_iterations</c>, &gt;= 0, iterations, or epochs such as <c>2ep</c>; 0 = fixed rate eta0). Default 50.
    /// </summary>
    public ScheduleTime LearningRateHalfLife { get; init; } = 50.0;

    /// <summary>Particles per class in each O-EM batch; a batch holds this x K particles (key <c>batch_size_per_class</c>, &gt;= 1; cryoSPARC default 1000).</summary>
    public int BatchSizePerClass { get; init; } = 1000;

    /// <summary>Passes through the data by online EM (key <c>oem_epochs</c>, &gt;= 1; raised for small sets by
    /// <see cref="MinOemIterations"/>). Default 5, as the cryoSPARC job exposes it (Scipion plugin).</summary>
    public int OemEpochs { get; init; } = 5;

    /// <summary>
    /// The fewest O-EM iterations a run makes (key <c>min_oem_iterations</c>, &gt;= 0; 0 = exactly oem_epochs): on a small
    /// set, where a batch is most of the data, epochs are added until the O-EM phase has this many iterations, so the
    /// class-similarity anneal has room. Default 16 (anneal end 12 plus 4). On a 4,000-particle K = 3 set with a 10% class
    /// (SweepLab's multiclass preset, SNR 0.1) 5 epochs made 7 iterations and 2 of 6 seeds merged the small class
    /// (accuracy 0.66-0.70); 12 epochs with the mixture anneal found it in 6 of 6 (0.995). A large set is unaffected
    /// (100,000 particles at batch 4,000 make 125 iterations in 5 epochs).
    /// </summary>
    public int MinOemIterations { get; init; } = 16;

    /// <summary>Particles per O-EM iteration: min(batch per class x K, N).</summary>
    private long BatchSize(long particleCount) => BatchSchedule.BatchSizeFor(particleCount, Math.Max(1, ClassCount), Math.Max(1, BatchSizePerClass));

    /// <summary>The epochs the run makes: oem_epochs, or more when that gives fewer than min_oem_iterations iterations.</summary>
    public long EffectiveOemEpochs(long particleCount)
    {
        if (particleCount < 1) throw new ArgumentOutOfRangeException(nameof(particleCount), particleCount, "particle count must be >= 1");
        long batch = BatchSize(particleCount);
        long needed = ((long)Math.Max(0, MinOemIterations) * batch + particleCount - 1) / particleCount;
        return Math.Max(Math.Max(1, OemEpochs), needed);
    }

    /// <summary>
    /// Final iterations over all particles, learning rate 1 (key <c>full_batch_iterations</c>, &gt;= 0; cryoSPARC's default
    /// is 2). Default 6: on the RELION-made medium level, 6 gave 0.963 / 0.949 / 0.969 accuracy over seeds 1-3 where 2 gave
    /// 0.947 / 0.909 / 0.969; the run still stops early once fewer than convergence_switch_fraction of particles move.
    /// </summary>
    public int FullBatchIterations { get; init; } = 6;

    /// <summary>When assignments are one-hot (key <c>hard_classification</c>: off | on | soft_then_hard:N |
    /// soft_then_hard:anneal_end | hard_then_soft:N; default off).</summary>
    public HardClassificationSchedule HardClassification { get; init; } = new HardClassificationSchedule.Off();

    /// <summary>
    /// The run stops early once the fraction of particles whose hard class changed between two consecutive full
    /// passes falls below this (key <c>convergence_switch_fraction</c>, in [0, 1]; 0 = never stop early). Default 0.005.
    /// </summary>
    public double ConvergenceSwitchFraction { get; init; } = 0.005;

    /// <summary>A class holding less than this fraction of the particles counts as collapsed (key <c>collapse_floor_fraction</c>, in [0, 1)). Default 0.02.</summary>
    public double CollapseFloorFraction { get; init; } = 0.02;

    /// <summary>Noise variance model (key <c>noise_model</c>: coloured | white; default coloured).</summary>
    public NoiseModel NoiseModel { get; init; } = NoiseModel.Coloured;

    /// <summary>
    /// RELION's regularisation parameter T (key <c>regularisation_tau2_fudge</c>, &gt; 0, dimensionless): the signal
    /// power prior is multiplied by T, so the reconstruction regulariser 1/(T tau^2) weakens as T grows.
    /// Default 4, RELION's Class3D default.
    /// </summary>
    public double RegularisationTau2Fudge { get; init; } = 4.0;

    /// <summary>
    /// Radius of the real-space spherical solvent mask applied to every class map, Angstrom (key <c>mask_radius_angstrom</c>:
    /// a radius &gt; 0; <c>auto</c> (null, the default): a sphere enclosing the consensus map (see ClassificationEngine);
    /// <c>none</c> (0): no mask). RELION's equivalent is half its --particle_diameter. Unmasked maps carry solvent noise
    /// into every projection; on a RELION-made 7%-subunit set at SNR 0.095 that cost 0.15-0.4 accuracy.
    /// </summary>
    public double? MaskRadiusAngstrom { get; init; }

    /// <summary>
    /// Generate a solvent mask from the consensus map (key <c>auto_mask</c>): low-passed to 15 Angstrom, thresholded at
    /// <see cref="AutoMaskThreshold"/> of its maximum, dilated by 2 pixels, 3-pixel cosine edge. Ignored when a mask
    /// file is given; combined (multiplied) with mask_radius_angstrom when both are set.
    /// </summary>
    public bool AutoMask { get; init; }

    /// <summary>Fraction of the consensus map's maximum that the automatic mask keeps (key <c>auto_mask_threshold</c>, in (0, 1)).</summary>
    public double AutoMaskThreshold { get; init; } = 0.15;

    /// <summary>
    /// How the likelihood's noise spectrum evolves (key <c>noise_update</c>: static | per_iteration; default static).
    /// RELION re-estimates it every iteration (algorithm relion_em does); on RELION-made data static was as accurate and
    /// lets lockstep runs share one noise model, so it is the default.
    /// </summary>
    public NoiseUpdate NoiseUpdate { get; init; } = NoiseUpdate.Static;

    /// <summary>
    /// Signal spectrum of the reconstruction's Wiener regulariser (key <c>tau2_source</c>: consensus | class_map; default
    /// class_map, as RELION: with the consensus spectrum RELION-style EM fell to 0.50-0.52 accuracy on the medium corpus level).
    /// </summary>
    public Tau2Source Tau2Source { get; init; } = Tau2Source.ClassMap;

    /// <summary>
    /// Which shells the likelihood uses (key <c>resolution_schedule</c>: fixed | grow; default fixed). RELION grows it
    /// (algorithm relion_em does); on RELION-made data fixed was as accurate (0.966-0.967 on the medium level, seeds 1-3,
    /// against 0.955-0.967 with grow and per-iteration noise) and 10-30% faster.
    /// </summary>
    public ResolutionSchedule ResolutionSchedule { get; init; } = ResolutionSchedule.Fixed;

    /// <summary>Seed of every random choice of the run (key <c>seed</c>): batches, initial subsets.</summary>
    public ulong Seed { get; init; }

    /// <summary>Snake_case keys, as a YAML sweep file or the CLI names the settings.</summary>
    public static class Keys
    {
        public const string Classes = "classes";
        public const string TargetResolutionAngstrom = "target_resolution_angstrom";
        public const string Initialisation = "initialisation";
        public const string InitSubsetSize = "init_subset_size";
        public const string InitLowpassResolutionAngstrom = "init_lowpass_resolution_angstrom";
        public const string PcaReconstructionCount = "pca_reconstruction_count";
        public const string PcaComponentCount = "pca_component_count";
        public const string ClassSimilarity = "class_similarity";
        public const string SimilarityAnnealStart = "similarity_anneal_start";
        public const string SimilarityAnnealEnd = "similarity_anneal_end";
        public const string SimilarityModel = "similarity_model";
        public const string AutoSimilarityTargetEssFraction = "auto_similarity_target_ess_fraction";
        public const string LearningRateInit = "learning_rate_init";
        public const string LearningRateHalfLifeIterations = "learning_rate_half_life_iterations";
        public const string BatchSizePerClass = "batch_size_per_class";
        public const string OemEpochs = "oem_epochs";
        public const string MinOemIterations = "min_oem_iterations";
        public const string FullBatchIterations = "full_batch_iterations";
        public const string HardClassification = "hard_classification";
        public const string ConvergenceSwitchFraction = "convergence_switch_fraction";
        public const string CollapseFloorFraction = "collapse_floor_fraction";
        public const string NoiseModel = "noise_model";
        public const string RegularisationTau2Fudge = "regularisation_tau2_fudge";
        public const string MaskRadiusAngstrom = "mask_radius_angstrom";
        public const string AutoMask = "auto_mask";
        public const string AutoMaskThreshold = "auto_mask_threshold";
        public const string NoiseUpdate = "noise_update";
        public const string Tau2Source = "tau2_source";
        public const string ResolutionSchedule = "resolution_schedule";
        public const string Seed = "seed";
    }

    /// <summary>
    /// Every problem with these settings, each naming its key and the allowed range. With
    /// <paramref name="pixelSizeAngstrom"/> the target resolution is checked against Nyquist (2 x pixel size);
    /// with <paramref name="particleCount"/> the settings are checked against the run's length: the similarity must
    /// reach 0 within the run, and a hard-classification switch must fall inside it (otherwise the knob is dead).
    /// </summary>
    public IReadOnlyList<ConfigError> Validate(double? pixelSizeAngstrom = null, long? particleCount = null)
    {
        var errors = new List<ConfigError>();
        void Add(string key, string message) => errors.Add(new ConfigError(key, message));
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

        // each setting's own range, from its declaration
        foreach (var knob in Knobs.All)
            if (knob.Check(this) is string problem) Add(knob.Key, problem);
        bool Bad(string key) => errors.Any(e => e.Key == key);

        // settings checked against each other
        if (pixelSizeAngstrom is double px)
        {
            if (!(px > 0) || !double.IsFinite(px))
                throw new ArgumentOutOfRangeException(nameof(pixelSizeAngstrom), px, "pixel size must be positive (Angstrom)");
            if (!Bad(Keys.TargetResolutionAngstrom) && TargetResolutionAngstrom < 2 * px - 1e-9)
                Add(Keys.TargetResolutionAngstrom, $"{F(TargetResolutionAngstrom)} Angstrom is finer than Nyquist; must be >= 2 x pixel size = {F(2 * px)} Angstrom");
        }
        if (!Bad(Keys.InitLowpassResolutionAngstrom) && !Bad(Keys.TargetResolutionAngstrom) && InitLowpassResolutionAngstrom < TargetResolutionAngstrom)
            Add(Keys.InitLowpassResolutionAngstrom, $"{F(InitLowpassResolutionAngstrom)} Angstrom is finer than the target resolution; must be >= target_resolution_angstrom = {F(TargetResolutionAngstrom)} Angstrom");
        if (!Bad(Keys.PcaReconstructionCount) && PcaReconstructionCount < ClassCount)
            Add(Keys.PcaReconstructionCount, $"{PcaReconstructionCount} reconstructions; must be an integer >= max(2, classes) = {Math.Max(2, ClassCount)}");
        if (!Bad(Keys.PcaComponentCount) && PcaComponentCount >= Math.Max(2, PcaReconstructionCount))
            Add(Keys.PcaComponentCount, $"{PcaComponentCount} components; must be an integer in [1, pca_reconstruction_count - 1 = {Math.Max(2, PcaReconstructionCount) - 1}]");
        if (SimilarityAnnealEnd is { } annealEnd && !Bad(Keys.SimilarityAnnealEnd) && !Bad(Keys.SimilarityAnnealStart)
            && annealEnd.Unit == SimilarityAnnealStart.Unit && annealEnd.Value < SimilarityAnnealStart.Value)
            Add(Keys.SimilarityAnnealEnd, $"{annealEnd.Canonical} is before similarity_anneal_start = {SimilarityAnnealStart.Canonical}; must be >= it");

        if (particleCount is long n2)
        {
            if (n2 < 1) throw new ArgumentOutOfRangeException(nameof(particleCount), n2, "particle count must be >= 1");
            if (ClassCount >= 2 && n2 < ClassCount)
                Add(Keys.Classes, $"{ClassCount} classes for {n2} particles; must be <= the particle count");
            if (InitSubsetSize > n2 && Initialisation is InitialisationMode.Simple or InitialisationMode.Pca)
                Add(Keys.InitSubsetSize, $"{InitSubsetSize} particles per initial reconstruction; must be <= the particle count {n2}");
            if (errors.Count == 0) ValidateTimeline(Clock(n2), Add);
        }
        return errors;
    }

    /// <summary>Schedule points must fall inside the run (otherwise the knob is dead); messages give both units.</summary>
    private void ValidateTimeline(RunClock clock, Action<string, string> add)
    {
        long last = clock.TotalIterations - 1;
        string Run() => $"the run's last {clock.Describe((int)Math.Min(last, int.MaxValue))} ({clock.TotalIterations} iterations for {clock.ParticleCount} particles, {Math.Round(clock.IterationsPerEpoch, 3).ToString("R", CultureInfo.InvariantCulture)} per epoch)";
        var (start, end) = AnnealWindow(clock.ParticleCount);
        if (SimilarityAnnealEnd is not null && end < start)
            add(Keys.SimilarityAnnealEnd, $"{SimilarityAnnealEnd.Value.Canonical} = {clock.Describe(end)} is before similarity_anneal_start = {clock.Describe(start)}; must be >= it");
        bool similarityUsed = ClassSimilarity > 0 || AutoSimilarityTargetEssFraction is not null;
        if (similarityUsed && SimilarityAnnealEnd is not null && end > last)
            add(Keys.SimilarityAnnealEnd, $"{SimilarityAnnealEnd.Value.Canonical} = {clock.Describe(end)} is beyond {Run()}, so the similarity never reaches 0; must be <= {clock.Describe((int)last)}");
        if (HardClassification?.SwitchIterationOn(clock, end) is int sw && sw > last)
            add(Keys.HardClassification, $"{HardClassification.Canonical} switches at {clock.Describe(sw)}, beyond {Run()}; must be <= {clock.Describe((int)last)}");
    }

    /// <summary>
    /// Returns this configuration, or throws <see cref="ConfigValidationException"/> listing every error (see
    /// <see cref="Validate"/>). A configuration is immutable, so once it passed for a pixel size and particle count it is
    /// trusted: the engine's own checks (RunMany, the schedules) return at once for the instance the CLI validated,
    /// and a run's settings are range-checked once on their way from the sweep file to the kernels. A <c>with</c> copy
    /// is a new instance and is checked again.
    /// </summary>
    public ClassificationConfig ThrowIfInvalid(double? pixelSizeAngstrom = null, long? particleCount = null)
    {
        if (ValidatedInstances.TryGetValue(this, out var done) && done.Covers(pixelSizeAngstrom, particleCount)) return this;
        var errors = Validate(pixelSizeAngstrom, particleCount);
        if (errors.Count > 0) throw new ConfigValidationException(errors);
        ValidatedInstances.AddOrUpdate(this, new ValidatedFor(pixelSizeAngstrom, particleCount));
        return this;
    }

    /// <summary>Instances that passed <see cref="ThrowIfInvalid"/>, by reference (records compare by value; identity is what is immutable here).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClassificationConfig, ValidatedFor> ValidatedInstances = new();

    /// <summary>What a passed check covered: a later check asking for nothing more is already answered.</summary>
    private sealed record ValidatedFor(double? PixelSizeAngstrom, long? ParticleCount)
    {
        public bool Covers(double? pixelSizeAngstrom, long? particleCount) =>
            (pixelSizeAngstrom is null || PixelSizeAngstrom == pixelSizeAngstrom) && (particleCount is null || ParticleCount == particleCount);
    }

    /// <summary>Number of O-EM iterations for <paramref name="particleCount"/> particles: ceil(epochs N / min(batch per class x K, N)), as <see cref="BatchSchedule.OemIterationCountFor"/> counts them.</summary>
    public long OemIterations(long particleCount) => Clock(particleCount).OemIterations;

    /// <summary>All iterations of the run: O-EM iterations then <see cref="FullBatchIterations"/>.</summary>
    public long TotalIterations(long particleCount) => OemIterations(particleCount) + FullBatchIterations;

    /// <summary>
    /// Every setting as key -&gt; text, keys in ordinal order, values culture-invariant (the canonical text of each
    /// <see cref="Knobs"/> entry). Two configurations that differ in any setting differ here.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToCanonicalDictionary()
    {
        var pairs = Knobs.All.Select(k => new KeyValuePair<string, string>(k.Key, k.Format(this))).ToList();
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return pairs;
    }
}
