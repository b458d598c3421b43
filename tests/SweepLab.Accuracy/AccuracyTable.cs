using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepLab.Compute;
using SweepLab.Core.Metrics;
using SweepLab.Core.Particles;
using SweepLab.Engine;
using SweepLab.Engine.Configuration;
using SweepLab.TestSupport.Relion;

namespace SweepLab.Accuracy;

/// <summary>
/// The accuracy table: per corpus level, the oracle (nearest true map at the true pose), RELION 3.1's Class3D without
/// alignment and SweepLab's engine (defaults plus --set overrides), each against the truth under the best label
/// permutation. Every run is appended to accuracy.csv as it finishes; the markdown table is printed at the end.
/// </summary>
public static class AccuracyTable
{
    /// <summary>The oracle scores at the engine's default target resolution, whatever --set says, so its column never
    /// moves with the settings under test. Above it the phantoms carry almost no signal (Gaussian blobs of 4.5 A sigma
    /// and wider).</summary>
    public static readonly double OracleResolutionAngstrom = new ClassificationConfig().TargetResolutionAngstrom;

    private sealed record LevelSummary(CorpusLevel Level, AccuracyRow Oracle, IReadOnlyList<AccuracyRow> Relion, bool RelionRecorded,
        int RelionFailures, IReadOnlyList<AccuracyRow> SweepLab);

    public static int Corpus(AccuracyOptions options)
    {
        foreach (var level in options.Levels)
        {
            var clock = Stopwatch.StartNew();
            var dataset = RelionCorpus.BuildOrReuse(options.LevelFolder(level), level, out bool reused);
            Console.WriteLine($"{level.Name}: {(reused ? "already built" : $"built in {clock.Elapsed.TotalSeconds:0.0} s")}: {dataset.Count} particles, " +
                $"classes {string.Join(" / ", dataset.ClassNames)}, SNR {level.Snr}, in {dataset.Folder}");
        }
        return 0;
    }

