using System.Diagnostics;
using System.Globalization;
using SweepLab.Compute;
using SweepLab.Engine;
using SweepLab.Engine.Configuration;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Preprocessing;
using SweepLab.Simulation;

namespace SweepLab.Bench;

/// <summary>
/// Section "scale" (issue 13): a set of the size users bring, 100,000 particles of 256 px at 1.1 A/px (SNR 0.1, the
/// compositional preset), simulated to disk in chunks (never whole in memory), then what a sweep does with it: the
/// first preprocessing (read + FFT + crop to 6 A, written to the particle cache), a second load from the cache, one
/// classification (K = 4, target 6 A, the other settings the defaults), the same classification with the set staged
/// from the cache batch by batch (out of core), and 16 configurations stepped together, each
/// with its wall time, throughput and peak resident memory, and the issue's targets as MET or MISSED.
/// <c>--scale-particles N</c> runs another size; <c>--scale-data DIR</c> reuses a set simulated before (the
/// simulation of 100,000 x 256 px takes tens of minutes on 2 cores).
/// </summary>
public static class ScaleBench
{
    public const string Section = "scale";
    public const int BoxPixels = 256;
    public const double PixelSizeAngstrom = 1.1, TargetResolutionAngstrom = 6.0, Snr = 0.1;
    public const int Classes = 4, SweepConfigurations = 16;
    public const double ClassificationGoalSeconds = 300, PeakGoalGigabytes = 12, CacheGoalSpeedup = 10;

