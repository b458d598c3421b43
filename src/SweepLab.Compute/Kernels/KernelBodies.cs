using ILGPU;
using ILGPU.Runtime;
using SweepLab.Core.Ctf;

namespace SweepLab.Compute.Kernels;

/// <summary>Device reader over an ILGPU view.</summary>
internal readonly struct ViewFloatReader(ArrayView<float> view) : IFloatReader
{
    // Reading each corner's complex value as one 8-byte element measured slower on PoCL (residual K = 8 152 -> 170 ms).
    public float Read(int index) => view[index];
}

/// <summary>Device accumulator into one partial volume (numerator interleaved complex, denominator real).</summary>
internal readonly struct ViewVoxelAccumulator(ArrayView<float> numerators, ArrayView<float> denominators, int volumeOffsetVoxels)
    : IVoxelAccumulator
{
    // The complex numerator as one 8-byte element: PoCL adds it with one 2-wide load, add and store. Kernel bench,
    // three interleaved runs each: backprojection of 8 volumes 201-219 ms per pass against 226-238 ms as two floats.
    private readonly ArrayView<Complex32> _pairs = numerators.Cast<Complex32>();

    public void Add(int voxel, float numeratorRe, float numeratorIm, float denominator)
    {
        int v = volumeOffsetVoxels + voxel;
        var pair = _pairs[v];
        _pairs[v] = new Complex32(pair.Re + numeratorRe, pair.Im + numeratorIm);
        denominators[v] += denominator;
    }
}

/// <summary>One particle chunk on the device plus the pixel tables shared by all chunks.</summary>
internal readonly struct ParticleViews(
    ArrayView<float> data, ArrayView<float> ctf, ArrayView<float> rotations,
    ArrayView<int> kx, ArrayView<int> ky, ArrayView<int> shell, int pixelCount)
{
    /// <summary>Kept pixels, particle-major, interleaved (re, im).</summary>
    public readonly ArrayView<float> Data = data;
    /// <summary>CTF value per (particle, pixel), computed once at upload.</summary>
    public readonly ArrayView<float> Ctf = ctf;
    /// <summary>Nine floats per particle, RELION's A row-major.</summary>
    public readonly ArrayView<float> Rotations = rotations;
    public readonly ArrayView<int> Kx = kx;
    public readonly ArrayView<int> Ky = ky;
    public readonly ArrayView<int> Shell = shell;
    public readonly int PixelCount = pixelCount;
}

internal readonly struct CtfTableArgs(
    ArrayView<CtfCoefficients> coefficients, ArrayView<int> kx, ArrayView<int> ky, ArrayView<float> output,
    int particleCount, int pixelCount, float perAngstrom, int applyCtf)
{
    public readonly ArrayView<CtfCoefficients> Coefficients = coefficients;
    public readonly ArrayView<int> Kx = kx;
    public readonly ArrayView<int> Ky = ky;
    public readonly ArrayView<float> Output = output;
    public readonly int ParticleCount = particleCount;
    public readonly int PixelCount = pixelCount;
    public readonly float PerAngstrom = perAngstrom;
    public readonly int ApplyCtf = applyCtf;
}

/// <summary>
/// A launch over some batch entries: entry e is particle <c>EntryParticle[e]</c> of the chunk and writes row
/// <c>EntrySlot[e]</c> of the outputs (its position in the caller's batch).
/// </summary>
internal readonly struct EntryViews(ArrayView<int> entryParticle, ArrayView<int> entrySlot, int entryCount)
{
    public readonly ArrayView<int> EntryParticle = entryParticle;
    public readonly ArrayView<int> EntrySlot = entrySlot;
    public readonly int EntryCount = entryCount;
}

