using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SweepLab.Bench;

/// <summary>
/// The gather/scatter roofline (issue 13): the hot kernels' access pattern on volumes that stay in each core's L2,
/// in plain fast C# (Parallel.For over one contiguous share of particles per core). Per particle and kept pixel inside
/// the slice radius: rotate (kx, ky, 0) by the particle's pose and form the trilinear stencil once, then for each of
/// the volumes that share a stencil (as in the kernel measured: 2 at K = 2, 4 in a group of 4)
/// <list type="bullet">
/// <item>gather: read the 8 complex corners and interpolate (the E-step's access), vectorised over 8 pixels with AVX2
/// gathers, and scalar;</item>
/// <item>scatter: add a weighted complex value and a real weight into the 8 corners (backprojection's access), into
/// the core's own volumes; scalar read-modify-writes, and the complex pair as one 8-byte one (x86 has no scatter the
/// runtime exposes).</item>
/// </list>
/// The unit is the kernels' own: pixel-volume evaluations per second. The FMA roof says how far the kernels are from
/// the arithmetic peak; this one says how far they are from what their scattered accesses allow, which is their real
/// bound, with the volumes cache-resident (the kernels' volumes are larger, so this roof is an upper bound for them).
/// </summary>
public static class GatherScatterRoof
{
    /// <summary>The most volumes per stencil, as in the kernels (KernelBodies.ResidualGroup and SlabGroup).</summary>
    public const int Volumes = 4;

    /// <summary>
    /// The roof's box: a grid of (Box + 2)^3 voxels, so every stencil of a pixel inside the radius Box/2 - 1 is on it;
    /// 4 volumes take 333 KiB to gather from (8 B per voxel) and 499 KiB to splat into (12 B), half a 1 MiB L2 (at
    /// box 24, 549 and 824 KiB, the 4-volume gather roof swung between 0.27 and 0.55 G/s from run to run).
    /// </summary>
    public const int Box = 20;

    private const int Grid = Box + 2;
    private const int GridVoxels = Grid * Grid * Grid;
    private const float Half = Box / 2;

    /// <summary>The grid's centre (DC) voxel, which every slice passes: its sums are the scatter's checksum.</summary>
    private const int CentreVoxel = ((Box / 2 * Grid) + Box / 2) * Grid + Box / 2;

    /// <summary>Poses (9 floats per particle, RELION's A) and the kept pixels inside the roof's radius, a multiple of 8.</summary>
    public sealed record Geometry(float[] Rotations, int Particles, float[] Kx, float[] Ky)
    {
        public int Pixels => Kx.Length;

        /// <summary>Pixel-volume evaluations of one pass over <paramref name="group"/> volumes per stencil.</summary>
        public double Evaluations(int group) => (double)Particles * Pixels * group;

        /// <summary>The kernels' poses with their pixel table cut to the roof's radius (whole vectors of 8 pixels).</summary>
        public static Geometry From(float[] rotations, int particles, ReadOnlySpan<short> kx, ReadOnlySpan<short> ky)
        {
            int r = Box / 2 - 1;
            var xs = new List<float>();
            var ys = new List<float>();
            for (int p = 0; p < kx.Length; p++)
            {
                if (kx[p] * kx[p] + ky[p] * ky[p] > r * r) continue;
                xs.Add(kx[p]);
                ys.Add(ky[p]);
            }
            int kept = xs.Count & ~7;
            return new Geometry(rotations, particles, xs.Take(kept).ToArray(), ys.Take(kept).ToArray());
        }
    }

    public static bool VectorGatherAvailable => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>4 complex volumes of the roof's grid, interleaved (re, im), with smooth non-zero values.</summary>
    public static float[] GatherVolumes()
    {
        var volumes = new float[Volumes * 2 * GridVoxels];
        for (int i = 0; i < volumes.Length; i++) volumes[i] = 1f + (i % 89) * 1e-3f;
        return volumes;
    }

