using System.Globalization;

namespace SweepLab.Engine.Configuration;

/// <summary>
/// Builds a <see cref="ClassificationConfig"/> from snake_case key/value text, the one path by which the CLI's
/// options and a sweep's settings reach the engine. Every problem is reported at once with its key: an unknown key,
/// a value of the wrong type; ranges are then checked by <see cref="ClassificationConfig.Validate"/>.
/// Values use the canonical forms of <see cref="ClassificationConfig.ToCanonicalDictionary"/> ("null" clears an
/// optional value); the named schedules soft, hard, soft_then_hard and hard_then_soft are accepted for
/// hard_classification as aliases of off, on, soft_then_hard:anneal_end and hard_then_soft:N.
/// </summary>
public static class ConfigSettings
{
    private delegate ClassificationConfig Setter(ClassificationConfig config, string value);

    private static readonly Dictionary<string, Setter> Setters = new(StringComparer.Ordinal)
    {
        [ClassificationConfig.Keys.Classes] = (c, v) => c with { ClassCount = Int(v) },
        [ClassificationConfig.Keys.TargetResolutionAngstrom] = (c, v) => c with { TargetResolutionAngstrom = Double(v) },
        [ClassificationConfig.Keys.Initialisation] = (c, v) => c with { Initialisation = Enum<InitialisationMode>(v, ("simple", InitialisationMode.Simple), ("input_volumes", InitialisationMode.InputVolumes), ("pca", InitialisationMode.Pca), ("consensus", InitialisationMode.Consensus)) },
        [ClassificationConfig.Keys.NoiseUpdate] = (c, v) => c with { NoiseUpdate = Enum<NoiseUpdate>(v, ("static", NoiseUpdate.Static), ("per_iteration", NoiseUpdate.PerIteration)) },
        [ClassificationConfig.Keys.Tau2Source] = (c, v) => c with { Tau2Source = Enum<Tau2Source>(v, ("consensus", Tau2Source.Consensus), ("class_map", Tau2Source.ClassMap)) },
        [ClassificationConfig.Keys.ResolutionSchedule] = (c, v) => c with { ResolutionSchedule = Enum<ResolutionSchedule>(v, ("fixed", ResolutionSchedule.Fixed), ("grow", ResolutionSchedule.Grow)) },
        [ClassificationConfig.Keys.InitSubsetSize] = (c, v) => c with { InitSubsetSize = Int(v) },
        [ClassificationConfig.Keys.InitLowpassResolutionAngstrom] = (c, v) => c with { InitLowpassResolutionAngstrom = Double(v) },
        [ClassificationConfig.Keys.PcaReconstructionCount] = (c, v) => c with { PcaReconstructionCount = Int(v) },
        [ClassificationConfig.Keys.PcaComponentCount] = (c, v) => c with { PcaComponentCount = Int(v) },
        [ClassificationConfig.Keys.ClassSimilarity] = (c, v) => c with { ClassSimilarity = Double(v) },
        [ClassificationConfig.Keys.SimilarityAnnealStart] = (c, v) => c with { SimilarityAnnealStartIteration = Int(v) },
        [ClassificationConfig.Keys.SimilarityAnnealEnd] = (c, v) => c with { SimilarityAnnealEndIteration = IsNull(v) || v.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : Int(v) },
        [ClassificationConfig.Keys.SimilarityModel] = (c, v) => c with { SimilarityModel = Enum<SimilarityModel>(v, ("tempered", SimilarityModel.Tempered), ("mixture", SimilarityModel.Mixture)) },
        [ClassificationConfig.Keys.AutoSimilarityTargetEssFraction] = (c, v) => c with { AutoSimilarityTargetEssFraction = IsNull(v) ? null : Double(v) },
        [ClassificationConfig.Keys.LearningRateInit] = (c, v) => c with { LearningRateInit = Double(v) },
        [ClassificationConfig.Keys.LearningRateHalfLifeIterations] = (c, v) => c with { LearningRateHalfLifeIterations = Double(v) },
        [ClassificationConfig.Keys.BatchSizePerClass] = (c, v) => c with { BatchSizePerClass = Int(v) },
        [ClassificationConfig.Keys.OemEpochs] = (c, v) => c with { OemEpochs = Int(v) },
        [ClassificationConfig.Keys.FullBatchIterations] = (c, v) => c with { FullBatchIterations = Int(v) },
        [ClassificationConfig.Keys.HardClassification] = (c, v) => c with { HardClassification = HardSchedule(v) },
        [ClassificationConfig.Keys.ConvergenceSwitchFraction] = (c, v) => c with { ConvergenceSwitchFraction = Double(v) },
        [ClassificationConfig.Keys.CollapseFloorFraction] = (c, v) => c with { CollapseFloorFraction = Double(v) },
        [ClassificationConfig.Keys.NoiseModel] = (c, v) => c with { NoiseModel = Enum<NoiseModel>(v, ("coloured", NoiseModel.Coloured), ("colored", NoiseModel.Coloured), ("white", NoiseModel.White)) },
        [ClassificationConfig.Keys.RegularisationTau2Fudge] = (c, v) => c with { RegularisationTau2Fudge = Double(v) },
        [ClassificationConfig.Keys.MaskRadiusAngstrom] = (c, v) => c with { MaskRadiusAngstrom = IsNull(v) || v.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : v.Equals("none", StringComparison.OrdinalIgnoreCase) ? 0 : Double(v) },
        [ClassificationConfig.Keys.AutoMask] = (c, v) => c with { AutoMask = Bool(v) },
        [ClassificationConfig.Keys.AutoMaskThreshold] = (c, v) => c with { AutoMaskThreshold = Double(v) },
        [ClassificationConfig.Keys.Seed] = (c, v) => c with { Seed = ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s : throw new FormatException($"'{v}' is not a non-negative integer seed") },
    };