    public static int Table(AccuracyOptions options)
    {
        // Every level's configurations are checked before anything slow starts.
        var configs = options.Levels.ToDictionary(l => l.Name, l => Configs(options, l));
        Directory.CreateDirectory(options.OutputDirectory);
        string csv = Path.Combine(options.OutputDirectory, AccuracyLog.FileName);
        string label = options.Label ?? options.SettingsText;
        using var device = ComputeDevice.Create(options.Device, line => Console.WriteLine($"  device: {line}"));
        using var kernels = new ClassificationKernels(device);
        Console.WriteLine($"device {device}; SweepLab settings: {options.SettingsText}; seeds {string.Join(',', options.Seeds)}; rows appended to {csv}");
        var summaries = new List<LevelSummary>();
        foreach (var level in options.Levels)
        {
            var clock = Stopwatch.StartNew();
            var dataset = RelionCorpus.BuildOrReuse(options.LevelFolder(level), level, out bool reused);
            Console.WriteLine($"== {level.Name}: {dataset.Count} particles, {level.BoxPixels} px at {level.PixelSizeAngstrom} A/px, SNR {level.Snr}, " +
                $"{(reused ? "corpus reused" : $"corpus built in {clock.Elapsed.TotalSeconds:0.0} s")} ({dataset.Folder})");
            string corpus = AccuracyLog.CorpusId(level);
            AccuracyRow Row(string program, string rowLabel, string settings, int? seed, double accuracy, IReadOnlyList<double> fractions, double meanEss, double wall)
            {
                var row = new AccuracyRow(level.Name, corpus, dataset.Count, level.Snr, program, rowLabel, settings, seed, accuracy, fractions, meanEss, wall, DateTime.UtcNow);
                AccuracyLog.Append(csv, row);
                return row;
            }

            // The oracle.
            clock.Restart();
            var set = RelionCorpusOracle.LoadParticles(dataset, OracleResolutionAngstrom);
            kernels.UploadParticles(set);
            var truth = RelionCorpusOracle.TrueClasses(dataset, set);
            var trueVolumes = RelionCorpusOracle.TrueVolumes(dataset, set);
            var oracle = RelionCorpusOracle.Classify(kernels, set, trueVolumes, truth);
            var oracleRow = Row(AccuracyLog.OracleProgram, "", $"target_resolution_angstrom={F(OracleResolutionAngstrom, "0.##")}", null,
                oracle.Accuracy, Fractions(oracle.Assignments, level.ClassCount), double.NaN, clock.Elapsed.TotalSeconds);
            Console.WriteLine($"  oracle: accuracy {oracle.Accuracy:0.0000} (load, upload and score {clock.Elapsed.TotalSeconds:0.0} s)");

            // SweepLab, on the particles loaded at the configuration's target resolution.
            var levelConfigs = configs[level.Name];
            double target = levelConfigs[0].TargetResolutionAngstrom;
            if (target != set.Grid.TargetResolutionAngstrom)
            {
                set = RelionCorpusOracle.LoadParticles(dataset, target);
                kernels.UploadParticles(set);
                truth = RelionCorpusOracle.TrueClasses(dataset, set);
                trueVolumes = RelionCorpusOracle.TrueVolumes(dataset, set);
            }
            string? focusFile = options.FocusFromTruth ? RelionFocus.WriteFocusMask(dataset) : null;
            var focus = focusFile is null ? null : RelionFocus.ReadForEngine(focusFile, set.Grid.CroppedBox);
            var engine = new ClassificationEngine(kernels, new ClassificationInput(set, truth, trueVolumes, FocusMask: focus));
            var sweepLab = new List<AccuracyRow>();
            foreach (var config in levelConfigs)
            {
                clock.Restart();
                var result = engine.Run(config);
                double wall = clock.Elapsed.TotalSeconds;
                double accuracy = result.Truth?.Accuracy ?? throw new InvalidOperationException("the engine returned no truth metrics");
                sweepLab.Add(Row(AccuracyLog.SweepLabProgram, label, SettingsText(options, level), (int)config.Seed, accuracy, result.ClassFractionsHard, result.MeanEss, wall));
                Console.WriteLine($"  SweepLab seed {config.Seed}: accuracy {accuracy:0.0000}, classes {Join(result.ClassFractionsHard)}, mean ESS {result.MeanEss:0.###}, " +
                    $"{result.Iterations.Count} iterations, {wall:0.0} s{(result.Collapsed ? ", COLLAPSED" : "")}");
            }

            // RELION: run now, or the rows recorded for this corpus before.
            var relion = new List<AccuracyRow>();
            int failures = 0;
            if (options.Relion)
            {
                foreach (int seed in options.Seeds)
                {
                    try
                    {
                        var run = RelionCorpus.RunRelionRefine(dataset, seed, focusMaskFile: focusFile);
                        var score = ClusteringAgreement.BestPermutationAccuracy(dataset.TrueClasses, run.Classes, level.ClassCount, level.ClassCount);
                        var fractions = Fractions(run.Classes, level.ClassCount);
                        relion.Add(Row(AccuracyLog.RelionProgram, focusFile is null ? "relion_refine" : "relion_refine focused", RelionSettings(level, focusFile is not null), seed, score.Accuracy, fractions, double.NaN, run.WallSeconds));
                        Console.WriteLine($"  RELION seed {seed}: accuracy {score.Accuracy:0.0000}, classes {Join(fractions)}, {run.WallSeconds:0.0} s ({run.OutputFolder})");
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        failures++;
                        Console.WriteLine($"  RELION seed {seed}: FAILED: {e.Message}");
                    }
                }
            }
            else
            {
                string relionLabel = options.FocusFromTruth ? "relion_refine focused" : "relion_refine";
                relion = AccuracyLog.Read(csv).Where(r => r.Program == AccuracyLog.RelionProgram && r.Corpus == corpus && r.Level == level.Name && r.Label == relionLabel)
                    .GroupBy(r => r.Seed).Select(g => g.Last()).Where(r => r.Seed is int s && options.Seeds.Contains(s)).OrderBy(r => r.Seed).ToList();
            }
            summaries.Add(new LevelSummary(level, oracleRow, relion, !options.Relion, failures, sweepLab));
        }
        Console.WriteLine();
        Console.WriteLine(Markdown(summaries, options, label));
        return summaries.Any(s => s.RelionFailures > 0) ? 1 : 0;
    }