internal readonly struct ResidualArgs(
    ParticleViews particles, EntryViews entries, ArrayView<int> volumeIndex, int volumeCount,
    ArrayView<float> volumes, int box, ArrayView<float> invSigma2, int shellCount, ArrayView<float> output)
{
    public readonly ParticleViews Particles = particles;
    public readonly EntryViews Entries = entries;
    public readonly ArrayView<int> VolumeIndex = volumeIndex;
    public readonly int VolumeCount = volumeCount;
    public readonly ArrayView<float> Volumes = volumes;
    public readonly int Box = box;
    /// <summary>Per volume j of the call, the likelihood weight of each shell: [j * ShellCount + shell].</summary>
    public readonly ArrayView<float> InvSigma2 = invSigma2;
    public readonly int ShellCount = shellCount;
    /// <summary>[slot * VolumeCount + j].</summary>
    public readonly ArrayView<float> Output = output;
}

internal readonly struct ShellResidualArgs(
    ParticleViews particles, EntryViews entries, ArrayView<int> volumeIndex, int volumeCount,
    ArrayView<float> volumes, int box, ArrayView<float> weights, int shellCount, ArrayView<float> output)
{
    public readonly ParticleViews Particles = particles;
    public readonly EntryViews Entries = entries;
    public readonly ArrayView<int> VolumeIndex = volumeIndex;
    public readonly int VolumeCount = volumeCount;
    public readonly ArrayView<float> Volumes = volumes;
    public readonly int Box = box;
    /// <summary>[slot * VolumeCount + j].</summary>
    public readonly ArrayView<float> Weights = weights;
    public readonly int ShellCount = shellCount;
    /// <summary>[slot * ShellCount + shell].</summary>
    public readonly ArrayView<float> Output = output;
}

internal readonly struct BackprojectArgs(
    ParticleViews particles, EntryViews entries, ArrayView<int> shareStarts, ArrayView<float> weights, int weightColumns,
    int groupStart, int groupVolumes, int partialCount, int box,
    ArrayView<float> partialNumerator, ArrayView<float> partialDenominator)
{
    public readonly ParticleViews Particles = particles;
    public readonly EntryViews Entries = entries;
    /// <summary>PartialCount + 1 entry offsets: work item g splats entries [ShareStarts[g], ShareStarts[g + 1]).</summary>
    public readonly ArrayView<int> ShareStarts = shareStarts;
    /// <summary>[slot * WeightColumns + v].</summary>
    public readonly ArrayView<float> Weights = weights;
    public readonly int WeightColumns = weightColumns;
    /// <summary>First output volume of this launch's volume group and the group's size.</summary>
    public readonly int GroupStart = groupStart;
    public readonly int GroupVolumes = groupVolumes;
    public readonly int PartialCount = partialCount;
    public readonly int Box = box;
    /// <summary>[(g * GroupVolumes + j) * M^3 * 2]: one private partial volume per (work item g, volume j).</summary>
    public readonly ArrayView<float> PartialNumerator = partialNumerator;
    public readonly ArrayView<float> PartialDenominator = partialDenominator;
}

internal readonly struct BackprojectSlabArgs(
    ParticleViews particles, EntryViews entries, ArrayView<int> rows, int rowCount, ArrayView<float> weights, int weightColumns,
    int groupStart, int groupVolumes, int slabCount, int slabPlanes, int box, ArrayView<float> numerator, ArrayView<float> denominator)
{
    public readonly ParticleViews Particles = particles;
    public readonly EntryViews Entries = entries;
    /// <summary>Four ints per run of consecutive kept pixels in one image row: first pixel index, ky, first kx, last kx.</summary>
    public readonly ArrayView<int> Rows = rows;
    public readonly int RowCount = rowCount;
    /// <summary>[slot * WeightColumns + v].</summary>
    public readonly ArrayView<float> Weights = weights;
    public readonly int WeightColumns = weightColumns;
    /// <summary>First output volume of this launch's volume group and the group's size.</summary>
    public readonly int GroupStart = groupStart;
    public readonly int GroupVolumes = groupVolumes;
    /// <summary>The volume is cut along z into SlabCount slabs of SlabPlanes planes (the last may be thinner).</summary>
    public readonly int SlabCount = slabCount;
    public readonly int SlabPlanes = slabPlanes;
    public readonly int Box = box;
    /// <summary>[j * M^3 * 2] and [j * M^3]: the group's sums, accumulated over the launches of one batch.</summary>
    public readonly ArrayView<float> Numerator = numerator;
    public readonly ArrayView<float> Denominator = denominator;
}