    /// <summary>One pass of AVX2-gather trilinear interpolations over every particle; the sum keeps the JIT honest.</summary>
    public static float GatherVector(Geometry g, float[] volumes, int group) => Split(g, (_, first, end) => GatherVectorShare(g, volumes, group, first, end));

    /// <summary>The same pass with scalar loads.</summary>
    public static float GatherScalar(Geometry g, float[] volumes, int group) => Split(g, (_, first, end) => GatherScalarShare(g, volumes, group, first, end));

    /// <summary>One pass of trilinear splats into each core's own 4 volumes (numerator and denominator), zeroed first.</summary>
    public static float Scatter(Geometry g, float[][] blocks, int group) =>
        Split(g, (part, first, end) => ScatterShare(g, blocks[part], group, first, end));

    /// <summary>The same pass with each complex numerator pair added as one 8-byte vector.</summary>
    public static float ScatterPairs(Geometry g, float[][] blocks, int group) =>
        Split(g, (part, first, end) => ScatterPairShare(g, blocks[part], group, first, end));

    /// <summary>
    /// Per core, one pinned block holding 4 numerator volumes (2 floats per voxel) and, after them, 4 denominator
    /// volumes, at the same page offsets in every process (<see cref="Numerators"/>): with two arrays wherever the
    /// allocator put them, the 4-volume scatter roof swung between 0.09 and 0.19 G/s from one process to the next.
    /// </summary>
    public static float[][] ScatterVolumes() =>
        Enumerable.Range(0, Parts).Select(_ => GC.AllocateArray<float>(BlockFloats, pinned: true)).ToArray();

    private const int NumeratorFloats = Volumes * 2 * GridVoxels;
    private const int DenominatorFloats = Volumes * GridVoxels;
    private const int PageFloats = 1024;
    private const int BlockFloats = PageFloats + NumeratorFloats + DenominatorFloats + PageFloats;

    /// <summary>The numerators from the block's first 4 KiB page boundary, the denominators right after them.</summary>
    private static unsafe float* Numerators(float* block) => (float*)(((nint)block + 4095) & ~(nint)4095);

    private static int Parts => Environment.ProcessorCount;

