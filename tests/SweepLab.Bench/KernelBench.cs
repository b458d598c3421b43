using System.Globalization;
using SweepLab.Compute;
using SweepLab.Compute.Kernels;
using SweepLab.Core.Particles;

namespace SweepLab.Bench;

/// <summary>
/// Section 1: the hot kernels (E-step residuals, weighted backprojection) on the device against the in-process
/// roofline reference, on the issue's particle set (64 px cropped at 8 A) with K = 2 and K = 8 volumes.
/// </summary>
/// <remarks>
/// Flop counts per pixel i inside the slice radius and volume v (an FMA counts 2, as the reference counts it):
/// <list type="bullet">
/// <item>Residual: 47 = trilinear gather of a complex value (2 x 19) + |X - CTF M|^2 (7) x 1/sigma^2 (1) + sum (1);
/// plus 22 per pixel per group of 4 volumes (rotation 9, stencil 6, weights 7), shared by the group; 9 for a
/// pixel outside the radius (model 0). Unused slots of a group of 4 are not counted.</item>
/// <item>Backprojection: 86 = rotation 9 + W*CTF*X, W*CTF^2 (4) + one splat at q of 73 (the mate at -q is added per voxel by the reduction) (stencil 6,
/// corner weights 19, 8 corners x 3 products and 3 sums); the reduction (and the Hermitian mate) adds 3 per voxel per scratch volume.</item>
/// </list>
/// Streamed bytes: the particle pixels (8 B) and CTF table (4 B) per pixel, once per pass over a particle (the
/// residual kernel reads a particle once per group of 4 volumes, backprojection once per volume); backprojection
/// also zeroes and reduces its scratch volumes (12 B per voxel each way: one accumulation volume per volume with the
/// CPU devices' slabs, a private partial volume per work item on GPUs). Volume gathers and splats hit
/// caches and are not counted as streamed bytes; they are what keeps the kernels from the roof.
/// </remarks>
public static class KernelBench
{
    public const string Section = "kernels";
    public const int ResidualFlopsPerPixelVolume = 47;
    public const int ResidualFlopsPerPixelGroup = 22;
    public const int ResidualFlopsOutsideRadius = 9;
    public const int BackprojectFlopsPerPixelVolume = 86;
    /// <summary>Volumes one residual work item scores together (KernelBodies.ResidualGroup, internal to Compute).</summary>
    public const int ResidualGroup = 4;

    private const string GatherRoofPrefix = "C# gather roof";
    private const string ScatterRoofPrefix = "C# scatter roof";

    /// <summary>The hot kernels' target against the gather/scatter roof (issue 13).</summary>
    public const double GatherScatterTarget = 0.5;

