using Cocona;
using SweepLab.Cli.Outputs;
using SweepLab.Compute;
using SweepLab.Engine;
using SweepLab.Engine.Configuration;

namespace SweepLab.Cli.Commands;

/// <summary>Every engine knob as a command-line option; unset options keep the engine's defaults.</summary>
internal sealed class KnobOptions : ICommandParameterSet
{
    [Option("algorithm", Description = "oem | relion_em: a named set of the settings below (explicit options win)"), HasDefaultValue] public string? Algorithm { get; set; }
    [Option("classes", Description = "Number of classes K (>= 2)"), HasDefaultValue] public int? Classes { get; set; }
    [Option("target-resolution", Description = "Target resolution (Angstrom); Fourier pixels beyond are dropped"), HasDefaultValue] public double? TargetResolution { get; set; }
    [Option("initialisation", Description = "simple | input_volumes | pca | consensus"), HasDefaultValue] public string? Initialisation { get; set; }
    [Option("init-subset-size", Description = "Particles per initial reconstruction"), HasDefaultValue] public int? InitSubsetSize { get; set; }
    [Option("init-lowpass", Description = "Low-pass of the initial maps (Angstrom)"), HasDefaultValue] public double? InitLowpass { get; set; }
    [Option("pca-reconstructions", Description = "PCA initialisation: random-subset reconstructions"), HasDefaultValue] public int? PcaReconstructions { get; set; }
    [Option("pca-components", Description = "PCA initialisation: principal components"), HasDefaultValue] public int? PcaComponents { get; set; }
    [Option("class-similarity", Description = "Initial class similarity s in [0, 1]"), HasDefaultValue] public double? ClassSimilarity { get; set; }
    [Option("anneal-start", Description = "Iteration at which annealing of s starts"), HasDefaultValue] public int? AnnealStart { get; set; }
    [Option("anneal-end", Description = "Iteration at which s reaches 0"), HasDefaultValue] public int? AnnealEnd { get; set; }
    [Option("similarity-model", Description = "tempered | mixture"), HasDefaultValue] public string? SimilarityModel { get; set; }
    [Option("auto-similarity", Description = "Raise s until mean ESS reaches this fraction of K (null = off)"), HasDefaultValue] public double? AutoSimilarity { get; set; }
    [Option("learning-rate", Description = "O-EM learning rate at iteration 0"), HasDefaultValue] public double? LearningRate { get; set; }
    [Option("half-life", Description = "Learning-rate half-life in iterations (0 = fixed)"), HasDefaultValue] public double? HalfLife { get; set; }
    [Option("batch-size-per-class", Description = "O-EM batch size per class"), HasDefaultValue] public int? BatchSizePerClass { get; set; }
    [Option("epochs", Description = "O-EM epochs (passes through the data)"), HasDefaultValue] public int? Epochs { get; set; }
    [Option("full-batch-iterations", Description = "Full-batch iterations at the end"), HasDefaultValue] public int? FullBatchIterations { get; set; }
    [Option("hard", Description = "off | on | soft_then_hard:N | soft_then_hard:anneal_end | hard_then_soft:N"), HasDefaultValue] public string? Hard { get; set; }
    [Option("convergence", Description = "Stop when fewer than this fraction of particles switch class"), HasDefaultValue] public double? Convergence { get; set; }
    [Option("collapse-floor", Description = "A class below this fraction counts as collapsed"), HasDefaultValue] public double? CollapseFloor { get; set; }
    [Option("noise-model", Description = "coloured | white"), HasDefaultValue] public string? NoiseModel { get; set; }
    [Option("tau2-fudge", Description = "Regularisation constant T (RELION's tau2_fudge)"), HasDefaultValue] public double? Tau2Fudge { get; set; }
    [Option("mask-radius", Description = "Soft spherical mask radius (Angstrom), auto (fitted to the consensus map) or none"), HasDefaultValue] public string? MaskRadius { get; set; }
    [Option("auto-mask", Description = "Solvent mask thresholded from the consensus map"), HasDefaultValue] public bool? AutoMask { get; set; }
    [Option("auto-mask-threshold", Description = "Fraction of the consensus maximum the automatic mask keeps"), HasDefaultValue] public double? AutoMaskThreshold { get; set; }
    [Option("noise-update", Description = "static | per_iteration"), HasDefaultValue] public string? NoiseUpdate { get; set; }
    [Option("tau2-source", Description = "consensus | class_map"), HasDefaultValue] public string? Tau2Source { get; set; }
    [Option("resolution-schedule", Description = "fixed | grow"), HasDefaultValue] public string? ResolutionSchedule { get; set; }
    [Option("seed", Description = "Random seed"), HasDefaultValue] public ulong? Seed { get; set; }