    /// <summary>
    /// The shorthand key <c>algorithm</c>: a named set of settings applied before every other key (explicit keys win).
    /// <c>oem</c> is the defaults (cryoSPARC-style online EM); <c>relion_em</c> is RELION 3.1's Class3D without alignment
    /// (relion_refine --skip_align) as the engine's knobs express it: start from the consensus low-passed to 30 A and a
    /// random hard partition, then full-batch EM with learning rate 1, no class similarity, the noise spectrum
    /// re-estimated and each class regularised by its own map every iteration, the likelihood's resolution growing from
    /// the data, up to 25 iterations (RELION's default --iter) with the usual early stop. Add mask_radius_angstrom =
    /// half RELION's --particle_diameter.
    /// </summary>
    public const string AlgorithmKey = "algorithm";

    public static IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>> Algorithms { get; } =
        new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>(StringComparer.Ordinal)
        {
            ["oem"] = [],
            ["relion_em"] =
            [
                new(ClassificationConfig.Keys.Initialisation, "consensus"),
                new(ClassificationConfig.Keys.InitLowpassResolutionAngstrom, "30"),
                new(ClassificationConfig.Keys.ClassSimilarity, "0"),
                new(ClassificationConfig.Keys.BatchSizePerClass, "1000000000"),
                new(ClassificationConfig.Keys.OemEpochs, "1"),
                new(ClassificationConfig.Keys.FullBatchIterations, "24"),
                new(ClassificationConfig.Keys.NoiseUpdate, "per_iteration"),
                new(ClassificationConfig.Keys.Tau2Source, "class_map"),
                new(ClassificationConfig.Keys.ResolutionSchedule, "grow"),
            ],
        };

    /// <summary>Every key a setting may have, in canonical order.</summary>
    public static IReadOnlyCollection<string> KnownKeys => Setters.Keys;

    public static bool IsKnown(string key) => Setters.ContainsKey(key) || key == HardSwitchIterationKey || key == AlgorithmKey;

    /// <summary>Applies the settings over <paramref name="start"/> (defaults when null); returns the config or the errors.</summary>
    public static (ClassificationConfig? Config, IReadOnlyList<ConfigError> Errors) TryApply(
        IEnumerable<KeyValuePair<string, string>> settings, ClassificationConfig? start = null)
    {
        var config = start ?? new ClassificationConfig();
        var errors = new List<ConfigError>();
        foreach (var (key, value) in CombineSwitchIteration(ExpandAlgorithm(settings.ToList(), errors), errors))
        {
            if (!Setters.TryGetValue(key, out var setter))
            {
                errors.Add(new ConfigError(key, $"unknown setting; known settings are {string.Join(", ", Setters.Keys)}"));
                continue;
            }
            try
            {
                config = setter(config, value.Trim());
            }
            catch (FormatException e)
            {
                errors.Add(new ConfigError(key, e.Message));
            }
        }
        return errors.Count == 0 ? (config, errors) : (null, errors);
    }