internal readonly struct ReduceArgs(
    ArrayView<float> partialNumerator, ArrayView<float> partialDenominator, int partialCount,
    int groupStart, int groupVolumes, int voxels, ArrayView<float> numerator, ArrayView<float> denominator, int box)
{
    public readonly int Box = box;
    public readonly ArrayView<float> PartialNumerator = partialNumerator;
    public readonly ArrayView<float> PartialDenominator = partialDenominator;
    public readonly int PartialCount = partialCount;
    public readonly int GroupStart = groupStart;
    public readonly int GroupVolumes = groupVolumes;
    public readonly int Voxels = voxels;
    public readonly ArrayView<float> Numerator = numerator;
    public readonly ArrayView<float> Denominator = denominator;
}

internal readonly struct ReconstructArgs(
    ArrayView<float> numerator, ArrayView<float> denominator, ArrayView<float> regulariser, int shellCount,
    int volumeCount, int box, ArrayView<float> output)
{
    public readonly ArrayView<float> Numerator = numerator;
    public readonly ArrayView<float> Denominator = denominator;
    /// <summary>[v * ShellCount + shell].</summary>
    public readonly ArrayView<float> Regulariser = regulariser;
    public readonly int ShellCount = shellCount;
    public readonly int VolumeCount = volumeCount;
    public readonly int Box = box;
    public readonly ArrayView<float> Output = output;
}

internal readonly struct BlendArgs(
    ArrayView<float> target, ArrayView<float> source, ArrayView<float> keep, ArrayView<float> add, int perVolume, int count)
{
    public readonly ArrayView<float> Target = target;
    public readonly ArrayView<float> Source = source;
    public readonly ArrayView<float> Keep = keep;
    public readonly ArrayView<float> Add = add;
    public readonly int PerVolume = perVolume;
    public readonly int Count = count;
}

internal readonly struct ProbeArgs(ArrayView<float> volume, ArrayView<float> output, CtfCoefficients ctf, int count)
{
    public readonly ArrayView<float> Volume = volume;
    public readonly ArrayView<float> Output = output;
    public readonly CtfCoefficients Ctf = ctf;
    public readonly int Count = count;
}

/// <summary>
/// The kernels: static methods over readonly struct arguments, one thread per output cell, no atomics and no
/// group collectives (PoCL 3.1 has neither), explicit launches with a bounds check on the flat global index.
/// </summary>
internal static class KernelBodies
{
    /// <summary>Floats summed in one block before joining the running total (bounds float rounding growth).</summary>
    public const int SumBlock = 64;

    private static int GlobalIndex() => Grid.GlobalIndex.X;

    /// <summary>CTF table: one thread per (particle, pixel) of a chunk.</summary>
    public static void CtfTable(CtfTableArgs a)
    {
        int i = GlobalIndex();
        if (i >= a.ParticleCount * a.PixelCount) return;
        int particle = i / a.PixelCount;
        int pixel = i - particle * a.PixelCount;
        a.Output[i] = a.ApplyCtf != 0 ? KernelMath.Ctf(a.Coefficients[particle], a.Kx[pixel], a.Ky[pixel], a.PerAngstrom) : 1f;
    }

    /// <summary>Volumes scored together per work item by <see cref="Residual4"/>.</summary>
    public const int ResidualGroup = 4;