    /// <summary>Defaults, then classes = the level's K, then the user's settings, then the seed (the defaults run on any K and particle count).</summary>
    private static IReadOnlyList<ClassificationConfig> Configs(AccuracyOptions options, CorpusLevel level) =>
        options.Seeds.Select(seed => ConfigSettings.Apply(
            [new(ClassificationConfig.Keys.Classes, level.ClassCount.ToString(CultureInfo.InvariantCulture)), .. Settings(options, level),
             new(ClassificationConfig.Keys.Seed, seed.ToString(CultureInfo.InvariantCulture))],
            pixelSizeAngstrom: level.PixelSizeAngstrom, particleCount: level.Particles)).ToList();

    /// <summary>The settings SweepLab runs with on a level, beyond the defaults and K: as recorded in accuracy.csv.</summary>
    private static IReadOnlyList<KeyValuePair<string, string>> Settings(AccuracyOptions options, CorpusLevel level) =>
        options.Settings;

    private static string SettingsText(AccuracyOptions options, CorpusLevel level) => options.SettingsText;

    private static string RelionSettings(CorpusLevel level, bool focused) =>
        $"K={level.ClassCount};iter={RelionCorpus.RelionIterations};ini_high=30;tau2_fudge=4;particle_diameter={F(level.ParticleDiameterAngstrom, "0")};j=2" +
        (focused ? ";subtract_exp outside focus_mask.mrc;solvent_mask=focus_mask.mrc" : "");

    private static string Markdown(IReadOnlyList<LevelSummary> summaries, AccuracyOptions options, string label)
    {
        string seeds = options.Seeds.Count == 1 ? "1 seed" : $"{options.Seeds.Count} seeds";
        var text = new StringBuilder();
        text.Append($"| level | SNR | oracle | RELION ({seeds}) | SweepLab ({seeds}) |\n|---|---|---|---|---|\n");
        bool anyRecorded = false;
        foreach (var s in summaries)
        {
            var standard = CorpusLevel.Named(s.Level.Name);
            string level = s.Level.Particles == standard.Particles ? s.Level.Name : $"{s.Level.Name} ({s.Level.Particles} particles)";
            string relion;
            if (s.Relion.Count == 0) relion = s.RelionFailures > 0 ? "failed" : "not run";
            else
            {
                relion = Cell(s.Relion, "0") + (s.RelionFailures > 0 ? $", {s.RelionFailures} failed" : "");
                if (s.RelionRecorded) { relion += " †"; anyRecorded = true; }
            }
            text.Append($"| {level} | {F(s.Level.Snr, "0.###")} | {F(s.Oracle.Accuracy, "0.0000")} | {relion} | {Cell(s.SweepLab, "0.0")} |\n");
        }
        text.Append($"\nAccuracy against the truth under the best label permutation, one value per seed ({string.Join(", ", options.Seeds)}), " +
            "with the mean wall time of one run. Oracle: nearest true map at the true pose and CTF " +
            $"({F(OracleResolutionAngstrom, "0.#")} A, flat noise weights). RELION: relion_refine --skip_align, {RelionCorpus.RelionIterations} iterations, " +
            $"from consensus.mrc low-passed to 30 A, --j 2{(options.FocusFromTruth ? "; focused: the consensus outside focus_mask.mrc subtracted from the particles (relion_project --subtract_exp), --solvent_mask focus_mask.mrc" : "")}. SweepLab: engine defaults{(options.Settings.Count > 0 ? " + " + options.SettingsText : "")}" +
            $" (label: {label}); wall time of engine.Run, particles loaded and uploaded once per level.\n");
        if (anyRecorded) text.Append("† RELION not run this time: rows recorded earlier in accuracy.csv for the same corpus.\n");
        return text.ToString();
    }

    private static string Cell(IReadOnlyList<AccuracyRow> rows, string secondsFormat) =>
        rows.Count == 0 ? "" : $"{string.Join(" / ", rows.Select(r => F(r.Accuracy, "0.0000")))} ({F(rows.Average(r => r.WallSeconds), secondsFormat)} s)";

    private static IReadOnlyList<double> Fractions(IReadOnlyList<int> classes, int classCount) =>
        Enumerable.Range(0, classCount).Select(c => classes.Count(k => k == c) / (double)classes.Count).ToList();

    private static string Join(IReadOnlyList<double> fractions) => string.Join('/', fractions.Select(f => F(f, "0.000")));

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
