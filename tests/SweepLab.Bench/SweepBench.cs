using System.Diagnostics;
using System.Globalization;
using SweepLab.Compute;
using SweepLab.Engine;
using SweepLab.Engine.Configuration;

namespace SweepLab.Bench;

/// <summary>The configurations a bench sweep runs: knobs that do not change the batch schedule, so all step together.</summary>
public static class SweepConfigs
{
    private static readonly HardClassificationSchedule[] Hard =
    [
        new HardClassificationSchedule.Off(), new HardClassificationSchedule.On(),
        new HardClassificationSchedule.SoftThenHardAtAnnealEnd(), new HardClassificationSchedule.HardThenSoft(4),
    ];

    private static readonly double[] LearningRates = [0.4, 0.2, 0.7, 1.0];

    /// <summary>
    /// Configuration i of a sweep: class similarity from 16 values in [0.2, 0.8] (fastest), learning rate from
    /// {0.4, 0.2, 0.7, 1}, hard classification from {off, on, soft_then_hard:anneal_end, hard_then_soft:4}; seed 1
    /// and the batch schedule fixed. 256 distinct configurations; configuration 0 is the default one.
    /// </summary>
    public static ClassificationConfig At(int i, int batchSizePerClass) => new()
    {
        Seed = 1,
        BatchSizePerClass = batchSizePerClass,
        // The default 1000 particles per initial reconstruction, or one O-EM batch on smaller (quick) sets.
        InitSubsetSize = Math.Min(1000, 2 * batchSizePerClass),
        ClassSimilarity = i % 16 == 0 ? 0.5 : 0.2 + 0.04 * (i % 16),
        LearningRateInit = LearningRates[i / 16 % 4],
        HardClassification = Hard[i / 64 % 4],
    };

    public static List<ClassificationConfig> First(int count, int batchSizePerClass) =>
        Enumerable.Range(0, count).Select(i => At(i, batchSizePerClass)).ToList();

    public static string Describe => "class_similarity (16 values in [0.2, 0.8]) x learning_rate_init {0.4, 0.2, 0.7, 1} x hard_classification {off, on, soft_then_hard:anneal_end, hard_then_soft:4}, seed 1";
}

/// <summary>
/// Section 3: sweeps of 1, 8, 64 and 256 configurations on one particle set, all stepped together by
/// <see cref="ClassificationEngine.RunMany"/>, against the same 8 configurations run one by one; time per
/// configuration and peak memory against the bytes of the particle set and of each run's volumes.
/// </summary>
public static class SweepBench
{
    public const string Section = "sweep";