    /// <summary>
    /// D[slot, j] = sum_p |X_p - CTF_p V_j(A^T k_p)|^2 invSigma2[j, shell_p], one thread per (entry, group of 4
    /// volumes): the rotation, stencil, pixel and CTF are computed once per pixel and serve four volumes (the
    /// "several volumes per pass" lever; measured 1.6-3x over one volume per thread on PoCL). Group slots past the
    /// volume count are skipped; each volume's sum has the same instruction sequence in every slot. Work items go
    /// volume group by volume group (i = group * entries + entry), so neighbouring work items score different particles
    /// against the same four volumes, which stay in cache while the particles stream past, instead of each particle
    /// walking every volume (hundreds of class volumes in a lockstep sweep are far more than a cache holds).
    /// </summary>
    public static void Residual4(ResidualArgs a)
    {
        int groups = (a.VolumeCount + ResidualGroup - 1) / ResidualGroup;
        int entries = a.Entries.EntryCount;
        int i = GlobalIndex();
        if (i >= entries * groups) return;
        int group = i / entries;
        int e = i - group * entries;
        int j0 = group * ResidualGroup;
        int last = a.VolumeCount - 1;
        int particle = a.Entries.EntryParticle[e];
        int pixels = a.Particles.PixelCount;
        int m = a.Box;
        int volumeFloats = m * m * m * 2;
        int o0 = a.VolumeIndex[j0] * volumeFloats;
        bool has1 = j0 + 1 <= last, has2 = j0 + 2 <= last, has3 = j0 + 3 <= last;
        int o1 = has1 ? a.VolumeIndex[j0 + 1] * volumeFloats : 0;
        int o2 = has2 ? a.VolumeIndex[j0 + 2] * volumeFloats : 0;
        int o3 = has3 ? a.VolumeIndex[j0 + 3] * volumeFloats : 0;
        int r = particle * 9;
        float a00 = a.Particles.Rotations[r], a01 = a.Particles.Rotations[r + 1], a02 = a.Particles.Rotations[r + 2];
        float a10 = a.Particles.Rotations[r + 3], a11 = a.Particles.Rotations[r + 4], a12 = a.Particles.Rotations[r + 5];
        var reader = new ViewFloatReader(a.Volumes);
        int dataOffset = particle * pixels;
        float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f, b0 = 0f, b1 = 0f, b2 = 0f, b3 = 0f;
        var zero = new Complex32(0f, 0f);
        for (int p = 0; p < pixels; p++)
        {
            int kx = a.Particles.Kx[p], ky = a.Particles.Ky[p];
            var x = new Complex32(a.Particles.Data[2 * (dataOffset + p)], a.Particles.Data[2 * (dataOffset + p) + 1]);
            float c = a.Particles.Ctf[dataOffset + p];
            int shell = a.Particles.Shell[p];
            float noise0 = a.InvSigma2[j0 * a.ShellCount + shell];
            float noise1 = has1 ? a.InvSigma2[(j0 + 1) * a.ShellCount + shell] : 0f;
            float noise2 = has2 ? a.InvSigma2[(j0 + 2) * a.ShellCount + shell] : 0f;
            float noise3 = has3 ? a.InvSigma2[(j0 + 3) * a.ShellCount + shell] : 0f;
            Complex32 m0 = zero, m1 = zero, m2 = zero, m3 = zero;
            if (KernelMath.InsideSlice(kx, ky, m))
            {
                TrilinearStencil st = KernelMath.Stencil(m, KernelMath.SliceFrequency(a00, a01, a02, a10, a11, a12, kx, ky));
                m0 = KernelMath.Gather(reader, o0, m, st);
                if (has1) m1 = KernelMath.Gather(reader, o1, m, st);
                if (has2) m2 = KernelMath.Gather(reader, o2, m, st);
                if (has3) m3 = KernelMath.Gather(reader, o3, m, st);
            }
            b0 += KernelMath.ResidualSquared(x, c, m0) * noise0;
            b1 += KernelMath.ResidualSquared(x, c, m1) * noise1;
            b2 += KernelMath.ResidualSquared(x, c, m2) * noise2;
            b3 += KernelMath.ResidualSquared(x, c, m3) * noise3;
            if ((p & (SumBlock - 1)) == SumBlock - 1)
            {
                t0 += b0; t1 += b1; t2 += b2; t3 += b3;
                b0 = 0f; b1 = 0f; b2 = 0f; b3 = 0f;
            }
        }
        int row = a.Entries.EntrySlot[e] * a.VolumeCount;
        a.Output[row + j0] = t0 + b0;
        if (has1) a.Output[row + j0 + 1] = t1 + b1;
        if (has2) a.Output[row + j0 + 2] = t2 + b2;
        if (has3) a.Output[row + j0 + 3] = t3 + b3;
    }