    public static void Run(ComputeDevice device, BenchWorkspace workspace, BenchReport report, BenchOptions options)
    {
        int n = options.Quick ? 1000 : 4000;
        var dataset = workspace.Dataset(n);
        var set = dataset.ToParticleSet(BenchWorkspace.TargetResolutionAngstrom);
        using var kernels = new ClassificationKernels(device);
        kernels.UploadParticles(set);
        int m = kernels.Box, pixels = set.PixelCount;
        int inside = 0;
        for (int p = 0; p < pixels; p++)
            if (KernelMath.InsideSlice(set.Grid.KxValues[p], set.Grid.KyValues[p], m)) inside++;
        Console.WriteLine($"  kernels: {n} particles, box {BenchWorkspace.BoxPixels} -> {m} at {BenchWorkspace.TargetResolutionAngstrom} A, {pixels} kept pixels ({inside} inside the slice radius), device {device}");

        var trueVolumes = dataset.TrueVolumes(m);
        var batch = Enumerable.Range(0, n).ToArray();
        var invSigma2 = new float[kernels.ShellCount];
        Array.Fill(invSigma2, 1f);
        var cases = new List<BenchCase>();
        var stacks = new List<IDisposable>();
        try
        {
            foreach (int v in new[] { 2, 8 })
            {
                var volumes = kernels.CreateVolumes(v);
                var sums = kernels.CreateSums(v);
                stacks.Add(volumes);
                stacks.Add(sums);
                for (int j = 0; j < v; j++) volumes.UploadVolume(j, trueVolumes[j % trueVolumes.Count]);
                var indices = Enumerable.Range(0, v).ToArray();
                var residuals = new float[(long)n * v];
                var weights = new float[(long)n * v];
                Array.Fill(weights, 1f / v); // soft assignments: every (particle, class) pair is backprojected
                int groups = (v + ResidualGroup - 1) / ResidualGroup;
                long partials = kernels.ScratchVolumes(v, v, n) / v; // scratch volumes per volume: 1 with slabs
                long voxels = (long)m * m * m;
                cases.Add(new BenchCase($"residual K={v}", () => kernels.Residuals(batch, indices, volumes, invSigma2, residuals),
                    Flops: (double)n * (v * ((double)inside * ResidualFlopsPerPixelVolume + (double)(pixels - inside) * ResidualFlopsOutsideRadius)
                                        + (double)groups * inside * ResidualFlopsPerPixelGroup),
                    Bytes: (double)n * groups * pixels * 12, Volumes: v, Evaluations: (double)n * v * inside));
                cases.Add(new BenchCase($"backproject K={v}", () => kernels.Backproject(batch, weights, sums),
                    Flops: (double)n * v * inside * BackprojectFlopsPerPixelVolume + 3.0 * partials * v * voxels,
                    Bytes: (double)n * v * pixels * 12 + 2.0 * partials * v * voxels * 12 + v * voxels * 12, Volumes: v,
                    Evaluations: (double)n * v * inside));
            }

            // The gather/scatter roof: the same poses and pixels (cut to its radius) on L2-resident volumes.
            var geometry = GatherScatterRoof.Geometry.From(set.RotationsAsFloats(), n, set.Grid.KxValues, set.Grid.KyValues);
            var roofVolumes = GatherScatterRoof.GatherVolumes();
            var roofBlocks = GatherScatterRoof.ScatterVolumes();
            foreach (int group in new[] { 2, GatherScatterRoof.Volumes })
            {
                int g = group;
                string per = $", {g} volumes per stencil";
                if (GatherScatterRoof.VectorGatherAvailable)
                    cases.Add(new BenchCase($"{GatherRoofPrefix} (AVX2 gathers{per})", () => BenchSink.Value = GatherScatterRoof.GatherVector(geometry, roofVolumes, g),
                        Flops: 0, Bytes: 0, Volumes: 0, Evaluations: geometry.Evaluations(g), RoofVolumesPerStencil: g));
                cases.Add(new BenchCase($"{GatherRoofPrefix} (scalar{per})", () => BenchSink.Value = GatherScatterRoof.GatherScalar(geometry, roofVolumes, g),
                    Flops: 0, Bytes: 0, Volumes: 0, Evaluations: geometry.Evaluations(g), RoofVolumesPerStencil: g));
                cases.Add(new BenchCase($"{ScatterRoofPrefix} (scalar{per})", () => BenchSink.Value = GatherScatterRoof.Scatter(geometry, roofBlocks, g),
                    Flops: 0, Bytes: 0, Volumes: 0, Evaluations: geometry.Evaluations(g), RoofVolumesPerStencil: g));
                cases.Add(new BenchCase($"{ScatterRoofPrefix} (complex pairs{per})", () => BenchSink.Value = GatherScatterRoof.ScatterPairs(geometry, roofBlocks, g),
                    Flops: 0, Bytes: 0, Volumes: 0, Evaluations: geometry.Evaluations(g), RoofVolumesPerStencil: g));
            }

            // The reference streams arrays the size of the uploaded particle data (pixels + CTF table).
            long floats = (long)n * pixels * 3;
            var data = new float[floats];
            for (long i = 0; i < floats; i++) data[i] = (i % 97) * 1e-3f;
            long counted = floats & ~63L;
            var widths = RooflineReference.WideAvailable ? new[] { false, true } : new[] { false };
            foreach (bool wide in widths)
            {
                string lanes = wide ? "Vector512" : "Vector256";
                cases.Add(new BenchCase($"C# FMA compute roof ({lanes})", () => BenchSink.Value = RooflineReference.ComputeRoof(data, wide),
                    Flops: RooflineReference.ComputeFlops(counted), Bytes: counted * 4.0, Volumes: 0));
                cases.Add(new BenchCase($"C# FMA stream roof ({lanes})", () => BenchSink.Value = RooflineReference.StreamRoof(data, wide),
                    Flops: RooflineReference.StreamFlops(counted), Bytes: counted * 4.0, Volumes: 0));
            }

            int warmups = 1, repeats = options.Quick ? 3 : 7;
            var timings = options.Harness == Harness.BenchmarkDotNet
                ? BdnHarness.Measure(cases, warmups, repeats, options.OutputDirectory)
                : cases.ToDictionary(c => c.Name, c => Timing.Measure(() => c.Action(), warmups, repeats));
            string how = options.Harness == Harness.BenchmarkDotNet
                ? $"BenchmarkDotNet in-process, monitoring strategy, {warmups} warm-up + median of {repeats}"
                : $"Stopwatch, {warmups} warm-up + median of {repeats}";
            Analyse(cases, timings, report, how, n, m, pixels, inside, device);
        }
        finally
        {
            foreach (var stack in stacks) stack.Dispose();
        }
    }