    public static void Run(ComputeDevice device, BenchWorkspace workspace, BenchReport report, BenchOptions options)
    {
        int n = options.ScaleParticles ?? (options.Quick ? 5000 : 100_000);
        var settings = new SimulationSettings
        {
            Particles = n, BoxPixels = BoxPixels, PixelSizeAngstrom = PixelSizeAngstrom, Snr = Snr, Seed = BenchWorkspace.SimulationSeed,
        };
        string folder = options.ScaleData ?? Path.Combine(workspace.Root, $"scale-{n}");
        string star = Path.Combine(folder, SimulatedDatasetWriter.StarFileName);
        string stamp = Path.Combine(folder, "bench-settings.txt");
        string wanted = settings.ToString();
        if (!(File.Exists(star) && File.Exists(stamp) && File.ReadAllText(stamp) == wanted))
        {
            double seconds;
            long peak;
            using (var memory = PeakMemory.Start())
            {
                var clock = Stopwatch.StartNew();
                SimulatedDatasetWriter.Simulate(folder, settings);
                seconds = clock.Elapsed.TotalSeconds;
                peak = memory.PeakBytes;
            }
            File.WriteAllText(stamp, wanted);
            report.Add(Section, "simulate (streamed to disk)", n / seconds, "particles/s", $"{seconds:0} s; peak RSS {Gb(peak)} GB for {Gb((long)n * BoxPixels * BoxPixels * 4)} GB of images");
        }
        else report.Note(Section, $"reused the set in {folder} (simulated before with the same settings)");
        var table = RelionParticles.Read(star);
        long stackBytes = new FileInfo(Path.Combine(folder, SimulatedDatasetWriter.StackFileName)).Length;

        // 1. First preprocessing, written to the cache.
        string cache = Path.Combine(workspace.Root, $"scale-cache-{n}");
        if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        PreprocessBench.Evict(Path.Combine(folder, SimulatedDatasetWriter.StackFileName));
        var (preprocess, preprocessPeak, (_, _, cachePath)) = Measure(() => ParticleCache.LoadOrCreate(table, TargetResolutionAngstrom, cache));
        report.Add(Section, "preprocess + write the cache (stack pages evicted)", n / preprocess, "particles/s",
            $"{preprocess:0.0} s, {stackBytes / 1e6 / preprocess:0} MB/s of .mrcs; peak RSS {Gb(preprocessPeak)} GB");

        // 2. Second load, from the cache.
        PreprocessBench.Evict(cachePath);
        // The cache is opened at once (the set reads its file on demand): the row times opening plus one read of every coefficient.
        var (reload, reloadPeak, loaded) = Measure(() =>
        {
            var opened = ParticleCache.LoadOrCreate(table, TargetResolutionAngstrom, cache);
            ReadEveryCoefficient(opened.Set);
            return opened;
        });
        var set = loaded.Set;
        report.Add(Section, "load from the cache (its pages evicted)", n / reload, "particles/s",
            $"{reload:0.00} s, {new FileInfo(cachePath).Length / 1e6 / reload:0} MB/s; peak RSS {Gb(reloadPeak)} GB; set {set.DataBytes / 1e9:0.00} GB ({set.PixelCount} Fourier pixels each)");
        report.Target(new BenchTarget($"{n:#,0} x {BoxPixels} px: second load from the cache vs the first preprocessing", $">= {CacheGoalSpeedup:0}x faster",
            $"{preprocess / reload:0.0}x ({preprocess:0.0} s against {reload:0.00} s)", preprocess / reload >= CacheGoalSpeedup, $"{CacheGoalSpeedup - preprocess / reload:0.0}x"));

        // 3. One classification, K = 4, target 6 A, from the loaded set (upload + statistics + run).
        ClassificationConfig Config(double similarity, HardClassificationSchedule hard) => new()
        {
            ClassCount = Classes, TargetResolutionAngstrom = TargetResolutionAngstrom, Seed = 1, ClassSimilarity = similarity, HardClassification = hard,
        };
        var one = Config(new ClassificationConfig().ClassSimilarity, new HardClassificationSchedule.Off());
        var (classify, classifyPeak, result) = Measure(() =>
        {
            using var kernels = new ClassificationKernels(device);
            kernels.UploadParticles(set);
            return new ClassificationEngine(kernels, new ClassificationInput(set)).Run(one);
        });
        int iterations = result.Iterations.Count;
        report.Add(Section, $"one classification, K = {Classes}, target {TargetResolutionAngstrom} A", classify, "s",
            $"{iterations} iterations, {result.Iterations.Sum(i => i.BatchSize) / classify:#,0} particle-iterations/s; peak RSS {Gb(classifyPeak)} GB (set loaded before: {Gb(reloadPeak)} GB)");
        report.Target(new BenchTarget($"{n:#,0} x {BoxPixels} px, K = {Classes}, {TargetResolutionAngstrom} A: one classification", $"<= {ClassificationGoalSeconds:0} s on this machine",
            $"{classify:0} s ({iterations} iterations)", classify <= ClassificationGoalSeconds, $"{classify - ClassificationGoalSeconds:0} s"));
        report.Target(new BenchTarget($"{n:#,0} x {BoxPixels} px: peak memory of one classification", $"<= {PeakGoalGigabytes:0} GB",
            $"{Gb(classifyPeak)} GB resident", classifyPeak / 1e9 <= PeakGoalGigabytes, $"{classifyPeak / 1e9 - PeakGoalGigabytes:0.0} GB"));

        // 3b. The same classification with the set staged batch by batch (a particle budget of a quarter of the set).
        long budget = ClassificationKernels.ResidentBytes(set) / 4;
        var (staged, stagedPeak, stagedResult) = Measure(() =>
        {
            using var kernels = new ClassificationKernels(device) { ParticleBudgetBytes = budget };
            kernels.UploadParticles(set);
            return new ClassificationEngine(kernels, new ClassificationInput(set)).Run(one);
        });
        bool same = stagedResult.Assignments.AsSpan().SequenceEqual(result.Assignments) && stagedResult.Posteriors.AsSpan().SequenceEqual(result.Posteriors);
        report.Add(Section, $"the same classification staged (particle budget {Gb(budget)} GB, a quarter of the set)", staged, "s",
            $"{staged / classify:0.00}x the resident time; peak RSS {Gb(stagedPeak)} GB against {Gb(classifyPeak)} GB; results {(same ? "bit-identical" : "DIFFERENT")}");

        // 4. 16 configurations stepped together: class similarity x hard classification, one batch schedule.
        HardClassificationSchedule[] hards = [new HardClassificationSchedule.Off(), new HardClassificationSchedule.On(), new HardClassificationSchedule.SoftThenHardAtAnnealEnd(), new HardClassificationSchedule.HardThenSoft(4)];
        var configs = Enumerable.Range(0, SweepConfigurations).Select(i => Config(0.2 + 0.2 * (i % 4), hards[i / 4])).ToList();
        var (sweep, sweepPeak, _) = Measure(() =>
        {
            using var kernels = new ClassificationKernels(device);
            kernels.UploadParticles(set);
            return new ClassificationEngine(kernels, new ClassificationInput(set)).RunMany(configs);
        });
        report.Add(Section, $"{SweepConfigurations} configurations stepped together", sweep, "s",
            $"{sweep / SweepConfigurations:0.0} s per configuration ({sweep / SweepConfigurations / classify:0.00} of one alone); peak RSS {Gb(sweepPeak)} GB");
        report.Table(Section, ["stage", "wall s", "particles/s", "peak RSS GB"],
        [
            ["preprocess + write the cache", F(preprocess, "0.0"), F(n / preprocess, "#,0"), Gb(preprocessPeak)],
            ["load from the cache", F(reload, "0.00"), F(n / reload, "#,0"), Gb(reloadPeak)],
            [$"one classification (K = {Classes}, {TargetResolutionAngstrom} A, {iterations} iterations)", F(classify, "0"), F(result.Iterations.Sum(i => i.BatchSize) / classify, "#,0"), Gb(classifyPeak)],
            [$"one classification staged (budget {Gb(budget)} GB)", F(staged, "0"), F(stagedResult.Iterations.Sum(i => i.BatchSize) / staged, "#,0"), Gb(stagedPeak)],
            [$"{SweepConfigurations} configurations together", F(sweep, "0"), F(SweepConfigurations * result.Iterations.Sum(i => i.BatchSize) / sweep, "#,0"), Gb(sweepPeak)],
        ]);
        report.Note(Section, $"{n:#,0} particles of {BoxPixels} x {BoxPixels} px at {PixelSizeAngstrom} A/px ({stackBytes / 1e9:0.0} GB .mrcs), SNR {Snr}, SweepLab's compositional preset (2 true classes; K = {Classes} is about speed), cropped at {TargetResolutionAngstrom} A; device {device}; peak RSS covers PoCL's buffers (host memory).");
        report.Note(Section, $"sweep configurations: class_similarity {{0.2, 0.4, 0.6, 0.8}} x hard_classification {{off, on, soft_then_hard:anneal_end, hard_then_soft:4}}, seed 1, one batch schedule (stepped together by RunMany).");
    }

    private static (double Seconds, long PeakBytes, T Value) Measure<T>(Func<T> action)
    {
        using var memory = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var value = action();
        return (clock.Elapsed.TotalSeconds, memory.PeakBytes, value);
    }

    /// <summary>Reads every coefficient once through a bounded buffer, as an upload does.</summary>
    private static void ReadEveryCoefficient(Core.Particles.ParticleSet set)
    {
        int per = Math.Max(1, (1 << 24) / (set.PixelCount * 2));
        var buffer = new float[per * set.PixelCount * 2];
        for (int first = 0; first < set.Count; first += per) set.CopyRows(first, Math.Min(per, set.Count - first), buffer);
    }

    private static string Gb(long bytes) => (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