    /// <summary>
    /// Out[slot, s] = sum_j W[slot, j] sum_{p in shell s} |X_p - CTF_p V_j(A^T k_p)|^2, one thread per entry (it
    /// owns its output row, so no atomics): what the engine needs to estimate the per-shell noise.
    /// </summary>
    public static void ShellResidual(ShellResidualArgs a)
    {
        int e = GlobalIndex();
        if (e >= a.Entries.EntryCount) return;
        int particle = a.Entries.EntryParticle[e];
        int slot = a.Entries.EntrySlot[e];
        int pixels = a.Particles.PixelCount;
        int m = a.Box;
        int rowOffset = slot * a.ShellCount;
        for (int s = 0; s < a.ShellCount; s++) a.Output[rowOffset + s] = 0f;
        int r = particle * 9;
        float a00 = a.Particles.Rotations[r], a01 = a.Particles.Rotations[r + 1], a02 = a.Particles.Rotations[r + 2];
        float a10 = a.Particles.Rotations[r + 3], a11 = a.Particles.Rotations[r + 4], a12 = a.Particles.Rotations[r + 5];
        var reader = new ViewFloatReader(a.Volumes);
        int dataOffset = particle * pixels;
        for (int j = 0; j < a.VolumeCount; j++)
        {
            float w = a.Weights[slot * a.VolumeCount + j];
            if (w == 0f) continue;
            int volumeOffset = a.VolumeIndex[j] * m * m * m * 2;
            for (int p = 0; p < pixels; p++)
            {
                int kx = a.Particles.Kx[p], ky = a.Particles.Ky[p];
                var x = new Complex32(a.Particles.Data[2 * (dataOffset + p)], a.Particles.Data[2 * (dataOffset + p) + 1]);
                var model = new Complex32(0f, 0f);
                if (KernelMath.InsideSlice(kx, ky, m))
                {
                    Frequency3 q = KernelMath.SliceFrequency(a00, a01, a02, a10, a11, a12, kx, ky);
                    model = KernelMath.Gather(reader, volumeOffset, m, KernelMath.Stencil(m, q));
                }
                int s = a.Particles.Shell[p];
                if (s < a.ShellCount)
                    a.Output[rowOffset + s] += w * KernelMath.ResidualSquared(x, a.Particles.Ctf[dataOffset + p], model);
            }
        }
    }

