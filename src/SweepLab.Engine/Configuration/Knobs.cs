using System.Globalization;

namespace SweepLab.Engine.Configuration;

/// <summary>
/// One engine setting, declared once: its sweep-file key, its <c>classify</c> option, the values it takes and what it
/// does. Parsing (<see cref="ConfigSettings"/>), the canonical form hashed into result.json
/// (<see cref="ClassificationConfig.ToCanonicalDictionary"/>), the per-setting range check
/// (<see cref="ClassificationConfig.Validate"/>), the CLI's options and <c>--help</c>, and the README's knob table are
/// all produced from these entries. Checks that involve several settings or the data stay in Validate.
/// </summary>
/// <param name="Key">snake_case key of the sweep file and result.json.</param>
/// <param name="Option">kebab-case <c>classify</c> option, without the leading dashes.</param>
/// <param name="Values">The accepted values, as help and the README show them.</param>
/// <param name="Description">What the setting does, one sentence or two.</param>
/// <param name="Format">The canonical text of the setting's value in a configuration.</param>
/// <param name="Parse">Sets the value from text; throws <see cref="FormatException"/> naming the accepted forms.</param>
/// <param name="Check">The range problem of the value in a configuration, or null when it is in range.</param>
/// <param name="IsFlag">A yes/no setting: the CLI option may be given without a value, meaning true.</param>
public sealed record Knob(
    string Key,
    string Option,
    string Values,
    string Description,
    Func<ClassificationConfig, string> Format,
    Func<ClassificationConfig, string, ClassificationConfig> Parse,
    Func<ClassificationConfig, string?> Check,
    bool IsFlag = false)
{
    /// <summary>The default's canonical text.</summary>
    public string DefaultText => Format(new ClassificationConfig());
}

/// <summary>Every engine setting, in the order help and the README list them. Adding a knob = a property on
/// <see cref="ClassificationConfig"/>, its key constant, and one entry here.</summary>
public static class Knobs
{
    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static Knob Int(string key, string option, string description, Func<ClassificationConfig, int> get,
        Func<ClassificationConfig, int, ClassificationConfig> set, int min, string unit) =>
        new(key, option, $"integer >= {I(min)}", description,
            c => I(get(c)),
            (c, v) => set(c, ParseInt(v)),
            c => get(c) >= min ? null : $"{I(get(c))} {unit}; must be an integer >= {I(min)}");

