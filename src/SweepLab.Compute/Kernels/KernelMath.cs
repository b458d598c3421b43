using System.Runtime.CompilerServices;
using SweepLab.Core.Ctf;

namespace SweepLab.Compute.Kernels;

/// <summary>A single-precision complex number (kernel-safe, no methods that allocate).</summary>
public readonly record struct Complex32(float Re, float Im)
{
    public float MagnitudeSquared => Re * Re + Im * Im;
}

/// <summary>A frequency in voxel units of the cropped class volume (signed, the DC term at 0).</summary>
public readonly record struct Frequency3(float X, float Y, float Z);

/// <summary>
/// Trilinear interpolation stencil at a point of a centred M^3 Fourier volume: the lower corner (grid indices,
/// frequency + M/2) and the fractional offsets along each axis. Corners outside the grid count as zero.
/// </summary>
public readonly record struct TrilinearStencil(int X0, int Y0, int Z0, float Fx, float Fy, float Fz);

/// <summary>Pixels kx = First .. Last of an image row (empty when First &gt; Last).</summary>
public readonly record struct KxRange(int First, int Last);

/// <summary>Reads floats from wherever a kernel or the host keeps them (an ILGPU view, a managed array).</summary>
public interface IFloatReader
{
    float Read(int index);
}

/// <summary>Accumulates a complex numerator and a real denominator into voxel <c>voxel</c> of one volume.</summary>
public interface IVoxelAccumulator
{
    void Add(int voxel, float numeratorRe, float numeratorIm, float denominator);
}

/// <summary>Host reader over a managed array (tests and host code; never used inside a kernel).</summary>
public readonly struct ArrayFloatReader(float[] data) : IFloatReader
{
    public float Read(int index) => data[index];
}

/// <summary>Host accumulator over managed arrays: numerator interleaved complex, denominator real, one volume.</summary>
public readonly struct ArrayVoxelAccumulator(float[] numerators, float[] denominators, int volumeOffsetVoxels) : IVoxelAccumulator
{
    public void Add(int voxel, float numeratorRe, float numeratorIm, float denominator)
    {
        int v = volumeOffsetVoxels + voxel;
        numerators[2 * v] += numeratorRe;
        numerators[2 * v + 1] += numeratorIm;
        denominators[v] += denominator;
    }
}

/// <summary>
/// The per-pixel math of the classification kernels, written once and called by every kernel on every device
/// (CUDA, PoCL, ILGPU's CPU accelerator) and by host code and tests. No allocation, no exceptions, no LINQ.
/// Volume layout: ((z * M) + y) * M + x with frequency f = index - M/2 on each axis, complex interleaved.
/// </summary>
public static class KernelMath
{
    /// <summary>
    /// Whether image frequency (kx, ky) is sampled from an M^3 volume: |k| &lt;= M/2 - 1. Tested on the integer
    /// image frequency (as RELION does) so that every device drops exactly the same pixels; the rotated point has
    /// the same radius up to rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InsideSlice(int kx, int ky, int box)
    {
        int r = box / 2 - 1;
        return kx * kx + ky * ky <= r * r;
    }

    /// <summary>The volume frequency A^T (kx, ky, 0) sampled for image frequency (kx, ky), A row-major (RELION's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Frequency3 SliceFrequency(float a00, float a01, float a02, float a10, float a11, float a12, float kx, float ky) =>
        new(a00 * kx + a10 * ky, a01 * kx + a11 * ky, a02 * kx + a12 * ky);

    /// <summary>The trilinear stencil of point q in an M^3 centred grid.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TrilinearStencil Stencil(int box, Frequency3 q)
    {
        float half = box / 2;
        float gx = q.X + half, gy = q.Y + half, gz = q.Z + half;
        float x0 = MathF.Floor(gx), y0 = MathF.Floor(gy), z0 = MathF.Floor(gz);
        return new TrilinearStencil((int)x0, (int)y0, (int)z0, gx - x0, gy - y0, gz - z0);
    }