    /// <summary>
    /// Weighted backprojection into private partial volumes: work item (g, j) takes the contiguous share g of this
    /// launch's entries (given by the host, so a batch staged in pieces splats in the same order as a resident one) and splats W * CTF * X and W * CTF^2 at A^T k and, conjugated, at -A^T k (the kept half
    /// plane stands for both halves of the Hermitian transform). Nobody else writes its partial volume.
    /// </summary>
    public static void Backproject(BackprojectArgs a)
    {
        int i = GlobalIndex();
        if (i >= a.PartialCount * a.GroupVolumes) return;
        int g = i / a.GroupVolumes;
        int j = i - g * a.GroupVolumes;
        int first = a.ShareStarts[g];
        int end = a.ShareStarts[g + 1];
        int m = a.Box;
        int pixels = a.Particles.PixelCount;
        var target = new ViewVoxelAccumulator(a.PartialNumerator, a.PartialDenominator, i * m * m * m);
        for (int e = first; e < end; e++)
        {
            float w = a.Weights[a.Entries.EntrySlot[e] * a.WeightColumns + a.GroupStart + j];
            if (w == 0f) continue;
            int particle = a.Entries.EntryParticle[e];
            int r = particle * 9;
            float a00 = a.Particles.Rotations[r], a01 = a.Particles.Rotations[r + 1], a02 = a.Particles.Rotations[r + 2];
            float a10 = a.Particles.Rotations[r + 3], a11 = a.Particles.Rotations[r + 4], a12 = a.Particles.Rotations[r + 5];
            int dataOffset = particle * pixels;
            for (int p = 0; p < pixels; p++)
            {
                int kx = a.Particles.Kx[p], ky = a.Particles.Ky[p];
                if (!KernelMath.InsideSlice(kx, ky, m)) continue;
                float c = a.Particles.Ctf[dataOffset + p];
                float wc = w * c;
                float re = wc * a.Particles.Data[2 * (dataOffset + p)];
                float im = wc * a.Particles.Data[2 * (dataOffset + p) + 1];
                float den = wc * c;
                Frequency3 q = KernelMath.SliceFrequency(a00, a01, a02, a10, a11, a12, kx, ky);
                // The Hermitian mate (conjugate at -q) is added once per voxel when the partials are reduced.
                KernelMath.Splat(target, m, KernelMath.Stencil(m, q), re, im, den);
            }
        }
    }

    /// <summary>Volumes splatted together per work item by <see cref="BackprojectSlabs"/>.</summary>
    public const int SlabGroup = 4;