    public static void Run(ComputeDevice device, BenchWorkspace workspace, BenchReport report, BenchOptions options)
    {
        // Quick mode stops at 64 configurations on 500 particles: 256 lockstep configurations take ~13 minutes on 2 cores.
        int n = options.Quick ? 500 : 2000;
        // Half the set per O-EM batch, as the default 1000 per class gives on the issue's 4,000 particles:
        // 10 O-EM iterations + 2 full batches, so the default annealing window (to iteration 10) fits the run.
        int batchPerClass = n / 4;
        int[] counts = options.Quick ? [1, 8, 64] : [1, 8, 64, 256];
        int largest = counts[^1];
        var dataset = workspace.Dataset(n);
        var set = dataset.ToParticleSet(BenchWorkspace.TargetResolutionAngstrom);
        using var kernels = new ClassificationKernels(device);
        kernels.UploadParticles(set);
        var engine = new ClassificationEngine(kernels, new ClassificationInput(set, dataset.Simulated.TrueClass));
        var statisticsClock = Stopwatch.StartNew();
        engine.Statistics(new ClassificationConfig().RegularisationTau2Fudge);
        double statisticsSeconds = statisticsClock.Elapsed.TotalSeconds;

        int m = kernels.Box, k = 2;
        long voxels = (long)m * m * m;
        long setHostBytes = set.DataBytes, setDeviceBytes = (long)n * set.PixelCount * 12;
        // Per class volume (ClassificationEngine.RunState): the shared device volume stack 8 B/voxel, running and batch
        // sums 12 + 12, the reconstruction stack 8; host map 8, the spare map the next one is built in 8, and the
        // per-iteration download 8. Per run: the solvent mask and the gridding factor, 4 + 4. (Until 2026-12-08 the
        // prediction counted 56 B per class volume, a final-E-step stack that does not exist and neither the
        // reconstruction stack nor the spare map nor the per-run arrays: the "unexplained" growth of about 500 MiB at
        // 64 configurations.)
        long perVolumeBytes = 64 * voxels, perRunBytes = 8 * voxels;
        long PartialBytes(int volumes) => kernels.ScratchVolumes(volumes, k, batchPerClass * k) * 12 * voxels;
        long Predicted(int configs) => configs * (k * perVolumeBytes + perRunBytes) + PartialBytes(configs * k);

        report.Add(Section, "particle set (host copy)", setHostBytes / 1048576.0, "MiB", $"{n} particles x {set.PixelCount} pixels x 8 B");
        report.Add(Section, "particle set (device copy: pixels + CTF table)", setDeviceBytes / 1048576.0, "MiB", "PoCL device memory is host memory");
        report.Add(Section, "per-run volume bytes (K=2)", (k * perVolumeBytes + perRunBytes) / 1048576.0, "MiB", $"(K x 64 B + 8 B) x {m}^3 voxels (device volumes, running and batch sums, reconstruction; host maps, spare maps, downloads; per run the mask and gridding factor)");
        report.Add(Section, "noise/consensus statistics (once per set)", statisticsSeconds, "s", "shared by every configuration; not in the times below");

        var rows = new List<string[]>();
        var perConfig = new Dictionary<int, double>();
        var peaks = new Dictionary<int, long>();
        foreach (int count in counts)
        {
            var configs = SweepConfigs.First(count, batchPerClass);
            using var memory = PeakMemory.Start();
            var clock = Stopwatch.StartNew();
            var results = engine.RunMany(configs);
            double wall = clock.Elapsed.TotalSeconds;
            memory.Dispose();
            long peak = memory.PeakBytes, peakDelta = peak - memory.BaselineBytes;
            perConfig[count] = wall / count;
            peaks[count] = peak;
            var accuracies = results.Select(r => r.Truth!.Accuracy).Order().ToList();
            int iterations = results.Max(r => r.Iterations.Count);
            report.Add(Section, $"{count} configs together: wall", wall, "s", $"one RunMany, {iterations} iterations");
            report.Add(Section, $"{count} configs together: per configuration", wall / count, "s");
            report.Add(Section, $"{count} configs together: peak resident memory", peak / 1048576.0, "MiB",
                $"whole process; {(memory.HighWaterMarkReset ? "VmHWM reset before the stage" : "RSS polled every 10 ms")}");
            report.Add(Section, $"{count} configs together: peak memory over the stage's start", peakDelta / 1048576.0, "MiB",
                $"start {memory.BaselineBytes / 1048576.0:0} MiB (holds memory freed by earlier stages); predicted {Predicted(count) / 1048576.0:0} MiB (volumes + backprojection partials)");
            rows.Add([count.ToString(CultureInfo.InvariantCulture), "together (RunMany)", F(wall, "0.00"), F(wall / count, "0.000"),
                F(peak / 1048576.0, "0"), F(Predicted(count) / 1048576.0, "0"),
                $"{accuracies[0]:0.000} / {accuracies[accuracies.Count / 2]:0.000} / {accuracies[^1]:0.000}"]);
        }

        // Together and one by one, alternated twice, the faster of each kept: on a shared machine interference
        // only adds time, so the minimum is the fairer pair.
        var eight = SweepConfigs.First(8, batchPerClass);
        List<ClassificationResult> separate = [];
        double oneByOne = double.PositiveInfinity;
        for (int round = 0; round < 2; round++)
        {
            var oneByOneClock = Stopwatch.StartNew();
            separate = eight.Select(c => engine.Run(c)).ToList();
            oneByOne = Math.Min(oneByOne, oneByOneClock.Elapsed.TotalSeconds);
            var togetherClock = Stopwatch.StartNew();
            engine.RunMany(eight);
            perConfig[8] = Math.Min(perConfig[8], togetherClock.Elapsed.TotalSeconds / 8);
        }
        report.Add(Section, "8 configs together: per configuration, best of 3", perConfig[8], "s", "the stage above and two more RunMany calls alternated with the one-by-one runs");
        var separateAccuracies = separate.Select(r => r.Truth!.Accuracy).Order().ToList();
        report.Add(Section, "8 configs one by one: wall", oneByOne, "s", "8 separate Run calls, same process, same uploaded set and statistics; best of 2");
        report.Add(Section, "8 configs one by one: per configuration", oneByOne / 8, "s");
        report.Add(Section, "stepping 8 together: speed-up over one by one", oneByOne / (perConfig[8] * 8), "x");
        rows.Add(["8", "together, best of 3", F(perConfig[8] * 8, "0.00"), F(perConfig[8], "0.000"), "", "", ""]);
        rows.Add(["8", "one by one (8 x Run), best of 2", F(oneByOne, "0.00"), F(oneByOne / 8, "0.000"), "", "",
            $"{separateAccuracies[0]:0.000} / {separateAccuracies[4]:0.000} / {separateAccuracies[^1]:0.000}"]);
        report.Table(Section, ["configs", "how", "wall s", "s per config", "peak RSS MiB", "predicted volume MiB", "accuracy min / median / max"], rows);
        report.Note(Section, $"{n} simulated particles (box {BenchWorkspace.BoxPixels} cropped to {m} at {BenchWorkspace.TargetResolutionAngstrom} A), K = 2, batch {batchPerClass} per class (10 O-EM iterations + 2 full batches); configurations: {SweepConfigs.Describe}.");
        report.Note(Section, $"Particle set held once: {setHostBytes / 1048576.0:0.#} MiB on the host + {setDeviceBytes / 1048576.0:0.#} MiB on the device, shared by every configuration; each configuration adds {(k * perVolumeBytes + perRunBytes) / 1048576.0:0.#} MiB of volumes, and the backprojection's scratch adds 12 B x {m}^3 per volume of one launch (CPU devices' slabs: at most {ClassificationKernels.SlabLaunchVolumes} volumes at a time; GPUs: private partial volumes per run), {kernels.ScratchVolumes(64 * k, k, batchPerClass * k)} volumes at 64 configurations ({kernels.PartialBudgetBytes >> 20} MiB budget).");
        report.Note(Section, $"Noise and consensus statistics ({statisticsSeconds:0.00} s) are computed once per particle set and cached by the engine, so they are in none of the times; one-by-one runs here also share the uploaded set (separate processes would each pay reading, preprocessing and statistics again).");

        long volumeBytes = 8 * voxels;
        long l3 = report.Machine.L3Bytes;
        if (l3 > 0)
            report.Note(Section, $"Cache: one class volume is {volumeBytes / 1048576.0:0.00} MiB ({m}^3 complex floats); the {l3 >> 20} MiB L3 holds {l3 / volumeBytes} of them, i.e. {l3 / volumeBytes / k} configurations of K = 2. The E-step's residual kernel runs volume group by volume group (four volumes at a time, every particle of the batch streaming past them, re-reading the batch's {(long)batchPerClass * k * set.PixelCount * 12 / 1048576.0:0.#} MiB of pixels per group). Backprojection is per run: on CPU devices each work item splats into a z-slab of a group of four volumes (no private partial volumes to zero and reduce, which each iteration used to pay for every volume), so a configuration costs its own splats and little else; on GPUs each volume still has private partials. Left to try: half volumes (Hermitian symmetry) to halve the footprint.");

        string scope = options.Quick ? $" (quick mode: up to {largest})" : "";
        double flatness = counts.Where(c => c > 8).Max(c => perConfig[c]) / perConfig[8];
        report.Target(new BenchTarget($"time per configuration flat from 8 to 256 configurations{scope}", $"t(N) <= 1.15 x t(8) for N up to {largest}",
            string.Join(" / ", counts.Where(c => c >= 8).Select(c => $"{perConfig[c]:0.000}")) + $" s per configuration at {string.Join(" / ", counts.Where(c => c >= 8))}",
            flatness <= 1.15, $"{(flatness - 1.15) * 100:0} points (worst {flatness:0.00} x t(8))"));
        double grown = peaks[largest] - peaks[8];
        double predictedGrowth = Predicted(largest) - Predicted(8);
        double memoryRatio = grown / predictedGrowth;
        report.Target(new BenchTarget($"memory grows only by the per-run volumes (8 -> {largest} configurations)",
            "peak RSS growth <= 1.25 x predicted volume bytes",
            $"{grown / 1048576.0:0} MiB measured vs {predictedGrowth / 1048576.0:0} MiB predicted ({memoryRatio:0.00}x); particle set {(setHostBytes + setDeviceBytes) / 1048576.0:0} MiB held once",
            memoryRatio <= 1.25, $"{(memoryRatio - 1.25) * 100:0} points ({memoryRatio:0.00}x predicted)"));
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