    /// <summary>
    /// Trilinear interpolation of the complex volume starting at float <paramref name="volumeOffset"/> of
    /// <paramref name="reader"/>; corners outside the grid contribute zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Complex32 Gather<TReader>(TReader reader, int volumeOffset, int box, TrilinearStencil s)
        where TReader : struct, IFloatReader
    {
        if (s.X0 >= 0 && s.Y0 >= 0 && s.Z0 >= 0 && s.X0 < box - 1 && s.Y0 < box - 1 && s.Z0 < box - 1)
        {
            // All eight corners on the grid (every sample inside the slice radius but for rounding): no branches.
            int i000 = volumeOffset + 2 * ((s.Z0 * box + s.Y0) * box + s.X0);
            int dy = 2 * box, dz = 2 * box * box;
            float gx = 1f - s.Fx, gy = 1f - s.Fy, gz = 1f - s.Fz;
            float w00 = gz * gy, w01 = gz * s.Fy, w10 = s.Fz * gy, w11 = s.Fz * s.Fy;
            int i010 = i000 + dy, i100 = i000 + dz, i110 = i000 + dz + dy;
            float r0 = w00 * (gx * reader.Read(i000) + s.Fx * reader.Read(i000 + 2))
                       + w01 * (gx * reader.Read(i010) + s.Fx * reader.Read(i010 + 2))
                       + w10 * (gx * reader.Read(i100) + s.Fx * reader.Read(i100 + 2))
                       + w11 * (gx * reader.Read(i110) + s.Fx * reader.Read(i110 + 2));
            float i0 = w00 * (gx * reader.Read(i000 + 1) + s.Fx * reader.Read(i000 + 3))
                       + w01 * (gx * reader.Read(i010 + 1) + s.Fx * reader.Read(i010 + 3))
                       + w10 * (gx * reader.Read(i100 + 1) + s.Fx * reader.Read(i100 + 3))
                       + w11 * (gx * reader.Read(i110 + 1) + s.Fx * reader.Read(i110 + 3));
            return new Complex32(r0, i0);
        }
        float re = 0f, im = 0f;
        for (int dz = 0; dz < 2; dz++)
        {
            int z = s.Z0 + dz;
            if (z < 0 || z >= box) continue;
            float wz = dz == 0 ? 1f - s.Fz : s.Fz;
            for (int dy = 0; dy < 2; dy++)
            {
                int y = s.Y0 + dy;
                if (y < 0 || y >= box) continue;
                float wzy = wz * (dy == 0 ? 1f - s.Fy : s.Fy);
                int row = (z * box + y) * box;
                for (int dx = 0; dx < 2; dx++)
                {
                    int x = s.X0 + dx;
                    if (x < 0 || x >= box) continue;
                    float w = wzy * (dx == 0 ? 1f - s.Fx : s.Fx);
                    int index = volumeOffset + 2 * (row + x);
                    re += w * reader.Read(index);
                    im += w * reader.Read(index + 1);
                }
            }
        }
        return new Complex32(re, im);
    }

    /// <summary>
    /// The transpose of <see cref="Gather{TReader}"/>: adds weight * (re, im) to the numerator and weight * den to
    /// the denominator of each in-grid corner.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Splat<TAccumulator>(TAccumulator target, int box, TrilinearStencil s, float re, float im, float den)
        where TAccumulator : struct, IVoxelAccumulator =>
        SplatSlab(target, box, 0, box, s, re, im, den);