    /// <summary>The options that were given, as the engine's settings.</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings()
    {
        static string S(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        (string Key, string? Value)[] all =
        [
            (ConfigSettings.AlgorithmKey, Algorithm),
            (ClassificationConfig.Keys.Classes, Classes?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.TargetResolutionAngstrom, TargetResolution is double r ? S(r) : null),
            (ClassificationConfig.Keys.Initialisation, Initialisation),
            (ClassificationConfig.Keys.InitSubsetSize, InitSubsetSize?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.InitLowpassResolutionAngstrom, InitLowpass is double l ? S(l) : null),
            (ClassificationConfig.Keys.PcaReconstructionCount, PcaReconstructions?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.PcaComponentCount, PcaComponents?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.ClassSimilarity, ClassSimilarity is double s ? S(s) : null),
            (ClassificationConfig.Keys.SimilarityAnnealStart, AnnealStart?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.SimilarityAnnealEnd, AnnealEnd?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.SimilarityModel, SimilarityModel),
            (ClassificationConfig.Keys.AutoSimilarityTargetEssFraction, AutoSimilarity is double a ? S(a) : null),
            (ClassificationConfig.Keys.LearningRateInit, LearningRate is double e ? S(e) : null),
            (ClassificationConfig.Keys.LearningRateHalfLifeIterations, HalfLife is double h ? S(h) : null),
            (ClassificationConfig.Keys.BatchSizePerClass, BatchSizePerClass?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.OemEpochs, Epochs?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.FullBatchIterations, FullBatchIterations?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (ClassificationConfig.Keys.HardClassification, Hard),
            (ClassificationConfig.Keys.ConvergenceSwitchFraction, Convergence is double c ? S(c) : null),
            (ClassificationConfig.Keys.CollapseFloorFraction, CollapseFloor is double f ? S(f) : null),
            (ClassificationConfig.Keys.NoiseModel, NoiseModel),
            (ClassificationConfig.Keys.NoiseUpdate, NoiseUpdate),
            (ClassificationConfig.Keys.Tau2Source, Tau2Source),
            (ClassificationConfig.Keys.ResolutionSchedule, ResolutionSchedule),
            (ClassificationConfig.Keys.RegularisationTau2Fudge, Tau2Fudge is double t ? S(t) : null),
            (ClassificationConfig.Keys.MaskRadiusAngstrom, MaskRadius),
            (ClassificationConfig.Keys.AutoMask, AutoMask is bool am ? (am ? "true" : "false") : null),
            (ClassificationConfig.Keys.AutoMaskThreshold, AutoMaskThreshold is double amt ? S(amt) : null),
            (ClassificationConfig.Keys.Seed, Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
        return all.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!));
    }
}

internal sealed class ClassifyCommand
{
    [Command("classify", Description = "3D classification without alignment of one particle set with one configuration.")]
    public int Classify(
        [Option(Description = "particles.star (RELION) or particles.cs (cryoSPARC)")] string particles,
        [Option(Description = "Output folder")] string @out,
        KnobOptions knobs,
        [Option(Description = "truth.csv of a simulated set: accuracy, ARI and FSC against the true maps")] string? truth = null,
        [Option("input-volumes", Description = "Comma-separated MRC maps to start from (initialisation input_volumes)")] string? inputVolumes = null,
        [Option(Description = "Solvent/focus mask (MRC on the particles' box)")] string? mask = null,
        [Option(Description = "auto | cuda | opencl | pocl | cpu")] string device = "auto") =>
        CommandGuard.Run(() =>
        {
            Devices.Parse(device);
            OutputCheck.EnsureWritable(@out, "--out");
            Interruption.Kept = () => $"nothing was written to {Path.GetFullPath(@out)}";
            var table = ParticleFiles.Read(particles);
            var config = ConfigSettings.Apply(knobs.Settings(), pixelSizeAngstrom: table.PixelSizeAngstrom, particleCount: table.Count);
            var volumes = inputVolumes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var loaded = DataLoader.Load(table, particles, config.TargetResolutionAngstrom, truth, volumes, mask, Log);
            using var compute = Devices.Open(device);
            using var kernels = new ClassificationKernels(compute);
            kernels.UploadParticles(loaded.Set);
            var engine = new ClassificationEngine(kernels, loaded.Input);
            var result = engine.Run(config, (_, it) =>
            {
                Log($"iteration {it.Iteration,3}  s {it.Similarity:0.###}  eta {it.LearningRate:0.###}  {(it.Hard ? "hard" : "soft")}  classes {string.Join('/', it.ClassFractionsHard.Select(f => f.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}  ESS {it.MeanEss:0.###}  changed {it.FractionChanged:0.####}");
                return false;
            });
            RunOutputs.Write(@out, loaded.Table, result, Path.GetFullPath(particles), truth is null ? null : Path.GetFullPath(truth));
            Console.WriteLine($"classes {string.Join(" / ", result.ClassFractionsHard.Select(f => f.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}, mean ESS {result.MeanEss:0.###}, {(result.Collapsed ? "COLLAPSED" : "no collapse")}{(result.Truth is { } t ? $", accuracy {t.Accuracy:0.0000}, ARI {t.AdjustedRandIndex:0.0000}" : "")}");
            Console.WriteLine($"wrote {Path.GetFullPath(@out)}");
            return CommandGuard.ExitOk;
        });

    private static void Log(string message) => Console.Error.WriteLine(message);
}
