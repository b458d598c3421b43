using System.Globalization;

namespace SweepLab.Engine.Configuration;

/// <summary>
/// Builds a <see cref="ClassificationConfig"/> from snake_case key/value text, the one path by which the CLI's
/// options and a sweep's settings reach the engine. Every problem is reported at once with its key: an unknown key,
/// a value of the wrong type; ranges are then checked by <see cref="ClassificationConfig.Validate"/>.
/// Each key is parsed by its <see cref="Knobs"/> entry, in the canonical forms of
/// <see cref="ClassificationConfig.ToCanonicalDictionary"/> ("null" clears an optional value); the named schedules
/// soft, hard and soft_then_hard are accepted for hard_classification as aliases of off, on and soft_then_hard:anneal_end.
/// </summary>
public static class ConfigSettings
{
    /// <summary>
    /// The shorthand key <c>algorithm</c>: a named set of settings applied before every other key (explicit keys win).
    /// <c>oem</c> is the defaults (cryoSPARC-style online EM); <c>relion_em</c> is RELION 3.1's Class3D without alignment
    /// (relion_refine --skip_align) as the engine's knobs express it: start from the consensus low-passed to 30 A and a
    /// random hard partition, then full-batch EM with learning rate 1, no class similarity, the noise spectrum
    /// re-estimated and each class regularised by its own map every iteration, the likelihood's resolution growing from
    /// the data, all 25 iterations (RELION's default --iter: relion_refine has no early stop in Class3D, and on the focused
    /// hard corpus level the early stop cost 0.006-0.008 of accuracy). Add mask_radius_angstrom = half RELION's
    /// --particle_diameter.
    /// </summary>
    public const string AlgorithmKey = "algorithm";

    /// <summary>What <see cref="AlgorithmKey"/> does, for help and the README's knob table.</summary>
    public const string AlgorithmDescription =
        "A named set of the settings below, applied first (explicit settings win): oem = the defaults (cryoSPARC-style online EM); "
        + "relion_em = RELION 3.1's Class3D without alignment (full-batch EM from the consensus at 30 A, s = 0, noise re-estimated, "
        + "class-map tau^2, growing resolution, all 25 iterations with no early stop).";

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
                new(ClassificationConfig.Keys.MinOemIterations, "0"),
                new(ClassificationConfig.Keys.FullBatchIterations, "24"),
                new(ClassificationConfig.Keys.ConvergenceSwitchFraction, "0"),
                new(ClassificationConfig.Keys.NoiseUpdate, "per_iteration"),
                new(ClassificationConfig.Keys.Tau2Source, "class_map"),
                new(ClassificationConfig.Keys.ResolutionSchedule, "grow"),
            ],
        };

    /// <summary>Every key a setting may have, in canonical order.</summary>
    public static IReadOnlyCollection<string> KnownKeys { get; } = Knobs.All.Select(k => k.Key).ToList();

    public static bool IsKnown(string key) => Knobs.Find(key) is not null || key == HardSwitchIterationKey || key == AlgorithmKey;

    /// <summary>Applies the settings over <paramref name="start"/> (defaults when null); returns the config or the errors.</summary>
    public static (ClassificationConfig? Config, IReadOnlyList<ConfigError> Errors) TryApply(
        IEnumerable<KeyValuePair<string, string>> settings, ClassificationConfig? start = null)
    {
        var config = start ?? new ClassificationConfig();
        var errors = new List<ConfigError>();
        foreach (var (key, value) in CombineSwitchIteration(ExpandAlgorithm(settings.ToList(), errors), errors))
        {
            if (Knobs.Find(key) is not { } knob)
            {
                errors.Add(new ConfigError(key, $"unknown setting; known settings are {string.Join(", ", KnownKeys)}"));
                continue;
            }
            try
            {
                config = knob.Parse(config, value.Trim());
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
    /// The canonical text of one setting, the form result.json writes (soft and OFF read off; colored reads coloured;
    /// yes reads true; 0 Angstrom of mask radius reads none), so that every spelling of one value hashes to one run id.
    /// A value that does not parse and an unknown key come back unchanged (validation reports them). Beside
    /// hard_switch_iteration (<paramref name="withSwitchIteration"/>) the schedule keeps its bare name
    /// (soft_then_hard, hard_then_soft), lower-cased, because the pair folds into one schedule only when applied.
    /// </summary>
    public static string CanonicalText(string key, string value, bool withSwitchIteration = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        string trimmed = value.Trim();
        try
        {
            if (key == AlgorithmKey)
                return Algorithms.ContainsKey(trimmed.ToLowerInvariant()) ? trimmed.ToLowerInvariant() : value;
            if (key == HardSwitchIterationKey)
                return ScheduleTime.Parse(trimmed, wholeIterations: true).Canonical;
            if (key == ClassificationConfig.Keys.HardClassification && withSwitchIteration)
                return trimmed.ToLowerInvariant() is "soft_then_hard" or "hard_then_soft" ? trimmed.ToLowerInvariant() : value;
            return Knobs.Find(key) is { } knob ? knob.Format(knob.Parse(new ClassificationConfig(), trimmed)) : value;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return value;
        }
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
}