    /// <summary>
    /// <see cref="Splat{TAccumulator}"/> restricted to the corners in planes <paramref name="zFirst"/> &lt;= z &lt;
    /// <paramref name="zEnd"/>: the slab one backprojection work item owns, so that slabs tile the volume without
    /// two work items writing one voxel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SplatSlab<TAccumulator>(TAccumulator target, int box, int zFirst, int zEnd, TrilinearStencil s, float re, float im, float den)
        where TAccumulator : struct, IVoxelAccumulator
    {
        if (s.Z0 >= zFirst && s.Z0 + 1 < zEnd && s.Y0 >= 0 && s.X0 >= 0 && s.Y0 < box - 1 && s.X0 < box - 1)
        {
            // All eight corners in the slab and on the grid (most samples): no branches, the same products and order.
            float gx = 1f - s.Fx, gy = 1f - s.Fy, gz = 1f - s.Fz;
            float w00 = gz * gy, w01 = gz * s.Fy, w10 = s.Fz * gy, w11 = s.Fz * s.Fy;
            int i000 = (s.Z0 * box + s.Y0) * box + s.X0;
            int i010 = i000 + box, i100 = i000 + box * box, i110 = i100 + box;
            SplatPair(target, i000, w00 * gx, w00 * s.Fx, re, im, den);
            SplatPair(target, i010, w01 * gx, w01 * s.Fx, re, im, den);
            SplatPair(target, i100, w10 * gx, w10 * s.Fx, re, im, den);
            SplatPair(target, i110, w11 * gx, w11 * s.Fx, re, im, den);
            return;
        }
        for (int dz = 0; dz < 2; dz++)
        {
            int z = s.Z0 + dz;
            if (z < zFirst || z >= zEnd) continue;
            float wz = dz == 0 ? 1f - s.Fz : s.Fz;
            for (int dy = 0; dy < 2; dy++)
            {
                int y = s.Y0 + dy;
                if (y < 0 || y >= box) continue;
                float wzy = wz * (dy == 0 ? 1f - s.Fy : s.Fy);
                int row = (z * box + y) * box;
                for (int dx = 0; dx < 2; dx++)
                {
                    int x = s.X0 + dx;
                    if (x < 0 || x >= box) continue;
                    float w = wzy * (dx == 0 ? 1f - s.Fx : s.Fx);
                    target.Add(row + x, w * re, w * im, w * den);
                }
            }
        }
    }

    /// <summary>
    /// The kx interval [first, last] of one image row (frequency ky, kept pixels kxFirst .. kxLast) that can splat into
    /// planes zFirst .. zEnd - 1: the grid coordinate gz = a02 kx + a12 ky + M/2 of the stencil's lower corner must lie
    /// in [zFirst - 1, zEnd). Widened by 0.01 planes and one pixel on each side, so rounding never drops a pixel; the
    /// caller tests each pixel's stencil exactly. Empty (first &gt; last) when the row misses the slab. With a02 near 0
    /// (the row runs along the slab) the whole row is returned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KxRange SlabRowRange(float a02, float a12, int ky, int kxFirst, int kxLast, int box, int zFirst, int zEnd)
    {
        float c = a12 * ky + box / 2;
        float low = zFirst - 1 - 0.01f - c, high = zEnd + 0.01f - c;
        if (MathF.Abs(a02) < 1e-3f)
        {
            float rowLow = MathF.Min(a02 * kxFirst, a02 * kxLast), rowHigh = MathF.Max(a02 * kxFirst, a02 * kxLast);
            return rowHigh >= low && rowLow <= high ? new KxRange(kxFirst, kxLast) : new KxRange(1, 0);
        }
        float u = low / a02, v = high / a02;
        // Clamped in float before the conversion (a small a02 makes them huge).
        float lo = MathF.Max(MathF.Min(u, v), kxFirst - 2f);
        float hi = MathF.Min(MathF.Max(u, v), kxLast + 2f);
        return new KxRange(Math.Max(kxFirst, (int)MathF.Floor(lo) - 1), Math.Min(kxLast, (int)MathF.Ceiling(hi) + 1));
    }