    /// <summary>
    /// Weighted backprojection tiled by z-slabs (the CPU scheme): work item (group of 4 volumes, slab) splats every
    /// entry of the launch into its volumes, but only the stencil corners in its own slab of planes, so no two work
    /// items write one voxel and no private volumes are needed. The rotation, row ranges and stencil of a pixel are
    /// computed once for the four volumes (a volume whose weight is 0 is skipped). A row's pixels that can reach the
    /// slab are found from the plane's equation (<see cref="KernelMath.SlabKyRange"/>, <see cref="KernelMath.SlabRowRange"/>),
    /// so a work item visits about its share of the pixels. Every voxel receives its contributions in entry, then
    /// pixel order: the same sums as one private partial volume.
    /// </summary>
    public static void BackprojectSlabs(BackprojectSlabArgs a)
    {
        int i = GlobalIndex();
        int groups = (a.GroupVolumes + SlabGroup - 1) / SlabGroup;
        if (i >= a.SlabCount * groups) return;
        int group = i / a.SlabCount;
        int slab = i - group * a.SlabCount;
        int j0 = group * SlabGroup;
        bool has1 = j0 + 1 < a.GroupVolumes, has2 = j0 + 2 < a.GroupVolumes, has3 = j0 + 3 < a.GroupVolumes;
        int m = a.Box;
        int zFirst = slab * a.SlabPlanes;
        int zEnd = Math.Min(m, zFirst + a.SlabPlanes);
        int pixels = a.Particles.PixelCount;
        int voxels = m * m * m;
        var target0 = new ViewVoxelAccumulator(a.Numerator, a.Denominator, j0 * voxels);
        var target1 = new ViewVoxelAccumulator(a.Numerator, a.Denominator, has1 ? (j0 + 1) * voxels : 0);
        var target2 = new ViewVoxelAccumulator(a.Numerator, a.Denominator, has2 ? (j0 + 2) * voxels : 0);
        var target3 = new ViewVoxelAccumulator(a.Numerator, a.Denominator, has3 ? (j0 + 3) * voxels : 0);
        for (int e = 0; e < a.Entries.EntryCount; e++)
        {
            int row0 = a.Entries.EntrySlot[e] * a.WeightColumns + a.GroupStart + j0;
            float w0 = a.Weights[row0];
            float w1 = has1 ? a.Weights[row0 + 1] : 0f;
            float w2 = has2 ? a.Weights[row0 + 2] : 0f;
            float w3 = has3 ? a.Weights[row0 + 3] : 0f;
            if (w0 == 0f && w1 == 0f && w2 == 0f && w3 == 0f) continue;
            int particle = a.Entries.EntryParticle[e];
            int r = particle * 9;
            float a00 = a.Particles.Rotations[r], a01 = a.Particles.Rotations[r + 1], a02 = a.Particles.Rotations[r + 2];
            float a10 = a.Particles.Rotations[r + 3], a11 = a.Particles.Rotations[r + 4], a12 = a.Particles.Rotations[r + 5];
            int dataOffset = particle * pixels;
            KxRange rows = KernelMath.SlabKyRange(a02, a12, m / 2, m, zFirst, zEnd);
            for (int row = 0; row < a.RowCount; row++)
            {
                int ky = a.Rows[4 * row + 1];
                if (ky < rows.First || ky > rows.Last) continue;
                int start = a.Rows[4 * row], kxFirst = a.Rows[4 * row + 2];
                KxRange range = KernelMath.SlabRowRange(a02, a12, ky, kxFirst, a.Rows[4 * row + 3], m, zFirst, zEnd);
                for (int kx = range.First; kx <= range.Last; kx++)
                {
                    if (!KernelMath.InsideSlice(kx, ky, m)) continue;
                    TrilinearStencil st = KernelMath.Stencil(m, KernelMath.SliceFrequency(a00, a01, a02, a10, a11, a12, kx, ky));
                    if (st.Z0 < zFirst - 1 || st.Z0 >= zEnd) continue;
                    int p = dataOffset + start + kx - kxFirst;
                    float c = a.Particles.Ctf[p];
                    float xr = a.Particles.Data[2 * p], xi = a.Particles.Data[2 * p + 1];
                    if (w0 != 0f) SplatWeighted(target0, m, zFirst, zEnd, st, w0 * c, xr, xi, c);
                    if (w1 != 0f) SplatWeighted(target1, m, zFirst, zEnd, st, w1 * c, xr, xi, c);
                    if (w2 != 0f) SplatWeighted(target2, m, zFirst, zEnd, st, w2 * c, xr, xi, c);
                    if (w3 != 0f) SplatWeighted(target3, m, zFirst, zEnd, st, w3 * c, xr, xi, c);
                }
            }
        }
    }

    /// <summary>Splats W CTF X and W CTF^2 (wc = W CTF) into one volume's slab: the products every backprojection forms.</summary>
    private static void SplatWeighted(ViewVoxelAccumulator target, int m, int zFirst, int zEnd, TrilinearStencil st, float wc, float xr, float xi, float c) =>
        KernelMath.SplatSlab(target, m, zFirst, zEnd, st, wc * xr, wc * xi, wc * c);

