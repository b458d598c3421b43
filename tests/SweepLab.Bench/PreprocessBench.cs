using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using SweepLab.Core.Particles;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Preprocessing;
using SweepLab.Formats.Star;
using SweepLab.TestSupport.Star;

namespace SweepLab.Bench;

/// <summary>
/// Section 4: preprocessing throughput (read + FFT + origin shift + crop, <see cref="ParticleSetLoader.Load"/>) on the
/// simulated STAR/MRCS against the raw sequential read speed of the same .mrcs, each twice: with the file's pages
/// evicted from the page cache first (posix_fadvise DONTNEED after fsync; the system-wide drop_caches needs a
/// privileged host) and from the page cache (median of 3). The in-memory transform alone is measured too. And the
/// particle table: a 4,000-row Refine3D STAR file parsed and read as particles against a raw read of the same file.
/// </summary>
public static partial class PreprocessBench
{
    public const string Section = "preprocess";

    /// <summary>Rows of the particle STAR file, whatever the mode: the targets are about a 4,000-particle table.</summary>
    public const int StarRows = 4000;

    /// <summary>Goal for parsing, and for reading as particles, the 4,000-row file (a unit-test limit before issue 17).</summary>
    public const double StarGoalMilliseconds = 100;

    public static void Run(BenchWorkspace workspace, BenchReport report, BenchOptions options)
    {
        int n = options.Quick ? 1000 : 4000;
        var dataset = workspace.Dataset(n);
        long fileBytes = new FileInfo(dataset.StackPath).Length;
        double megabytes = fileBytes / 1e6;
        var buffer = new byte[1 << 20];
        void ReadRaw()
        {
            using var stream = new FileStream(dataset.StackPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            while (stream.Read(buffer, 0, buffer.Length) > 0) { }
        }
        var table = RelionParticles.Read(dataset.StarPath);
        void Load() => BenchSink.Value = ParticleSetLoader.Load(table, BenchWorkspace.TargetResolutionAngstrom).Coefficients(0)[0];

        bool evicted = Evict(dataset.StackPath);
        double coldRead = Once(ReadRaw);
        Evict(dataset.StackPath);
        double coldLoad = Once(Load);
        var warmRead = Timing.Measure(ReadRaw, 1, 3);
        var warmLoad = Timing.Measure(Load, 1, 3);
        var set = dataset.ToParticleSet(BenchWorkspace.TargetResolutionAngstrom);
        var images = dataset.Simulated.Images;
        var transform = Timing.Measure(() => BenchSink.Value = ParticleImages.ToParticleSet(images, dataset.Settings.BoxPixels,
            dataset.Settings.PixelSizeAngstrom, dataset.Simulated.Particles, BenchWorkspace.TargetResolutionAngstrom).Coefficients(0)[0], 1, 3);

        FftComparison.Run(report, options, Section);
        var cacheRows = CacheRows(workspace, report, table, n, coldLoad);

        string evictNote = evicted ? "file pages evicted with posix_fadvise(DONTNEED) first" : "eviction failed: this is a cached read";
        report.Add(Section, "raw sequential read, evicted", n / coldRead, "particles/s", $"{megabytes / coldRead:0} MB/s; {evictNote}");
        report.Add(Section, "raw sequential read, page cache", n / warmRead.MedianSeconds, "particles/s", $"{megabytes / warmRead.MedianSeconds:0} MB/s; {warmRead.Describe}");
        report.Add(Section, "read + FFT + crop (ParticleSetLoader), evicted", n / coldLoad, "particles/s", $"{megabytes / coldLoad:0} MB/s of .mrcs; {evictNote}");
        report.Add(Section, "read + FFT + crop (ParticleSetLoader), page cache", n / warmLoad.MedianSeconds, "particles/s", $"{megabytes / warmLoad.MedianSeconds:0} MB/s of .mrcs; {warmLoad.Describe}");
        report.Add(Section, "FFT + crop from memory (ParticleImages.ToParticleSet)", n / transform.MedianSeconds, "particles/s", transform.Describe);
        report.Add(Section, "preprocessing / raw read speed, evicted", coldRead / coldLoad, "ratio");
        report.Add(Section, "preprocessing / raw read speed, page cache", warmRead.MedianSeconds / warmLoad.MedianSeconds, "ratio");
        var starRows = StarTable(workspace, report);
        report.Table(Section, ["what", "particles/s", "MB/s of the file", "vs raw read of the file"],
        [
            ["raw sequential read of the .mrcs (1 MiB buffers), pages evicted", F(n / coldRead, "#,0"), F(megabytes / coldRead, "0"), "1"],
            ["read + FFT + crop (ParticleSetLoader.Load), pages evicted", F(n / coldLoad, "#,0"), F(megabytes / coldLoad, "0"), F(coldRead / coldLoad, "0.00")],
            ["raw sequential read of the .mrcs, page cache", F(n / warmRead.MedianSeconds, "#,0"), F(megabytes / warmRead.MedianSeconds, "0"), "1"],
            ["read + FFT + crop, page cache", F(n / warmLoad.MedianSeconds, "#,0"), F(megabytes / warmLoad.MedianSeconds, "0"), F(warmRead.MedianSeconds / warmLoad.MedianSeconds, "0.00")],
            ["FFT + crop only, from memory", F(n / transform.MedianSeconds, "#,0"), "", ""],
            .. cacheRows,
            .. starRows,
        ]);
        report.Note(Section, $"{n} particles of {dataset.Settings.BoxPixels} x {dataset.Settings.BoxPixels} float32 ({megabytes:0.#} MB .mrcs), cropped at {BenchWorkspace.TargetResolutionAngstrom} A to {set.PixelCount} Fourier pixels each; {Environment.ProcessorCount} cores (the loader transforms in parallel, reads sequentially).");
        report.Note(Section, $"STAR rows: a RELION 3.1 Refine3D-style particle file of {StarRows:#,0} rows (the one the Formats tests check for values), medians of 5 from the page cache after a warm-up; the parse reads text already in memory, RelionParticles.Read the file.");
        report.Note(Section, "Cold reads: the system-wide page cache cannot be dropped here (/proc/sys/vm/drop_caches needs a privileged host), so the stack's own pages are evicted with fsync + posix_fadvise(POSIX_FADV_DONTNEED); a hypervisor or disk cache below the VM may still serve them, so 'evicted' is an upper bound on cold speed. Evicted figures are single runs; page-cache figures are the median of 3 after a warm-up.");
    }

    /// <summary>
    /// The particle table of a 4,000-particle Refine3D STAR file (30 columns): raw read of its bytes, StarReader.Parse
    /// of its text from memory, and RelionParticles.Read from the file (parse + particles), each the median of 5 from
    /// the page cache after a warm-up; returns the rows of the section's table.
    /// </summary>
    private static List<string[]> StarTable(BenchWorkspace workspace, BenchReport report)
    {
        string path = Path.Combine(workspace.Root, $"refine3d-{StarRows}.star");
        Directory.CreateDirectory(workspace.Root);
        File.WriteAllText(path, Refine3DStar.Text(StarRows));
        string text = File.ReadAllText(path);
        double megabytes = new FileInfo(path).Length / 1e6;
        var raw = Timing.Measure(() => BenchSink.Value = File.ReadAllBytes(path)[0], 1, 5);
        var parse = Timing.Measure(() => BenchSink.Value = StarReader.Parse(text, path).Blocks.Count, 1, 5);
        var read = Timing.Measure(() => BenchSink.Value = RelionParticles.Read(path).Count, 1, 5);
        string what = $"{StarRows:#,0}-row STAR ({Refine3DStar.ParticleColumns} columns, {megabytes:0.0} MB)";
        report.Add(Section, $"STAR, {StarRows:#,0} rows: raw read (File.ReadAllBytes)", raw.MedianSeconds * 1e3, "ms", $"{what}, page cache; {raw.Describe}");
        report.Add(Section, $"STAR, {StarRows:#,0} rows: StarReader.Parse from memory", parse.MedianSeconds * 1e3, "ms", parse.Describe);
        report.Add(Section, $"STAR, {StarRows:#,0} rows: RelionParticles.Read from file", read.MedianSeconds * 1e3, "ms", read.Describe);
        report.Add(Section, "STAR parse / raw read speed", raw.MedianSeconds / parse.MedianSeconds, "ratio");
        report.Add(Section, "STAR read as particles / raw read speed", raw.MedianSeconds / read.MedianSeconds, "ratio");
        BenchTarget Target(string name, Timing timing) => new(name, $"< {StarGoalMilliseconds:0} ms (median of {timing.Repeats})",
            $"{timing.MedianSeconds * 1e3:0.0} ms (min {timing.MinSeconds * 1e3:0.0}); raw read of the file {raw.MedianSeconds * 1e3:0.00} ms",
            timing.MedianSeconds * 1e3 < StarGoalMilliseconds, $"{timing.MedianSeconds * 1e3 - StarGoalMilliseconds:0.0} ms");
        report.Target(Target($"parse {StarRows:#,0} STAR rows x {Refine3DStar.ParticleColumns} columns (StarReader.Parse)", parse));
        report.Target(Target($"read {StarRows:#,0} particles from a STAR file (RelionParticles.Read)", read));
        return
        [
            [$"raw read of a {what}, page cache", F(StarRows / raw.MedianSeconds, "#,0"), F(megabytes / raw.MedianSeconds, "0"), "1"],
            [$"StarReader.Parse of its text, from memory ({parse.MedianSeconds * 1e3:0.0} ms)", F(StarRows / parse.MedianSeconds, "#,0"), F(megabytes / parse.MedianSeconds, "0"), F(raw.MedianSeconds / parse.MedianSeconds, "0.000")],
            [$"RelionParticles.Read of the file ({read.MedianSeconds * 1e3:0.0} ms)", F(StarRows / read.MedianSeconds, "#,0"), F(megabytes / read.MedianSeconds, "0"), F(raw.MedianSeconds / read.MedianSeconds, "0.000")],
        ];
    }

    /// <summary>
    /// The preprocessed-particle cache (<see cref="ParticleCache"/>): the first LoadOrCreate (preprocess + write the
    /// cache) against a second load from it, with the cache file's pages evicted and from the page cache. Target (issue
    /// 13): a second load at least 10x faster than the first preprocessing (from evicted pages, the honest cold case).
    /// </summary>
    private static List<string[]> CacheRows(BenchWorkspace workspace, BenchReport report, ParticleTable table, int n, double coldLoad)
    {
        string folder = Path.Combine(workspace.Root, "particle-cache");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        double target = BenchWorkspace.TargetResolutionAngstrom;
        string path = "";
        double create = Once(() => path = ParticleCache.LoadOrCreate(table, target, folder).Path);
        double megabytes = new FileInfo(path).Length / 1e6;
        bool evicted = Evict(path);
        double coldCache = Once(() => BenchSink.Value = ParticleCache.LoadOrCreate(table, target, folder).Set.ToArray()[0]);
        var warmCache = Timing.Measure(() => BenchSink.Value = ParticleCache.LoadOrCreate(table, target, folder).Set.ToArray()[0], 1, 3);
        report.Add(Section, "first load with a cache (preprocess + write the cache)", n / create, "particles/s", $"{megabytes:0.#} MB cache file");
        report.Add(Section, "load from the particle cache, evicted", n / coldCache, "particles/s", $"{megabytes / coldCache:0} MB/s{(evicted ? "" : "; eviction failed: a cached read")}");
        report.Add(Section, "load from the particle cache, page cache", n / warmCache.MedianSeconds, "particles/s", warmCache.Describe);
        double speedup = coldLoad / coldCache;
        report.Add(Section, "cache load (evicted) vs preprocessing (evicted)", speedup, "x faster");
        report.Target(new BenchTarget("second load from the particle cache vs the first preprocessing (issue 13)", ">= 10x faster",
            $"{speedup:0.0}x: {coldLoad:0.00} s to preprocess (stack pages evicted; {create:0.00} s with writing the cache), {coldCache:0.000} s to load it (its pages evicted), {warmCache.MedianSeconds:0.000} s from the page cache",
            speedup >= 10, $"{10 - speedup:0.0}x short"));
        return
        [
            ["first load with a cache: read + FFT + crop + write the cache", F(n / create, "#,0"), "", ""],
            [$"load from the cache ({megabytes:0.#} MB), pages evicted", F(n / coldCache, "#,0"), F(megabytes / coldCache, "0"), ""],
            ["load from the cache, page cache", F(n / warmCache.MedianSeconds, "#,0"), F(megabytes / warmCache.MedianSeconds, "0"), ""],
        ];
    }

    private static double Once(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Drops the file's clean pages from the page cache (after writing back dirty ones); false if refused.</summary>
    internal static bool Evict(string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        int fd = (int)handle.DangerousGetHandle();
        if (Native.fsync(fd) != 0) return false;
        return Native.posix_fadvise(fd, 0, 0, Native.PosixFadvDontNeed) == 0;
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static partial class Native
    {
        public const int PosixFadvDontNeed = 4;

        [LibraryImport("libc", SetLastError = true)]
        internal static partial int fsync(int fd);

        [LibraryImport("libc")]
        internal static partial int posix_fadvise(int fd, long offset, long length, int advice);
    }
}