    private static void Analyse(List<BenchCase> cases, IReadOnlyDictionary<string, Timing> timings, BenchReport report, string how,
        int n, int m, int pixels, int inside, ComputeDevice device)
    {
        double Gflops(BenchCase c) => c.Flops / timings[c.Name].MedianSeconds / 1e9;
        double Gbs(BenchCase c) => c.Bytes / timings[c.Name].MedianSeconds / 1e9;
        var computeRoofs = cases.Where(c => c.Name.StartsWith("C# FMA compute", StringComparison.Ordinal)).ToList();
        var streamRoofs = cases.Where(c => c.Name.StartsWith("C# FMA stream", StringComparison.Ordinal)).ToList();
        double peak = computeRoofs.Max(Gflops), bandwidth = streamRoofs.Max(Gbs);
        foreach (var c in computeRoofs) report.Add(Section, $"{c.Name} GFLOP/s", Gflops(c), "GFLOP/s", timings[c.Name].Describe);
        foreach (var c in streamRoofs) report.Add(Section, $"{c.Name} GB/s", Gbs(c), "GB/s", timings[c.Name].Describe);

        double Rate(BenchCase c) => c.Evaluations / timings[c.Name].MedianSeconds;
        var gatherRoofs = cases.Where(c => c.Name.StartsWith(GatherRoofPrefix, StringComparison.Ordinal)).ToList();
        var scatterRoofs = cases.Where(c => c.Name.StartsWith(ScatterRoofPrefix, StringComparison.Ordinal)).ToList();
        foreach (var c in gatherRoofs.Concat(scatterRoofs))
            report.Add(Section, $"{c.Name} pixel-volume evaluations per s", Rate(c) / 1e9, "G/s", timings[c.Name].Describe);
        // The residual kernel interpolates (gathers); backprojection splats (scatters); each against the faster way of
        // the roof with as many volumes per stencil as the kernel shares (min(K, 4)).
        bool IsGather(BenchCase c) => c.Name.StartsWith("residual", StringComparison.Ordinal);
        double AccessRoof(BenchCase c) => (IsGather(c) ? gatherRoofs : scatterRoofs)
            .Where(r => r.RoofVolumesPerStencil == Math.Min(c.Volumes, GatherScatterRoof.Volumes)).Max(Rate);
        double AccessFraction(BenchCase c) => Rate(c) / AccessRoof(c);

        var rows = new List<string[]>();
        foreach (var c in cases.Where(c => c.Volumes > 0))
        {
            var t = timings[c.Name];
            double intensity = c.Flops / c.Bytes;
            double roof = Math.Min(peak, intensity * bandwidth);
            double fraction = Gflops(c) / roof;
            report.Add(Section, $"{c.Name} time", t.MedianSeconds * 1e3, "ms", t.Describe);
            report.Add(Section, $"{c.Name} GFLOP/s", Gflops(c), "GFLOP/s", "flops counted as in KernelBench's remarks");
            report.Add(Section, $"{c.Name} GB/s", Gbs(c), "GB/s", "streamed particle pixels + CTF (+ scratch volumes)");
            report.Add(Section, $"{c.Name} fraction of roofline", fraction, "ratio", $"min(peak {peak:0.#} GFLOP/s, {intensity:0.#} flop/B x {bandwidth:0.#} GB/s)");
            report.Add(Section, $"{c.Name} pixel-volume evaluations per s", Rate(c) / 1e9, "G/s", "kept pixels inside the slice radius x volumes");
            report.Add(Section, $"{c.Name} fraction of gather/scatter roof", AccessFraction(c), "ratio",
                $"{Rate(c) / 1e9:0.000} G/s against the C# {(IsGather(c) ? "gather" : "scatter")} roof's {AccessRoof(c) / 1e9:0.000} G/s at {Math.Min(c.Volumes, GatherScatterRoof.Volumes)} volumes per stencil");
            rows.Add([c.Name, F(t.MedianSeconds * 1e3, "0.0"), F(Gflops(c), "0.0"), F(Gbs(c), "0.00"), F(intensity, "0"), F(roof, "0.0"), F(fraction * 100, "0") + "%",
                F(Rate(c) / 1e9, "0.000"), F(AccessRoof(c) / 1e9, "0.000"), F(AccessFraction(c) * 100, "0") + "%"]);
        }
        foreach (var c in computeRoofs.Concat(streamRoofs))
            rows.Add([c.Name, F(timings[c.Name].MedianSeconds * 1e3, "0.0"), F(Gflops(c), "0.0"), F(Gbs(c), "0.00"), F(c.Flops / c.Bytes, "0.##"), "", "", "", "", ""]);
        foreach (var c in gatherRoofs.Concat(scatterRoofs))
            rows.Add([c.Name, F(timings[c.Name].MedianSeconds * 1e3, "0.0"), "", "", "", "", "", F(Rate(c) / 1e9, "0.000"), "", ""]);
        report.Table(Section, ["kernel", "ms", "GFLOP/s", "GB/s", "flop/B", "roofline GFLOP/s", "of roofline", "G evaluations/s", "gather/scatter roof G/s", "of gather/scatter roof"], rows);
        report.Note(Section, $"{n} particles, box {BenchWorkspace.BoxPixels} cropped to {m} at {BenchWorkspace.TargetResolutionAngstrom} A: {pixels} kept Fourier pixels per particle ({inside} inside the slice radius M/2 - 1); all particles in one batch; backprojection with soft weights 1/K (every pair splatted); device {device}.");
        report.Note(Section, $"Flops per pixel-volume: residual {ResidualFlopsPerPixelVolume} (complex trilinear gather 38, weighted squared residual 9) + {ResidualFlopsPerPixelGroup} per pixel per group of 4 volumes (rotation, stencil, corner weights); backprojection {BackprojectFlopsPerPixelVolume} (rotation 9, weighting 4, one trilinear splat of 73; the Hermitian mate is added per voxel in the reduction, not counted). An FMA counts 2 flops.");
        report.Note(Section, "GB/s counts only streamed bytes (particle pixels 8 B + CTF 4 B per pixel, per pass; backprojection also its scratch volumes); the volume gathers/splats run from cache and are not counted. Roofline = min(C# FMA peak, intensity x C# stream bandwidth), the C# loops run over arrays the size of the uploaded particle data in the same process.");
        report.Note(Section, $"Gather/scatter roof: plain C# over the same poses and pixels (cut to radius {GatherScatterRoof.Box / 2 - 1}), on 2 or 4 volumes of a {GatherScatterRoof.Box + 2}^3 grid per stencil that stay in each core's L2 ({report.Machine.L2BytesPerCore >> 10} KiB): per pixel the rotation and stencil once, then per volume 8 complex corners read and interpolated (gather; AVX2 gathers over 8 pixels, and scalar) or a complex value and a weight added into 8 corners of the core's own volumes (scatter; scalar, and the complex pair as one 8-byte add; .NET exposes no scatter instruction). One evaluation = one pixel of one volume, the kernels' unit; the residual kernel is set against the faster gather roof, backprojection against the faster scatter roof, each with as many volumes per stencil as the kernel shares (2 at K = 2, 4 at K = 8). It is the fastest plain C# written here for the access pattern, not a proven bound: backprojection of 8 volumes has matched or passed the scatter roof (which varied up to 2x from one process to the next on this 2-vCPU machine), so there the roof says only that the kernel runs at the C# reference's speed; counting stores instead (8 complex pairs and 8 weights per pixel-volume, one store per cycle per core) bounds the splat at about 0.33 G/s on 2 cores at 2.6 GHz.");
        report.Note(Section, $"Timing: {how}.");
        report.Note(Section, "No ILGPU streaming-loop reference: the device's accelerator is internal to SweepLab.Compute, so the bench cannot launch its own kernel on it without a src change (DESIGN.md measured ILGPU-on-PoCL at 53 GFLOP/s against 52 for the C# loop on an E-step-like stream).");

        var kernelCases = cases.Where(c => c.Volumes > 0).ToList();
        var residual = kernelCases.Where(c => c.Name.StartsWith("residual", StringComparison.Ordinal)).MaxBy(c => c.Volumes)!;
        var backproject = kernelCases.Where(c => c.Name.StartsWith("backproject", StringComparison.Ordinal)).MaxBy(c => c.Volumes)!;
        double residualEvaluations = (double)n * residual.Volumes * inside / timings[residual.Name].MedianSeconds;
        double splatUpdates = (double)n * backproject.Volumes * inside * 16 / timings[backproject.Name].MedianSeconds;
        report.Note(Section, $"Why the kernels sit far below the roof: they are bound by irregular memory access and the scalar work around each access (one work item per group: PoCL cannot vectorise across work items), not by flops or streaming. The residual kernel makes 16 scattered volume loads per pixel-volume ({residualEvaluations / 1e9:0.00} G evaluations/s = {16 * residualEvaluations / 1e9:0.0} G loads/s on {Environment.ProcessorCount} cores at {residual.Name}); backprojection makes 16 corner read-modify-writes of 3 floats per pixel-volume ({splatUpdates / 1e9:0.00} G/s at {backproject.Name}); on CPU devices each work item owns a z-slab of a group of 4 volumes (two or more slabs per volume, {12.0 * m * m * m / 1048576:0.0} MiB per volume, against a {report.Machine.L2BytesPerCore >> 10} KiB L2), sharing each pixel's rotation and stencil among the 4, one work item per group, so PoCL cannot vectorise it. Cache-sized slabs (4-12 planes of one volume at box 94) measured 1.2-1.7x slower than two per volume: per pixel-volume the scalar work (about 25 ns: rotation, stencil, eight corner updates) bounds it, not the memory. Backprojection adds each complex numerator as one 8-byte element (a 2-wide load, add and store on PoCL). Tried and dropped (2026-12-08): a loop-free residual kernel, one work item per (pixel, entry, group of 4 volumes) writing per-pixel terms that a second kernel sums, which PoCL did vectorise over the work group's pixels (AVX-512 gathers) but which measured slower (K = 2 62 -> 72 ms, K = 8 155 -> 175-190 ms); reading each corner's complex value as one 8-byte element in the residual kernel (K = 8 152 -> 170 ms); eight volumes per residual work item instead of four (K = 8 154-156 -> 168-182 ms); four class volumes interleaved per voxel, so one cache line holds a corner of all four (K = 8 155 -> 167 ms); and the slab sums as 16-byte voxel records, one load and one store per corner (within the noise). Candidates left: splat more volumes per stencil (slab groups of 8 instead of 4) and store and splat Hermitian half volumes.");
        var worst = kernelCases.MinBy(c => Gflops(c) / Math.Min(peak, c.Flops / c.Bytes * bandwidth))!;
        double worstFraction = Gflops(worst) / Math.Min(peak, worst.Flops / worst.Bytes * bandwidth);
        string all = string.Join(", ", kernelCases.Select(c => $"{c.Name} {100 * Gflops(c) / Math.Min(peak, c.Flops / c.Bytes * bandwidth):0}%"));
        report.Target(new BenchTarget("hot kernels >= 70% of the in-process roofline reference", ">= 70% each", all,
            worstFraction >= 0.7, $"{(0.7 - worstFraction) * 100:0} points ({worst.Name} at {worstFraction * 100:0}%)"));
        var worstAccess = kernelCases.MinBy(AccessFraction)!;
        report.Target(new BenchTarget("hot kernels >= 50% of the measured gather/scatter roofline", $">= {GatherScatterTarget:0%} each",
            string.Join(", ", kernelCases.Select(c => $"{c.Name} {100 * AccessFraction(c):0}%")),
            AccessFraction(worstAccess) >= GatherScatterTarget,
            $"{(GatherScatterTarget - AccessFraction(worstAccess)) * 100:0} points ({worstAccess.Name} at {AccessFraction(worstAccess) * 100:0}%)"));
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>One benchmarked action with the work it does, for rates.</summary>
/// <remarks><paramref name="Volumes"/>: a kernel's volume count (0 for the reference loops).
/// <paramref name="Evaluations"/>: pixel-volume evaluations (interpolations or splats), the unit of the gather/scatter
/// roof. <paramref name="RoofVolumesPerStencil"/>: for a gather/scatter roof case, the volumes sharing each stencil.</remarks>
public sealed record BenchCase(string Name, Action Action, double Flops, double Bytes, int Volumes, double Evaluations = 0, int RoofVolumesPerStencil = 0);

/// <summary>Where benchmarked results go so the JIT cannot drop the work that made them.</summary>
public static class BenchSink
{
    public static volatile float Value;
}
