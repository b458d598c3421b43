using SweepLab.Core.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using SweepLab.Core.Fourier;
using SweepLab.Engine;
using SweepLab.Formats;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Npy;
using SweepLab.Formats.Particles;

namespace SweepLab.Cli.Outputs;

/// <summary>
/// The files of one classification, as RELION and cryoSPARC users expect them: class_001.mrc ... (real-space maps on
/// the particles' box and pixel size), particles.star (input particles in input order with rlnClassNumber,
/// rlnMaxValueProbDistribution and the per-particle ESS), iterations.csv and result.json. Files are staged and moved
/// in with result.json last, so a folder with result.json is complete.
/// </summary>
internal static class RunOutputs
{
    public const string ResultFile = "result.json";
    public const string IterationsFile = "iterations.csv";
    public const string ParticlesFile = "particles.star";
    /// <summary>Written beside particles.star when the input was a cryoSPARC .cs: the input's fields plus the result.</summary>
    public const string CryoSparcParticlesFile = "particles.cs";
    public const string EssColumn = "slEffectiveClassCount";

    public static string ClassMapFile(int k) => $"class_{k + 1:D3}.mrc";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static void Write(string folder, ParticleTable table, ClassificationResult result, string particleFile, string? truthFile,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        using var section = Core.IO.ExitGate.Enter();
        Directory.CreateDirectory(folder);
        string staging = Path.Combine(folder, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            WriteInto(staging, table, result, particleFile, truthFile, extra);
            // cryoSPARC users get their own format back (classify only: a sweep keeps one particles table per run)
            if (particleFile.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
                CryoSparcParticles.WithClassification(NpyStructuredArray.Read(particleFile), result.Assignments, result.Posteriors, result.Ess, result.ClassCount)
                    .Write(Path.Combine(staging, CryoSparcParticlesFile));
            foreach (string file in Directory.GetFiles(staging).Where(f => Path.GetFileName(f) != ResultFile).Order(StringComparer.Ordinal))
                File.Move(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
            File.Move(Path.Combine(staging, ResultFile), Path.Combine(folder, ResultFile), overwrite: true);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Writes every file into <paramref name="folder"/> directly (the sweep store stages whole run folders).</summary>
    public static void WriteInto(string folder, ParticleTable table, ClassificationResult result, string particleFile, string? truthFile,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        int n = table.BoxSize, m = (int)Math.Round(Math.Cbrt(result.Volumes[0].Length / 2.0));
        for (int k = 0; k < result.ClassCount; k++)
        {
            var map = FourierVolume.ToRealSpace(result.Volumes[k], m, n);
            MrcFile.Write(Path.Combine(folder, ClassMapFile(k)), map, n, n, n, table.PixelSizeAngstrom, isStack: false);
        }
        RelionParticles.Write(Path.Combine(folder, ParticlesFile), table,
        [
            StarColumn.ClassNumbers(result.Assignments),
            StarColumn.MaxValueProbDistribution(result.MaxPosterior),
            StarColumn.FromDoubles(EssColumn, result.Ess),
        ]);
        AtomicFile.Write(Path.Combine(folder, IterationsFile), stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            WriteIterations(writer, result);
        });
        AtomicFile.Write(Path.Combine(folder, ResultFile), stream =>
            JsonSerializer.Serialize(stream, Summary(result, particleFile, truthFile, extra), Json));
    }

    public static RunSummary Summary(ClassificationResult result, string particleFile, string? truthFile, IReadOnlyDictionary<string, string>? extra) => new(
        SweepLabVersion: typeof(RunOutputs).Assembly.GetName().Version?.ToString() ?? "0",
        Particles: particleFile,
        Truth: truthFile,
        Device: result.Device,
        Config: result.Config.ToCanonicalDictionary().ToDictionary(p => p.Key, p => p.Value),
        Timeline: result.Config.Timeline(result.Assignments.Length),
        Extra: extra,
        Metrics: FinalMetrics(result),
        ClassFractionsHard: result.ClassFractionsHard,
        ClassFractionsSoft: result.ClassFractionsSoft,
        EssHistogram: result.EssHistogram,
        TrueClassOfClass: result.Truth?.TrueClassOfClass,
        ClassFscResolutionAngstrom: result.Truth?.ClassFscResolutionAngstrom);

    /// <summary>The scalar outcomes of a run, by name: the columns a sweep's results.csv collects.</summary>
    public static Dictionary<string, double> FinalMetrics(ClassificationResult result)
    {
        var metrics = new Dictionary<string, double>
        {
            ["split_ratio"] = result.SplitRatio,
            ["largest_class_fraction"] = result.ClassFractionsHard.Max(),
            ["smallest_class_fraction"] = result.ClassFractionsHard.Min(),
            ["collapsed"] = result.Collapsed ? 1 : 0,
            ["mean_ess"] = result.MeanEss,
            ["median_ess"] = result.MedianEss,
            ["convergence_iteration"] = result.ConvergenceIteration ?? double.NaN,
            ["iterations"] = result.Iterations.Count,
            ["stopped_early"] = result.StoppedEarly ? 1 : 0,
            ["initial_similarity"] = result.InitialSimilarity,
            ["likelihood_resolution_angstrom"] = result.LikelihoodResolutionAngstrom,
            ["mask_radius_used_angstrom"] = result.MaskRadiusAngstrom,
            ["final_log_likelihood"] = result.Iterations.Count > 0 ? result.Iterations[^1].MeanLogLikelihood : double.NaN,
            ["wall_seconds"] = result.WallSeconds,
        };
        if (result.Truth is { } truth)
        {
            metrics["accuracy"] = truth.Accuracy;
            metrics["ari"] = truth.AdjustedRandIndex;
            if (double.IsFinite(truth.OracleAccuracy)) metrics["oracle_accuracy"] = truth.OracleAccuracy;
            if (truth.ClassFscResolutionAngstrom.Count > 0)
                metrics["worst_class_fsc_resolution_angstrom"] = truth.ClassFscResolutionAngstrom.Max();
        }
        return metrics;
    }

    private static readonly CsvWriterOptions IterationsCsv = CsvWriterOptions.Default with { NewLine = "\n" };

    /// <summary>One row per iteration: schedule values, per-class fractions (hard then soft), ESS and likelihood
    /// summaries, then the ESS histogram's bins. Invariant culture, round-trippable reals, LF line ends.</summary>
    public static void WriteIterations(TextWriter writer, ClassificationResult result)
    {
        var c = CultureInfo.InvariantCulture;
        int k = result.ClassCount;
        int bins = result.Iterations.Count > 0 ? result.Iterations[0].EssHistogram.Count : 0;
        var header = new List<string> { "iteration", "epoch", "full_batch", "batch_size", "learning_rate", "class_similarity", "hard" };
        for (int i = 0; i < k; i++) header.Add($"fraction_hard_{i + 1}");
        for (int i = 0; i < k; i++) header.Add($"fraction_soft_{i + 1}");
        header.AddRange(["mean_ess", "median_ess", "fraction_changed", "mean_log_likelihood", "volume_change_rms", "wall_seconds"]);
        for (int i = 0; i < bins; i++) header.Add($"ess_bin_{i}");
        using var csv = CsvWriter.Create(writer, IterationsCsv, leaveOpen: true);
        csv.WriteRecord(header.ToArray());
        foreach (var it in result.Iterations)
        {
            var row = new List<string>(header.Count)
            {
                it.Iteration.ToString(c), it.Epoch.ToString(c), it.IsFullBatch ? "1" : "0", it.BatchSize.ToString(c),
                it.LearningRate.ToString("R", c), it.Similarity.ToString("R", c), it.Hard ? "1" : "0",
            };
            row.AddRange(it.ClassFractionsHard.Select(f => f.ToString("R", c)));
            row.AddRange(it.ClassFractionsSoft.Select(f => f.ToString("R", c)));
            row.AddRange([it.MeanEss.ToString("R", c), it.MedianEss.ToString("R", c), it.FractionChanged.ToString("R", c),
                it.MeanLogLikelihood.ToString("R", c), it.VolumeChangeRms.ToString("R", c), it.WallSeconds.ToString("R", c)]);
            row.AddRange(it.EssHistogram.Select(b => b.ToString(c)));
            csv.WriteRecord(row.ToArray());
        }
    }
}

/// <summary>result.json: the full configuration, where the data came from, and the final metrics.</summary>
internal sealed record RunSummary(
    string SweepLabVersion,
    string Particles,
    string? Truth,
    string Device,
    Dictionary<string, string> Config,
    IReadOnlyDictionary<string, double> Timeline,
    IReadOnlyDictionary<string, string>? Extra,
    Dictionary<string, double> Metrics,
    IReadOnlyList<double> ClassFractionsHard,
    IReadOnlyList<double> ClassFractionsSoft,
    IReadOnlyList<long> EssHistogram,
    IReadOnlyList<int>? TrueClassOfClass,
    IReadOnlyList<double>? ClassFscResolutionAngstrom);
