using System.Globalization;

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
    /// <see cref="AutoSimilarityTargetEssFraction"/> is set, which tunes s0 from the data instead.
    /// </summary>
    public double ClassSimilarity { get; init; } = 0.5;

    /// <summary>Last iteration at which s = s0; annealing starts after it (key <c>similarity_anneal_start</c>, &gt;= 0, iterations). Default 2.</summary>
    public int SimilarityAnnealStartIteration { get; init; } = 2;

    /// <summary>
    /// First iteration at which s = 0 (key <c>similarity_anneal_end</c>, &gt;= anneal start, iterations; cryoSPARC default 10).
    /// Null (<c>auto</c>, the default) means 10, or the run's last O-EM iteration when the run is shorter, so the defaults
    /// work for any particle count, K and batch size (see <see cref="AnnealWindow"/>); a value given is never changed.
    /// </summary>
    public int? SimilarityAnnealEndIteration { get; init; }

    /// <summary>cryoSPARC's default anneal end, used by <c>auto</c> when the run is long enough.</summary>
    public const int DefaultAnnealEndIteration = 10;

    /// <summary>
    /// The anneal window the run uses: the configured one, or with <c>auto</c> the end min(10, last O-EM iteration) and
    /// the start no later than that end.
    /// </summary>
    public (int Start, int End) AnnealWindow(long particleCount)
    {
        if (SimilarityAnnealEndIteration is int end) return (SimilarityAnnealStartIteration, end);
        int auto = (int)Math.Min(DefaultAnnealEndIteration, Math.Max(0, OemIterations(particleCount) - 1));
        return (Math.Min(SimilarityAnnealStartIteration, auto), auto);
    }

    /// <summary>How s modifies the posteriors (key <c>similarity_model</c>: tempered | mixture; default tempered).</summary>
    public SimilarityModel SimilarityModel { get; init; } = SimilarityModel.Tempered;

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
    /// <c>learning_rate_half_life_iterations</c>, &gt;= 0, iterations; 0 = fixed rate eta0). Default 50.
    /// </summary>
    public double LearningRateHalfLifeIterations { get; init; } = 50.0;

    /// <summary>Particles per class in each O-EM batch; a batch holds this x K particles (key <c>batch_size_per_class</c>, &gt;= 1; cryoSPARC default 1000).</summary>
    public int BatchSizePerClass { get; init; } = 1000;

    /// <summary>Passes through the data by online EM (key <c>oem_epochs</c>, &gt;= 1). Default 5, as the cryoSPARC job exposes it (Scipion plugin).</summary>
    public int OemEpochs { get; init; } = 5;

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
        static bool In(double v, double lo, double hi) => v >= lo && v <= hi; // false for NaN

        if (ClassCount < 2) Add(Keys.Classes, $"{ClassCount} classes; must be an integer >= 2");

        if (!(TargetResolutionAngstrom > 0) || !double.IsFinite(TargetResolutionAngstrom))
            Add(Keys.TargetResolutionAngstrom, $"{F(TargetResolutionAngstrom)} Angstrom; must be a positive finite resolution in Angstrom");
        else if (pixelSizeAngstrom is double px)
        {
            if (!(px > 0) || !double.IsFinite(px))
                throw new ArgumentOutOfRangeException(nameof(pixelSizeAngstrom), px, "pixel size must be positive (Angstrom)");
            if (TargetResolutionAngstrom < 2 * px - 1e-9)
                Add(Keys.TargetResolutionAngstrom, $"{F(TargetResolutionAngstrom)} Angstrom is finer than Nyquist; must be >= 2 x pixel size = {F(2 * px)} Angstrom");
        }

        if (!Enum.IsDefined(Initialisation)) Add(Keys.Initialisation, $"unknown value {(int)Initialisation}; must be simple, input_volumes, pca or consensus");
        if (!Enum.IsDefined(NoiseUpdate)) Add(Keys.NoiseUpdate, $"unknown value {(int)NoiseUpdate}; must be static or per_iteration");
        if (!Enum.IsDefined(Tau2Source)) Add(Keys.Tau2Source, $"unknown value {(int)Tau2Source}; must be consensus or class_map");
        if (!Enum.IsDefined(ResolutionSchedule)) Add(Keys.ResolutionSchedule, $"unknown value {(int)ResolutionSchedule}; must be fixed or grow");
        if (InitSubsetSize < 1) Add(Keys.InitSubsetSize, $"{InitSubsetSize} particles; must be an integer >= 1");
        if (!(InitLowpassResolutionAngstrom > 0) || !double.IsFinite(InitLowpassResolutionAngstrom))
            Add(Keys.InitLowpassResolutionAngstrom, $"{F(InitLowpassResolutionAngstrom)} Angstrom; must be a positive finite resolution in Angstrom");
        else if (double.IsFinite(TargetResolutionAngstrom) && InitLowpassResolutionAngstrom < TargetResolutionAngstrom)
            Add(Keys.InitLowpassResolutionAngstrom, $"{F(InitLowpassResolutionAngstrom)} Angstrom is finer than the target resolution; must be >= target_resolution_angstrom = {F(TargetResolutionAngstrom)} Angstrom");
        if (PcaReconstructionCount < Math.Max(2, ClassCount))
            Add(Keys.PcaReconstructionCount, $"{PcaReconstructionCount} reconstructions; must be an integer >= max(2, classes) = {Math.Max(2, ClassCount)}");
        if (PcaComponentCount < 1 || PcaComponentCount >= Math.Max(2, PcaReconstructionCount))
            Add(Keys.PcaComponentCount, $"{PcaComponentCount} components; must be an integer in [1, pca_reconstruction_count - 1 = {Math.Max(2, PcaReconstructionCount) - 1}]");

        if (!In(ClassSimilarity, 0, 1)) Add(Keys.ClassSimilarity, $"{F(ClassSimilarity)}; must lie in [0, 1]");
        if (SimilarityAnnealStartIteration < 0)
            Add(Keys.SimilarityAnnealStart, $"iteration {SimilarityAnnealStartIteration}; must be an integer >= 0 (0-based iterations)");
        if (SimilarityAnnealEndIteration < 0)
            Add(Keys.SimilarityAnnealEnd, $"iteration {SimilarityAnnealEndIteration}; must be an integer >= 0 (0-based iterations), or auto");
        else if (SimilarityAnnealEndIteration < SimilarityAnnealStartIteration)
            Add(Keys.SimilarityAnnealEnd, $"iteration {SimilarityAnnealEndIteration} is before similarity_anneal_start = {SimilarityAnnealStartIteration}; must be >= it");
        if (!Enum.IsDefined(SimilarityModel)) Add(Keys.SimilarityModel, $"unknown value {(int)SimilarityModel}; must be tempered or mixture");
        if (AutoSimilarityTargetEssFraction is double ess && !(ess > 0 && ess <= 1))
            Add(Keys.AutoSimilarityTargetEssFraction, $"{F(ess)}; must lie in (0, 1] (a fraction of the class count), or be null for off");

        if (!(LearningRateInit > 0 && LearningRateInit <= 1)) Add(Keys.LearningRateInit, $"{F(LearningRateInit)}; must lie in (0, 1]");
        if (!(LearningRateHalfLifeIterations >= 0) || !double.IsFinite(LearningRateHalfLifeIterations))
            Add(Keys.LearningRateHalfLifeIterations, $"{F(LearningRateHalfLifeIterations)} iterations; must be finite and >= 0 (0 = fixed learning rate)");
        if (BatchSizePerClass < 1) Add(Keys.BatchSizePerClass, $"{BatchSizePerClass} particles; must be an integer >= 1");
        if (OemEpochs < 1) Add(Keys.OemEpochs, $"{OemEpochs} epochs; must be an integer >= 1");
        if (FullBatchIterations < 0) Add(Keys.FullBatchIterations, $"{FullBatchIterations} iterations; must be an integer >= 0");

        switch (HardClassification)
        {
            case null:
                Add(Keys.HardClassification, "missing; must be off, on, soft_then_hard:N, soft_then_hard:anneal_end or hard_then_soft:N");
                break;
            case { SwitchIteration: int n } when n < 1:
                Add(Keys.HardClassification, $"{HardClassification.Canonical}: switch iteration {n}; must be >= 1 (at 0 the schedule equals {(HardClassification is HardClassificationSchedule.SoftThenHard ? "on" : "off")}; write that instead)");
                break;
        }

        if (!In(ConvergenceSwitchFraction, 0, 1)) Add(Keys.ConvergenceSwitchFraction, $"{F(ConvergenceSwitchFraction)}; must lie in [0, 1] (0 = never stop early)");
        if (!(CollapseFloorFraction >= 0 && CollapseFloorFraction < 1)) Add(Keys.CollapseFloorFraction, $"{F(CollapseFloorFraction)}; must lie in [0, 1)");
        if (!Enum.IsDefined(NoiseModel)) Add(Keys.NoiseModel, $"unknown value {(int)NoiseModel}; must be coloured or white");
        if (!(RegularisationTau2Fudge > 0) || !double.IsFinite(RegularisationTau2Fudge))
            Add(Keys.RegularisationTau2Fudge, $"{F(RegularisationTau2Fudge)}; must be a positive finite number (RELION's T, typically 1-4)");
        if (MaskRadiusAngstrom is double mask && (!(mask >= 0) || !double.IsFinite(mask)))
            Add(Keys.MaskRadiusAngstrom, $"{F(mask)} Angstrom; must be a positive finite radius in Angstrom, auto, or none");
        if (!(AutoMaskThreshold > 0 && AutoMaskThreshold < 1))
            Add(Keys.AutoMaskThreshold, $"{F(AutoMaskThreshold)}; must lie in (0, 1) (a fraction of the consensus map's maximum)");

        if (particleCount is long n2)
        {
            if (n2 < 1) throw new ArgumentOutOfRangeException(nameof(particleCount), n2, "particle count must be >= 1");
            if (ClassCount >= 2 && n2 < ClassCount)
                Add(Keys.Classes, $"{ClassCount} classes for {n2} particles; must be <= the particle count");
            if (InitSubsetSize > n2 && Initialisation is InitialisationMode.Simple or InitialisationMode.Pca)
                Add(Keys.InitSubsetSize, $"{InitSubsetSize} particles per initial reconstruction; must be <= the particle count {n2}");
            if (ClassCount >= 2 && BatchSizePerClass >= 1 && OemEpochs >= 1 && FullBatchIterations >= 0)
            {
                long total = TotalIterations(n2);
                bool similarityUsed = ClassSimilarity > 0 || AutoSimilarityTargetEssFraction is not null;
                if (similarityUsed && SimilarityAnnealEndIteration is int given && given > total - 1)
                    Add(Keys.SimilarityAnnealEnd, $"iteration {SimilarityAnnealEndIteration} is beyond the run's last iteration {total - 1} ({total} iterations for {n2} particles), so the similarity never reaches 0; must be <= {total - 1}");
                if (HardClassification?.SwitchIteration is int sw && sw > total - 1)
                    Add(Keys.HardClassification, $"{HardClassification.Canonical}: switch iteration {sw} is beyond the run's last iteration {total - 1} ({total} iterations for {n2} particles); must be <= {total - 1}");
                if (HardClassification is HardClassificationSchedule.SoftThenHardAtAnnealEnd && AnnealWindow(n2).End > total - 1)
                    Add(Keys.HardClassification, $"soft_then_hard:anneal_end switches at iteration {AnnealWindow(n2).End}, beyond the run's last iteration {total - 1}");
            }
        }
        return errors;
    }

    /// <summary>Returns this configuration, or throws <see cref="ConfigValidationException"/> listing every error (see <see cref="Validate"/>).</summary>
    public ClassificationConfig ThrowIfInvalid(double? pixelSizeAngstrom = null, long? particleCount = null)
    {
        var errors = Validate(pixelSizeAngstrom, particleCount);
        if (errors.Count > 0) throw new ConfigValidationException(errors);
        return this;
    }

    /// <summary>Number of O-EM iterations for <paramref name="particleCount"/> particles: ceil(epochs N / min(batch per class x K, N)).</summary>
    public long OemIterations(long particleCount)
    {
        if (particleCount < 1) throw new ArgumentOutOfRangeException(nameof(particleCount), particleCount, "particle count must be >= 1");
        long batch = Math.Min((long)BatchSizePerClass * ClassCount, particleCount);
        return (OemEpochs * particleCount + batch - 1) / batch;
    }

    /// <summary>All iterations of the run: O-EM iterations then <see cref="FullBatchIterations"/>.</summary>
    public long TotalIterations(long particleCount) => OemIterations(particleCount) + FullBatchIterations;

    /// <summary>
    /// Every setting as key -&gt; text, keys in ordinal order, values culture-invariant (numbers in round-trip form,
    /// enums and schedules in their snake_case text form, "null" for unset options). The sweep layer hashes this for
    /// run ids, so two configurations that differ in any setting differ here.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToCanonicalDictionary()
    {
        static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        var pairs = new List<KeyValuePair<string, string>>
        {
            new(Keys.Classes, I(ClassCount)),
            new(Keys.TargetResolutionAngstrom, D(TargetResolutionAngstrom)),
            new(Keys.Initialisation, Initialisation switch
            {
                InitialisationMode.Simple => "simple",
                InitialisationMode.InputVolumes => "input_volumes",
                InitialisationMode.Pca => "pca",
                InitialisationMode.Consensus => "consensus",
                _ => I((int)Initialisation),
            }),
            new(Keys.NoiseUpdate, NoiseUpdate switch
            {
                NoiseUpdate.Static => "static",
                NoiseUpdate.PerIteration => "per_iteration",
                _ => I((int)NoiseUpdate),
            }),
            new(Keys.Tau2Source, Tau2Source switch
            {
                Tau2Source.Consensus => "consensus",
                Tau2Source.ClassMap => "class_map",
                _ => I((int)Tau2Source),
            }),
            new(Keys.ResolutionSchedule, ResolutionSchedule switch
            {
                ResolutionSchedule.Fixed => "fixed",
                ResolutionSchedule.Grow => "grow",
                _ => I((int)ResolutionSchedule),
            }),
            new(Keys.InitSubsetSize, I(InitSubsetSize)),
            new(Keys.InitLowpassResolutionAngstrom, D(InitLowpassResolutionAngstrom)),
            new(Keys.PcaReconstructionCount, I(PcaReconstructionCount)),
            new(Keys.PcaComponentCount, I(PcaComponentCount)),
            new(Keys.ClassSimilarity, D(ClassSimilarity)),
            new(Keys.SimilarityAnnealStart, I(SimilarityAnnealStartIteration)),
            new(Keys.SimilarityAnnealEnd, SimilarityAnnealEndIteration is int end ? I(end) : "auto"),
            new(Keys.SimilarityModel, SimilarityModel switch
            {
                SimilarityModel.Tempered => "tempered",
                SimilarityModel.Mixture => "mixture",
                _ => I((int)SimilarityModel),
            }),
            new(Keys.AutoSimilarityTargetEssFraction, AutoSimilarityTargetEssFraction is double e ? D(e) : "null"),
            new(Keys.LearningRateInit, D(LearningRateInit)),
            new(Keys.LearningRateHalfLifeIterations, D(LearningRateHalfLifeIterations)),
            new(Keys.BatchSizePerClass, I(BatchSizePerClass)),
            new(Keys.OemEpochs, I(OemEpochs)),
            new(Keys.FullBatchIterations, I(FullBatchIterations)),
            new(Keys.HardClassification, HardClassification?.Canonical ?? "null"),
            new(Keys.ConvergenceSwitchFraction, D(ConvergenceSwitchFraction)),
            new(Keys.CollapseFloorFraction, D(CollapseFloorFraction)),
            new(Keys.NoiseModel, NoiseModel switch
            {
                NoiseModel.Coloured => "coloured",
                NoiseModel.White => "white",
                _ => I((int)NoiseModel),
            }),
            new(Keys.RegularisationTau2Fudge, D(RegularisationTau2Fudge)),
            new(Keys.MaskRadiusAngstrom, MaskRadiusAngstrom switch { null => "auto", 0 => "none", double m => D(m) }),
            new(Keys.AutoMask, AutoMask ? "true" : "false"),
            new(Keys.AutoMaskThreshold, D(AutoMaskThreshold)),
            new(Keys.Seed, Seed.ToString(CultureInfo.InvariantCulture)),
        };
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return pairs;
    }
}