    /// <summary>A real in a range; <paramref name="lowOpen"/>/<paramref name="highOpen"/> exclude the ends; NaN never passes.</summary>
    private static Knob Real(string key, string option, string description, Func<ClassificationConfig, double> get,
        Func<ClassificationConfig, double, ClassificationConfig> set, double low, double high, bool lowOpen, bool highOpen, string unit, string? valuesText = null)
    {
        string range = double.IsPositiveInfinity(high)
            ? (lowOpen ? $"> {D(low)}" : $">= {D(low)}")
            : $"{(lowOpen ? "(" : "[")}{D(low)}, {D(high)}{(highOpen ? ")" : "]")}";
        bool InRange(double v) => double.IsFinite(v) && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high);
        return new(key, option, valuesText ?? (unit.Length > 0 ? $"{unit} {range}" : range), description,
            c => D(get(c)),
            (c, v) => set(c, ParseDouble(v)),
            c => InRange(get(c)) ? null : $"{D(get(c))}{(unit.Length > 0 ? " " + unit : "")}; must be finite and {(range.StartsWith('(') || range.StartsWith('[') ? "lie in " + range : range)}");
    }

    private static Knob Choice<T>(string key, string option, string description, Func<ClassificationConfig, T> get,
        Func<ClassificationConfig, T, ClassificationConfig> set, params (string Name, T Value)[] names) where T : struct, Enum
    {
        var canonical = names.GroupBy(n => n.Value).Select(g => g.First()).ToList(); // first name of a value is canonical
        string list = string.Join(" | ", canonical.Select(n => n.Name));
        return new(key, option, list, description,
            c => canonical.FirstOrDefault(n => EqualityComparer<T>.Default.Equals(n.Value, get(c))).Name ?? I(Convert.ToInt64(get(c), CultureInfo.InvariantCulture)),
            (c, v) => set(c, names.FirstOrDefault(n => string.Equals(n.Name, v, StringComparison.OrdinalIgnoreCase)) is { Name: not null } hit
                ? hit.Value
                : throw new FormatException($"'{v}' is not one of {string.Join(", ", canonical.Select(n => n.Name))}")),
            c => Enum.IsDefined(get(c)) ? null : $"unknown value {Convert.ToInt64(get(c), CultureInfo.InvariantCulture)}; must be {string.Join(", ", canonical.Select(n => n.Name))}");
    }

    private static Knob Time(string key, string option, string description, Func<ClassificationConfig, ScheduleTime> get,
        Func<ClassificationConfig, ScheduleTime, ClassificationConfig> set, bool wholeIterations, string zeroMeaning = "") =>
        new(key, option, wholeIterations ? "iteration >= 0, or epochs (2ep)" : "iterations >= 0, or epochs (2ep)", description,
            c => get(c).Canonical,
            (c, v) => set(c, ScheduleTime.Parse(v, wholeIterations)),
            c => get(c).Value >= 0 && double.IsFinite(get(c).Value) ? null
                : $"{get(c).Canonical}; must be finite and >= 0 ({(get(c).IsEpochs ? "epochs" : "iterations")}{zeroMeaning})");

    /// <summary>Every knob; the order of help, the README table and result.json readers is this one.</summary>
    public static IReadOnlyList<Knob> All { get; } =
    [
        Int(ClassificationConfig.Keys.Classes, "classes", "Number of classes K (cryoSPARC default 2).",
            c => c.ClassCount, (c, v) => c with { ClassCount = v }, 2, "classes"),
        Real(ClassificationConfig.Keys.TargetResolutionAngstrom, "target-resolution",
            "Highest resolution the E- and M-steps use; Fourier pixels beyond are dropped. At least Nyquist (2 x pixel size).",
            c => c.TargetResolutionAngstrom, (c, v) => c with { TargetResolutionAngstrom = v }, 0, double.PositiveInfinity, true, false, "Angstrom"),
        Choice(ClassificationConfig.Keys.Initialisation, "initialisation",
            "How the starting maps are made; consensus (RELION's start) beat simple by 0-9 points on RELION-made sets.",
            c => c.Initialisation, (c, v) => c with { Initialisation = v },
            ("simple", InitialisationMode.Simple), ("input_volumes", InitialisationMode.InputVolumes), ("pca", InitialisationMode.Pca), ("consensus", InitialisationMode.Consensus)),
        Int(ClassificationConfig.Keys.InitSubsetSize, "init-subset-size", "Particles per initial reconstruction (simple and PCA initialisation; cryoSPARC 1000).",
            c => c.InitSubsetSize, (c, v) => c with { InitSubsetSize = v }, 1, "particles"),
        Real(ClassificationConfig.Keys.InitLowpassResolutionAngstrom, "init-lowpass",
            "Low-pass of the starting maps (RELION's --ini_high); with resolution_schedule grow also the first likelihood limit.",
            c => c.InitLowpassResolutionAngstrom, (c, v) => c with { InitLowpassResolutionAngstrom = v }, 0, double.PositiveInfinity, true, false, "Angstrom"),
        Int(ClassificationConfig.Keys.PcaReconstructionCount, "pca-reconstructions", "PCA initialisation: random-subset reconstructions (cryoSPARC 100).",
            c => c.PcaReconstructionCount, (c, v) => c with { PcaReconstructionCount = v }, 2, "reconstructions"),
        Int(ClassificationConfig.Keys.PcaComponentCount, "pca-components", "PCA initialisation: principal components kept (cryoSPARC 5).",
            c => c.PcaComponentCount, (c, v) => c with { PcaComponentCount = v }, 1, "components"),
        Real(ClassificationConfig.Keys.ClassSimilarity, "class-similarity",
            "Initial class similarity s0: 1 spreads every particle over all classes, 0 keeps the posteriors (cryoSPARC 0.5; 0.8 with the mixture model found small classes more reliably).",
            c => c.ClassSimilarity, (c, v) => c with { ClassSimilarity = v }, 0, 1, false, false, ""),
        Time(ClassificationConfig.Keys.SimilarityAnnealStart, "anneal-start",
            "Last iteration at which s = s0; annealing starts after it.",
            c => c.SimilarityAnnealStart, (c, v) => c with { SimilarityAnnealStart = v }, wholeIterations: true),
        new(ClassificationConfig.Keys.SimilarityAnnealEnd, "anneal-end", "iteration >= anneal start, epochs (2ep), or auto",
            "First iteration at which s = 0. auto: 12, or the last O-EM iteration when the run is shorter, so the defaults run for any N, K and batch size.",
            c => c.SimilarityAnnealEnd?.Canonical ?? "auto",
            (c, v) => c with { SimilarityAnnealEnd = IsAuto(v) ? null : ScheduleTime.Parse(v, wholeIterations: true) },
            c => c.SimilarityAnnealEnd is { } end && !(end.Value >= 0 && double.IsFinite(end.Value))
                ? $"{end.Canonical}; must be finite and >= 0 (iterations or epochs), or auto" : null),
        Choice(ClassificationConfig.Keys.SimilarityModel, "similarity-model", "How s modifies the posteriors: mixture p = (1 - s) q + s / K (a floor per class), tempered p ~ q^(1 - s).",
            c => c.SimilarityModel, (c, v) => c with { SimilarityModel = v }, ("tempered", SimilarityModel.Tempered), ("mixture", SimilarityModel.Mixture)),
        new(ClassificationConfig.Keys.AutoSimilarityTargetEssFraction, "auto-similarity", "(0, 1], or null (off)",
            "Tune s0 before the first iteration so that the mean per-particle ESS reaches this fraction of K (cryoSPARC offers 0.75).",
            c => c.AutoSimilarityTargetEssFraction is double e ? D(e) : "null",
            (c, v) => c with { AutoSimilarityTargetEssFraction = IsNull(v) ? null : ParseDouble(v) },
            c => c.AutoSimilarityTargetEssFraction is double e && !(e > 0 && e <= 1) ? $"{D(e)}; must lie in (0, 1] (a fraction of the class count), or be null for off" : null),
        Real(ClassificationConfig.Keys.LearningRateInit, "learning-rate", "O-EM learning rate eta0 at iteration 0.",
            c => c.LearningRateInit, (c, v) => c with { LearningRateInit = v }, 0, 1, true, false, ""),
        Time(ClassificationConfig.Keys.LearningRateHalfLifeIterations, "half-life",
            "Iterations (or epochs) over which the O-EM learning rate halves, eta = eta0 0.5^(t / half-life); 0 = fixed rate eta0.",
            c => c.LearningRateHalfLife, (c, v) => c with { LearningRateHalfLife = v }, wholeIterations: false, zeroMeaning: "; 0 = fixed learning rate"),
        Int(ClassificationConfig.Keys.BatchSizePerClass, "batch-size-per-class", "Particles per class in each O-EM batch; a batch holds this x K (cryoSPARC 1000).",
            c => c.BatchSizePerClass, (c, v) => c with { BatchSizePerClass = v }, 1, "particles"),
        Int(ClassificationConfig.Keys.OemEpochs, "epochs", "Passes through the data by online EM (at least; see min_oem_iterations).",
            c => c.OemEpochs, (c, v) => c with { OemEpochs = v }, 1, "epochs"),
        Int(ClassificationConfig.Keys.MinOemIterations, "min-oem-iterations",
            "The fewest O-EM iterations: on a small set epochs are added until the O-EM phase has this many, so the anneal has room (0 = exactly oem_epochs).",
            c => c.MinOemIterations, (c, v) => c with { MinOemIterations = v }, 0, "iterations"),
        Int(ClassificationConfig.Keys.FullBatchIterations, "full-batch-iterations", "Final iterations over every particle at learning rate 1 (cryoSPARC 2).",
            c => c.FullBatchIterations, (c, v) => c with { FullBatchIterations = v }, 0, "iterations"),
        new(ClassificationConfig.Keys.HardClassification, "hard", "off | on | soft_then_hard:N | soft_then_hard:anneal_end | hard_then_soft:N (N an iteration or epochs, e.g. 2ep)",
            "When assignments are one-hot (cryoSPARC's force hard classification, and switching it part-way). In sweeps also soft, hard, soft_then_hard, hard_then_soft with hard_switch_iteration.",
            c => c.HardClassification?.Canonical ?? "null",
            (c, v) => c with { HardClassification = ParseHard(v) },
            c => c.HardClassification switch
            {
                null => "missing; must be off, on, soft_then_hard:N, soft_then_hard:anneal_end or hard_then_soft:N",
                { Switch: { } at } when !(at.Value > 0) || !double.IsFinite(at.Value) =>
                    $"{c.HardClassification.Canonical}: switch at {at.Canonical}; must be > 0 (at 0 the schedule equals {(c.HardClassification is HardClassificationSchedule.SoftThenHard ? "on" : "off")}; write that instead)",
                _ => null,
            }),
        Real(ClassificationConfig.Keys.ConvergenceSwitchFraction, "convergence",
            "Stop early once fewer than this fraction of particles change class between two full passes (0 = never).",
            c => c.ConvergenceSwitchFraction, (c, v) => c with { ConvergenceSwitchFraction = v }, 0, 1, false, false, ""),
        Real(ClassificationConfig.Keys.CollapseFloorFraction, "collapse-floor", "A class below this fraction of the particles counts as collapsed.",
            c => c.CollapseFloorFraction, (c, v) => c with { CollapseFloorFraction = v }, 0, 1, false, true, ""),
        Choice(ClassificationConfig.Keys.NoiseModel, "noise-model", "Noise variance per Fourier shell (coloured) or one for all (white).",
            c => c.NoiseModel, (c, v) => c with { NoiseModel = v }, ("coloured", NoiseModel.Coloured), ("colored", NoiseModel.Coloured), ("white", NoiseModel.White)),
        Choice(ClassificationConfig.Keys.NoiseUpdate, "noise-update",
            "Noise spectrum fixed from the start (cryoSPARC-like) or re-estimated from posterior-weighted residuals every iteration (RELION).",
            c => c.NoiseUpdate, (c, v) => c with { NoiseUpdate = v }, ("static", NoiseUpdate.Static), ("per_iteration", NoiseUpdate.PerIteration)),
        Choice(ClassificationConfig.Keys.Tau2Source, "tau2-source",
            "Signal spectrum of the Wiener regulariser: the consensus map's, or each class map's own (RELION).",
            c => c.Tau2Source, (c, v) => c with { Tau2Source = v }, ("consensus", Tau2Source.Consensus), ("class_map", Tau2Source.ClassMap)),
        Choice(ClassificationConfig.Keys.ResolutionSchedule, "resolution-schedule",
            "Likelihood shells fixed at the target, or grown from the data as RELION does (SSNR >= 1 + 10 shells).",
            c => c.ResolutionSchedule, (c, v) => c with { ResolutionSchedule = v }, ("fixed", ResolutionSchedule.Fixed), ("grow", ResolutionSchedule.Grow)),
        Real(ClassificationConfig.Keys.RegularisationTau2Fudge, "tau2-fudge",
            "RELION's regularisation parameter T: the signal prior is multiplied by T (RELION's Class3D default 4).",
            c => c.RegularisationTau2Fudge, (c, v) => c with { RegularisationTau2Fudge = v }, 0, double.PositiveInfinity, true, false, "",
            valuesText: "> 0 (typically 1-4)"),
        new(ClassificationConfig.Keys.MaskRadiusAngstrom, "mask-radius", "Angstrom > 0, auto, or none",
            "Soft spherical solvent mask on every class map; auto encloses the consensus map (recorded as mask_radius_used_angstrom). RELION's is half --particle_diameter.",
            c => c.MaskRadiusAngstrom switch { null => "auto", 0 => "none", double m => D(m) },
            (c, v) => c with { MaskRadiusAngstrom = IsAuto(v) ? null : v.Equals("none", StringComparison.OrdinalIgnoreCase) ? 0 : ParseDouble(v) },
            c => c.MaskRadiusAngstrom is double m && (!(m >= 0) || !double.IsFinite(m)) ? $"{D(m)} Angstrom; must be a positive finite radius in Angstrom, auto, or none" : null),
        new(ClassificationConfig.Keys.AutoMask, "auto-mask", "true | false",
            "A solvent mask thresholded from the consensus map (15 A low-pass, auto_mask_threshold of its maximum, dilated 2 px, 3 px soft edge).",
            c => c.AutoMask ? "true" : "false",
            (c, v) => c with { AutoMask = ParseBool(v) },
            _ => null, IsFlag: true),
        Real(ClassificationConfig.Keys.AutoMaskThreshold, "auto-mask-threshold", "Fraction of the consensus map's maximum that the automatic mask keeps.",
            c => c.AutoMaskThreshold, (c, v) => c with { AutoMaskThreshold = v }, 0, 1, true, true, ""),
        new(ClassificationConfig.Keys.Seed, "seed", "integer >= 0",
            "Seed of every random choice of the run (batches, initial partitions and subsets).",
            c => c.Seed.ToString(CultureInfo.InvariantCulture),
            (c, v) => c with { Seed = ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s) ? s : throw new FormatException($"'{v}' is not a non-negative integer seed") },
            _ => null),
    ];

    private static readonly Dictionary<string, Knob> ByKey = All.ToDictionary(k => k.Key, StringComparer.Ordinal);

    /// <summary>The knob of a key, or null.</summary>
    public static Knob? Find(string key) => ByKey.GetValueOrDefault(key);

    /// <summary>The README's knob table (a test keeps the README's copy equal to this).</summary>
    public static string MarkdownTable()
    {
        var lines = new List<string>
        {
            "| sweep-file key | `classify` option | values | default | what it does |",
            "|---|---|---|---|---|",
            $"| `{ConfigSettings.AlgorithmKey}` | `--{ConfigSettings.AlgorithmKey}` | {string.Join(" \\| ", ConfigSettings.Algorithms.Keys)} | oem | {ConfigSettings.AlgorithmDescription} |",
        };
        foreach (var k in All)
            lines.Add($"| `{k.Key}` | `--{k.Option}` | {k.Values.Replace("|", "\\|", StringComparison.Ordinal)} | {k.DefaultText} | {k.Description} |");
        return string.Join('\n', lines) + "\n";
    }

    internal static bool IsNull(string v) => v.Length == 0 || v.Equals("null", StringComparison.OrdinalIgnoreCase) || v == "~";

    private static bool IsAuto(string v) => IsNull(v) || v.Equals("auto", StringComparison.OrdinalIgnoreCase);

    private static int ParseInt(string v) =>
        int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) ? i
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue ? (int)d
        : throw new FormatException($"'{v}' is not an integer");

    private static double ParseDouble(string v) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d
        : throw new FormatException($"'{v}' is not a finite number");

    private static bool ParseBool(string v) => v.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => throw new FormatException($"'{v}' is not true or false"),
    };

    /// <summary>The sweep file's short names soft, hard, soft_then_hard are aliases of off, on, soft_then_hard:anneal_end.</summary>
    private static HardClassificationSchedule ParseHard(string v)
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