    /// <summary>
    /// Sums the partial volumes in the fixed order g = 0, 1, ... (deterministic), then adds the Hermitian mate: the
    /// splat of the conjugate at -q equals the conjugate of the splat at q mirrored, so V(f) += conj(V(-f)) once per
    /// voxel replaces a second splat per pixel (half the scattered writes). One thread per voxel.
    /// </summary>
    public static void Reduce(ReduceArgs a)
    {
        int i = GlobalIndex();
        if (i >= a.GroupVolumes * a.Voxels) return;
        int j = i / a.Voxels;
        int voxel = i - j * a.Voxels;
        int m = a.Box;
        int z = voxel / (m * m);
        int y = (voxel - z * m * m) / m;
        int x = voxel - (z * m + y) * m;
        // Centred layout: index = f + m/2, so -f sits at m - index (absent for index 0, the most negative frequency).
        // A flag, not a -1 sentinel: ILGPU writes int -1 as 4294967295, and clang then warns on every PoCL compile.
        bool hasMirror = x > 0 && y > 0 && z > 0;
        int mirror = hasMirror ? ((m - z) * m + (m - y)) * m + (m - x) : 0;
        float re = 0f, im = 0f, den = 0f;
        for (int g = 0; g < a.PartialCount; g++)
        {
            int v = (g * a.GroupVolumes + j) * a.Voxels + voxel;
            re += a.PartialNumerator[2 * v];
            im += a.PartialNumerator[2 * v + 1];
            den += a.PartialDenominator[v];
        }
        if (hasMirror)
        {
            for (int g = 0; g < a.PartialCount; g++)
            {
                int v = (g * a.GroupVolumes + j) * a.Voxels + mirror;
                re += a.PartialNumerator[2 * v];
                im -= a.PartialNumerator[2 * v + 1];
                den += a.PartialDenominator[v];
            }
        }
        int o = (a.GroupStart + j) * a.Voxels + voxel;
        a.Numerator[2 * o] = re;
        a.Numerator[2 * o + 1] = im;
        a.Denominator[o] = den;
    }

    /// <summary>V = num / (den + reg[shell]) inside radius M/2 - 1, zero outside; one thread per voxel.</summary>
    public static void Reconstruct(ReconstructArgs a)
    {
        int m = a.Box;
        int voxels = m * m * m;
        int i = GlobalIndex();
        if (i >= a.VolumeCount * voxels) return;
        int v = i / voxels;
        int voxel = i - v * voxels;
        int z = voxel / (m * m);
        int y = (voxel - z * m * m) / m;
        int x = voxel - (z * m + y) * m;
        int half = m / 2;
        int fx = x - half, fy = y - half, fz = z - half;
        var value = new Complex32(0f, 0f);
        if (KernelMath.InsideVolume(fx, fy, fz, m))
        {
            int shell = KernelMath.VoxelShell(fx, fy, fz, a.ShellCount);
            value = KernelMath.ReconstructVoxel(
                new Complex32(a.Numerator[2 * i], a.Numerator[2 * i + 1]), a.Denominator[i], a.Regulariser[v * a.ShellCount + shell]);
        }
        a.Output[2 * i] = value.Re;
        a.Output[2 * i + 1] = value.Im;
    }

    /// <summary>Target = keep[v] * target + add[v] * source (online-EM blending of running sums), per element.</summary>
    public static void Blend(BlendArgs a)
    {
        int i = GlobalIndex();
        if (i >= a.Count) return;
        int v = i / a.PerVolume;
        a.Target[i] = a.Keep[v] * a.Target[i] + a.Add[v] * a.Source[i];
    }

    /// <summary>Exercises what the real kernels rely on (helper calls with views, Core's CTF with MathF).</summary>
    public static void Probe(ProbeArgs a)
    {
        int i = GlobalIndex();
        if (i >= a.Count) return;
        float t = i * 0.37f;
        var q = new Frequency3(MathF.Cos(t) * 0.8f, MathF.Sin(t) * 0.8f, 0.25f);
        Complex32 s = KernelMath.Gather(new ViewFloatReader(a.Volume), 0, 4, KernelMath.Stencil(4, q));
        a.Output[i] = s.Re + 2f * s.Im + KernelMath.Ctf(a.Ctf, i, 1, 0.01f);
    }

    /// <summary>Host value of <see cref="Probe"/> at index i.</summary>
    public static float ProbeOnHost(float[] volume, in CtfCoefficients ctf, int i)
    {
        float t = i * 0.37f;
        var q = new Frequency3(MathF.Cos(t) * 0.8f, MathF.Sin(t) * 0.8f, 0.25f);
        Complex32 s = KernelMath.Gather(new ArrayFloatReader(volume), 0, 4, KernelMath.Stencil(4, q));
        return s.Re + 2f * s.Im + KernelMath.Ctf(ctf, i, 1, 0.01f);
    }
}