    /// <summary>Applies and validates; throws <see cref="ConfigValidationException"/> listing every problem.</summary>
    public static ClassificationConfig Apply(IEnumerable<KeyValuePair<string, string>> settings, ClassificationConfig? start = null,
        double? pixelSizeAngstrom = null, long? particleCount = null)
    {
        var (config, errors) = TryApply(settings, start);
        if (config is null) throw new ConfigValidationException(errors);
        return config.ThrowIfInvalid(pixelSizeAngstrom, particleCount);
    }

    /// <summary>
    /// hard_switch_iteration (a sweep axis of its own, e.g. only for soft_then_hard runs) folds into the
    /// hard_classification schedule: soft_then_hard + 5 = soft_then_hard:5.
    /// </summary>
    public const string HardSwitchIterationKey = "hard_switch_iteration";

    private static IEnumerable<KeyValuePair<string, string>> CombineSwitchIteration(List<KeyValuePair<string, string>> settings, List<ConfigError> errors)
    {
        int at = settings.FindIndex(p => p.Key == HardSwitchIterationKey);
        if (at < 0) return settings;
        string iteration = settings[at].Value.Trim();
        settings.RemoveAt(at);
        int schedule = settings.FindIndex(p => p.Key == ClassificationConfig.Keys.HardClassification);
        string? name = schedule < 0 ? null : settings[schedule].Value.Trim().ToLowerInvariant();
        if (name is "soft_then_hard" or "hard_then_soft")
            settings[schedule] = new(ClassificationConfig.Keys.HardClassification, $"{name}:{iteration}");
        else
            errors.Add(new ConfigError(HardSwitchIterationKey, $"applies only with hard_classification soft_then_hard or hard_then_soft (got {name ?? "none"})"));
        return settings;
    }

    /// <summary>Replaces <c>algorithm: NAME</c> by its settings, placed first so that explicit keys override them.</summary>
    private static List<KeyValuePair<string, string>> ExpandAlgorithm(List<KeyValuePair<string, string>> settings, List<ConfigError> errors)
    {
        int at = settings.FindIndex(p => p.Key == AlgorithmKey);
        if (at < 0) return settings;
        string name = settings[at].Value.Trim().ToLowerInvariant();
        settings.RemoveAt(at);
        if (!Algorithms.TryGetValue(name, out var preset))
        {
            errors.Add(new ConfigError(AlgorithmKey, $"'{name}' is not one of {string.Join(", ", Algorithms.Keys)}"));
            return settings;
        }
        return [.. preset, .. settings];
    }

    private static bool IsNull(string v) => v.Length == 0 || v.Equals("null", StringComparison.OrdinalIgnoreCase) || v == "~";

    private static int Int(string v) =>
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) ? i
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue ? (int)d
        : throw new FormatException($"'{v}' is not an integer");

    private static double Double(string v) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d
        : throw new FormatException($"'{v}' is not a finite number");

    private static bool Bool(string v) => v.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw new FormatException($"'{v}' is not true or false"),
    };

    private static T Enum<T>(string v, params (string Name, T Value)[] names)
    {
        foreach (var (name, value) in names)
            if (string.Equals(v, name, StringComparison.OrdinalIgnoreCase)) return value;
        throw new FormatException($"'{v}' is not one of {string.Join(", ", names.Select(n => n.Name))}");
    }

    private static HardClassificationSchedule HardSchedule(string v)
    {
        string t = v.ToLowerInvariant();
        string canonical = t switch
        {
            "soft" => "off",
            "hard" => "on",
            "soft_then_hard" => "soft_then_hard:anneal_end",
            _ => t,
        };
        return HardClassificationSchedule.Parse(canonical);
    }
}