    /// <summary>Runs share(part, first particle, end particle) for one contiguous share per core.</summary>
    private static float Split(Geometry g, Func<int, int, int, float> share)
    {
        int parts = Parts;
        var sums = new float[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts },
            p => sums[p] = share(p, p * g.Particles / parts, (p + 1) * g.Particles / parts));
        return sums.Sum();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float GatherVectorShare(Geometry g, float[] volumes, int group, int first, int end)
    {
        var acc = Vector256<float>.Zero;
        var one = Vector256.Create(1f);
        var half = Vector256.Create(Half);
        var dy = Vector256.Create(2 * Grid);
        var dz = Vector256.Create(2 * Grid * Grid);
        const int volumeFloats = 2 * GridVoxels;
        fixed (float* vol = volumes, kxs = g.Kx, kys = g.Ky, rot = g.Rotations)
        {
            for (int n = first; n < end; n++)
            {
                float* a = rot + 9 * n;
                var a00 = Vector256.Create(a[0]); var a01 = Vector256.Create(a[1]); var a02 = Vector256.Create(a[2]);
                var a10 = Vector256.Create(a[3]); var a11 = Vector256.Create(a[4]); var a12 = Vector256.Create(a[5]);
                for (int p = 0; p < g.Pixels; p += 8)
                {
                    var kx = Avx.LoadVector256(kxs + p);
                    var ky = Avx.LoadVector256(kys + p);
                    var gx = Fma.MultiplyAdd(a00, kx, Fma.MultiplyAdd(a10, ky, half));
                    var gy = Fma.MultiplyAdd(a01, kx, Fma.MultiplyAdd(a11, ky, half));
                    var gz = Fma.MultiplyAdd(a02, kx, Fma.MultiplyAdd(a12, ky, half));
                    var x0 = Avx.Floor(gx); var y0 = Avx.Floor(gy); var z0 = Avx.Floor(gz);
                    var fx = gx - x0; var fy = gy - y0; var fz = gz - z0;
                    var ix = Avx.ConvertToVector256Int32WithTruncation(x0);
                    var iy = Avx.ConvertToVector256Int32WithTruncation(y0);
                    var iz = Avx.ConvertToVector256Int32WithTruncation(z0);
                    var i000 = ((iz * Grid + iy) * Grid + ix) * 2;
                    var i010 = i000 + dy; var i100 = i000 + dz; var i110 = i100 + dy;
                    var ex = one - fx; var ey = one - fy; var ez = one - fz;
                    var w00 = ez * ey; var w01 = ez * fy; var w10 = fz * ey; var w11 = fz * fy;
                    for (int v = 0; v < group; v++)
                    {
                        float* b = vol + v * volumeFloats;
                        var re = w00 * Lerp(b, i000, 0, ex, fx) + w01 * Lerp(b, i010, 0, ex, fx)
                               + w10 * Lerp(b, i100, 0, ex, fx) + w11 * Lerp(b, i110, 0, ex, fx);
                        var im = w00 * Lerp(b, i000, 1, ex, fx) + w01 * Lerp(b, i010, 1, ex, fx)
                               + w10 * Lerp(b, i100, 1, ex, fx) + w11 * Lerp(b, i110, 1, ex, fx);
                        acc = Fma.MultiplyAdd(re, re, Fma.MultiplyAdd(im, im, acc));
                    }
                }
            }
        }
        return Vector256.Sum(acc);
    }

    /// <summary>(1 - fx) V[i] + fx V[i + 2] for one part (re 0, im 1) of 8 complex corners pairs along x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Lerp(float* b, Vector256<int> index, int part, Vector256<float> ex, Vector256<float> fx) =>
        Fma.MultiplyAdd(ex, Avx2.GatherVector256(b + part, index, 4), fx * Avx2.GatherVector256(b + part + 2, index, 4));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float GatherScalarShare(Geometry g, float[] volumes, int group, int first, int end)
    {
        float acc = 0f;
        const int volumeFloats = 2 * GridVoxels, dy = 2 * Grid, dz = 2 * Grid * Grid;
        fixed (float* vol = volumes, kxs = g.Kx, kys = g.Ky, rot = g.Rotations)
        {
            for (int n = first; n < end; n++)
            {
                float* a = rot + 9 * n;
                for (int p = 0; p < g.Pixels; p++)
                {
                    var (i000, fx, fy, fz) = ScalarStencil(a, kxs[p], kys[p]);
                    float ex = 1f - fx, ey = 1f - fy, ez = 1f - fz;
                    float w00 = ez * ey, w01 = ez * fy, w10 = fz * ey, w11 = fz * fy;
                    for (int v = 0; v < group; v++)
                    {
                        float* b = vol + v * volumeFloats + i000;
                        float re = w00 * (ex * b[0] + fx * b[2]) + w01 * (ex * b[dy] + fx * b[dy + 2])
                                 + w10 * (ex * b[dz] + fx * b[dz + 2]) + w11 * (ex * b[dz + dy] + fx * b[dz + dy + 2]);
                        float im = w00 * (ex * b[1] + fx * b[3]) + w01 * (ex * b[dy + 1] + fx * b[dy + 3])
                                 + w10 * (ex * b[dz + 1] + fx * b[dz + 3]) + w11 * (ex * b[dz + dy + 1] + fx * b[dz + dy + 3]);
                        acc += re * re + im * im;
                    }
                }
            }
        }
        return acc;
    }