    /// <summary>
    /// The ky interval of image rows (pixels kx = 0 .. <paramref name="maxKx"/>) that can splat into planes zFirst ..
    /// zEnd - 1: the same test as <see cref="SlabRowRange"/> over whole rows, so a work item skips the rows of a slice
    /// that misses its slab with one comparison each. Widened like SlabRowRange; all rows when a12 is near 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static KxRange SlabKyRange(float a02, float a12, int maxKx, int box, int zFirst, int zEnd)
    {
        float reach = a02 * maxKx;
        float low = zFirst - 1 - 0.01f - box / 2 - MathF.Max(0f, reach), high = zEnd + 0.01f - box / 2 - MathF.Min(0f, reach);
        if (MathF.Abs(a12) < 1e-3f) return new KxRange(-box, box);
        float u = low / a12, v = high / a12;
        float lo = MathF.Max(MathF.Min(u, v), -box - 2f);
        float hi = MathF.Min(MathF.Max(u, v), box + 2f);
        return new KxRange((int)MathF.Floor(lo) - 1, (int)MathF.Ceiling(hi) + 1);
    }

    /// <summary>Adds the splat to voxels <paramref name="voxel"/> and voxel + 1 with corner weights w0 and w1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SplatPair<TAccumulator>(TAccumulator target, int voxel, float w0, float w1, float re, float im, float den)
        where TAccumulator : struct, IVoxelAccumulator
    {
        target.Add(voxel, w0 * re, w0 * im, w0 * den);
        target.Add(voxel + 1, w1 * re, w1 * im, w1 * den);
    }

    /// <summary>|x - ctf * model|^2: the squared residual of one Fourier pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ResidualSquared(Complex32 x, float ctf, Complex32 model)
    {
        float dr = x.Re - ctf * model.Re;
        float di = x.Im - ctf * model.Im;
        return dr * dr + di * di;
    }

    /// <summary>
    /// CTF of integer image frequency (kx, ky); <paramref name="perAngstrom"/> = 1 / (original box * original
    /// pixel size) converts to 1/Angstrom. Calls Core's single copy of RELION's formula.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Ctf(in CtfCoefficients c, int kx, int ky, float perAngstrom) =>
        CtfMath.Value(c, kx * perAngstrom, ky * perAngstrom);

    /// <summary>Shell round(|f|) of integer frequency f, clamped to <paramref name="shellCount"/> - 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VoxelShell(int fx, int fy, int fz, int shellCount)
    {
        int shell = (int)(MathF.Sqrt(fx * fx + fy * fy + fz * fz) + 0.5f);
        return shell < shellCount ? shell : shellCount - 1;
    }

    /// <summary>
    /// The smallest denominator <see cref="ReconstructVoxel"/> divides by: the smallest normal float. A denormal one
    /// holds no usable weight, its reciprocal overflows (PoCL's fast math divides by multiplying with it: +-infinity,
    /// then NaN in the next FFT), and devices that flush denormals read it as zero; so every device treats it as empty.
    /// It arises where a class's posterior weights underflow, e.g. a class dying under learning rate 1 (K = 4 on
    /// two-class data), or near CTF zeros: such voxels stay zero instead of turning the map NaN.
    /// </summary>
    public const float SmallestDenominator = 1.17549435E-38f;

    /// <summary>
    /// One voxel of the reconstruction num / (den + reg); zero where den + reg is below <see cref="SmallestDenominator"/>
    /// (an empty voxel without regularisation, or one whose weight underflowed) so that no infinity or NaN reaches the
    /// next E-step.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Complex32 ReconstructVoxel(Complex32 numerator, float denominator, float regulariser)
    {
        float d = denominator + regulariser;
        return d >= SmallestDenominator ? new Complex32(numerator.Re / d, numerator.Im / d) : new Complex32(0f, 0f);
    }

    /// <summary>Whether integer voxel frequency f lies within radius M/2 - 1 (voxels beyond are zeroed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InsideVolume(int fx, int fy, int fz, int box)
    {
        int r = box / 2 - 1;
        return fx * fx + fy * fy + fz * fz <= r * r;
    }
}