    /// <summary>How one corner's read-modify-write is done: three floats, or the complex pair as one 8-byte element.</summary>
    private unsafe interface ICornerAdd
    {
        void Add(float* num, float* den, int voxel, float w, float xr, float xi, float c);
    }

    private readonly struct ScalarAdd : ICornerAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Add(float* num, float* den, int voxel, float w, float xr, float xi, float c)
        {
            num[2 * voxel] += w * xr;
            num[2 * voxel + 1] += w * xi;
            den[voxel] += w * c;
        }
    }

    private readonly struct PairAdd : ICornerAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public unsafe void Add(float* num, float* den, int voxel, float w, float xr, float xi, float c)
        {
            ((System.Numerics.Vector2*)num)[voxel] += w * new System.Numerics.Vector2(xr, xi);
            den[voxel] += w * c;
        }
    }

    private static float ScatterShare(Geometry g, float[] block, int group, int first, int end) =>
        ScatterShare<ScalarAdd>(g, block, group, first, end);

    private static float ScatterPairShare(Geometry g, float[] block, int group, int first, int end) =>
        ScatterShare<PairAdd>(g, block, group, first, end);

    /// <summary>One core's share of the scatter pass (specialised per corner add by the JIT: no call per corner).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float ScatterShare<TAdd>(Geometry g, float[] block, int group, int first, int end) where TAdd : struct, ICornerAdd
    {
        const int dy = Grid, dz = Grid * Grid;
        var add = default(TAdd);
        fixed (float* origin = block, kxs = g.Kx, kys = g.Ky, rot = g.Rotations)
        {
            float* num = Numerators(origin), den = num + NumeratorFloats;
            new Span<float>(num, NumeratorFloats + DenominatorFloats).Clear();
            for (int n = first; n < end; n++)
            {
                float* a = rot + 9 * n;
                float weight = 0.25f + (n & 3) * 0.125f;
                for (int p = 0; p < g.Pixels; p++)
                {
                    var (i000, fx, fy, fz) = ScalarStencil(a, kxs[p], kys[p]);
                    int voxel = i000 / 2;
                    float ex = 1f - fx, ey = 1f - fy, ez = 1f - fz;
                    float xr = weight * kxs[p], xi = weight * kys[p], c = weight;
                    for (int v = 0; v < group; v++)
                    {
                        float* nv = num + 2 * v * GridVoxels;
                        float* dv = den + v * GridVoxels;
                        add.Add(nv, dv, voxel, ez * ey * ex, xr, xi, c);
                        add.Add(nv, dv, voxel + 1, ez * ey * fx, xr, xi, c);
                        add.Add(nv, dv, voxel + dy, ez * fy * ex, xr, xi, c);
                        add.Add(nv, dv, voxel + dy + 1, ez * fy * fx, xr, xi, c);
                        add.Add(nv, dv, voxel + dz, fz * ey * ex, xr, xi, c);
                        add.Add(nv, dv, voxel + dz + 1, fz * ey * fx, xr, xi, c);
                        add.Add(nv, dv, voxel + dz + dy, fz * fy * ex, xr, xi, c);
                        add.Add(nv, dv, voxel + dz + dy + 1, fz * fy * fx, xr, xi, c);
                    }
                }
            }
            return num[2 * CentreVoxel] + den[CentreVoxel];
        }
    }

    /// <summary>Float offset of corner (x0, y0, z0) of the complex grid and the fractions, for image pixel (kx, ky).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe (int Index, float Fx, float Fy, float Fz) ScalarStencil(float* a, float kx, float ky)
    {
        float gx = a[0] * kx + a[3] * ky + Half, gy = a[1] * kx + a[4] * ky + Half, gz = a[2] * kx + a[5] * ky + Half;
        float x0 = MathF.Floor(gx), y0 = MathF.Floor(gy), z0 = MathF.Floor(gz);
        return (2 * (((int)z0 * Grid + (int)y0) * Grid + (int)x0), gx - x0, gy - y0, gz - z0);
    }
}
