using ILGPU;
using ILGPU.Runtime;
using SweepLab.Compute.Kernels;
using SweepLab.Core.Ctf;
using SweepLab.Core.Particles;

namespace SweepLab.Compute;

/// <summary>
/// The classification kernels on one device, with the particle set uploaded once and shared by every
/// configuration that runs on it (the class volumes of many configurations can sit in one <see cref="VolumeStack"/>
/// and be scored in one pass over each particle's pixels). A set larger than <see cref="ParticleBudgetBytes"/> is not
/// uploaded: each batch is staged as it comes (see ClassificationKernels.Staging.cs), with identical results. Device
/// buffers are reused between calls; the host sees only batch-sized inputs and outputs. Not thread-safe: one caller at a time.
/// </summary>
public sealed partial class ClassificationKernels : IDisposable
{
    /// <summary>Default device memory for backprojection partial volumes; volume groups are formed to fit.</summary>
    public const long DefaultPartialBudgetBytes = 1L << 30;

    private readonly ComputeDevice _device;
    private readonly Accelerator _accelerator;
    private readonly Action<KernelConfig, CtfTableArgs> _ctfTable;
    private readonly Action<KernelConfig, ResidualArgs> _residual;
    private readonly Action<KernelConfig, ShellResidualArgs> _shellResidual;
    private readonly Action<KernelConfig, BackprojectArgs> _backproject;
    private readonly Action<KernelConfig, BackprojectSlabArgs> _backprojectSlabs;
    private readonly Action<KernelConfig, ReduceArgs> _reduce;
    private readonly Action<KernelConfig, ReconstructArgs> _reconstruct;
    private readonly Action<KernelConfig, BlendArgs> _blend;

    private readonly List<ParticleChunk> _chunks = new();
    private MemoryBuffer1D<int, Stride1D.Dense>? _kx, _ky, _shell, _rows;
    private readonly Scratch<int> _entries, _volumeIndex, _shares;
    private readonly Scratch<float> _invSigma2, _weights, _output, _partialNumerator, _partialDenominator, _keep, _add, _regulariser;
    private int[] _hostEntries = Array.Empty<int>();
    private bool _disposed;

    /// <summary>Box M of the class volumes (the particle set's cropped box); 0 before an upload.</summary>
    public int Box { get; private set; }
    public int ParticleCount { get; private set; }
    public int PixelCount { get; private set; }
    /// <summary>Shells 0 .. MaxRadius of the kept pixels: the length noise and regulariser spectra need.</summary>
    public int ShellCount { get; private set; }
    public ComputeDevice Device => _device;
    /// <summary>Device memory the backprojection may use for partial volumes (at least one partial set must fit).</summary>
    public long PartialBudgetBytes { get; set; } = DefaultPartialBudgetBytes;
    /// <summary>Test seam: planes per backprojection slab (instead of <see cref="SlabPlanes"/>), so tests cut small volumes into many slabs.</summary>
    internal int? SlabPlanesOverride { get; set; }
    /// <summary>Test seam: caps particles per device chunk so that the multi-chunk path runs on small inputs.</summary>
    internal int? ChunkParticleLimit { get; set; }
    internal int ChunkCount => _chunks.Count;

    /// <summary>Compiles (once, here) every kernel for the device.</summary>
    public ClassificationKernels(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        _accelerator = device.Accelerator;
        _ctfTable = _accelerator.LoadStreamKernel<CtfTableArgs>(KernelBodies.CtfTable);
        _residual = _accelerator.LoadStreamKernel<ResidualArgs>(KernelBodies.Residual4);
        _shellResidual = _accelerator.LoadStreamKernel<ShellResidualArgs>(KernelBodies.ShellResidual);
        _backproject = _accelerator.LoadStreamKernel<BackprojectArgs>(KernelBodies.Backproject);
        _backprojectSlabs = _accelerator.LoadStreamKernel<BackprojectSlabArgs>(KernelBodies.BackprojectSlabs);
        _reduce = _accelerator.LoadStreamKernel<ReduceArgs>(KernelBodies.Reduce);
        _reconstruct = _accelerator.LoadStreamKernel<ReconstructArgs>(KernelBodies.Reconstruct);
        _blend = _accelerator.LoadStreamKernel<BlendArgs>(KernelBodies.Blend);
        _entries = new Scratch<int>(_accelerator);
        _volumeIndex = new Scratch<int>(_accelerator);
        _shares = new Scratch<int>(_accelerator);
        _invSigma2 = new Scratch<float>(_accelerator);
        _weights = new Scratch<float>(_accelerator);
        _output = new Scratch<float>(_accelerator);
        _partialNumerator = new Scratch<float>(_accelerator);
        _partialDenominator = new Scratch<float>(_accelerator);
        _keep = new Scratch<float>(_accelerator);
        _add = new Scratch<float>(_accelerator);
        _regulariser = new Scratch<float>(_accelerator);
    }

    /// <summary>
    /// Uploads the particle pixels, poses and the CTF table (computed on the device with Core's formula) once;
    /// replaces any earlier set. Sets larger than one device buffer are split into chunks transparently; sets larger
    /// than <see cref="ParticleBudgetBytes"/> stay where they are (memory or the cache file) and are staged per batch.
    /// <paramref name="applyCtf"/> false uses CTF = 1 everywhere (data already corrected, or projector tests).
    /// </summary>
    public void UploadParticles(ParticleSet particles, bool applyCtf = true)
    {
        ArgumentNullException.ThrowIfNull(particles);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReleaseParticles();
        var grid = particles.Grid;
        Box = grid.CroppedBox;
        ParticleCount = particles.Count;
        PixelCount = particles.PixelCount;
        ShellCount = grid.MaxRadius + 1;
        if (PixelCount == 0) throw new ArgumentException("the particle set keeps no Fourier pixels", nameof(particles));
        _kx = _accelerator.Allocate1D(ToInts(grid.KxValues));
        _ky = _accelerator.Allocate1D(ToInts(grid.KyValues));
        _shell = _accelerator.Allocate1D(ToInts(grid.ShellValues));
        _rows = _accelerator.Allocate1D(PixelRows(grid.KxValues, grid.KyValues));
        _set = particles;
        _applyCtf = applyCtf;
        float[] rotations = particles.RotationsAsFloats();
        CtfCoefficients[] coefficients = particles.CtfCoefficients();
        long perChunk = Math.Max(1, _device.MaxBufferBytes / ((long)PixelCount * 2 * sizeof(float)));
        if (ChunkParticleLimit is { } limit) perChunk = Math.Min(perChunk, limit);
        _particlesPerChunk = (int)Math.Min(perChunk, int.MaxValue);
        if (ParticleBudgetBytes is long budget && (long)particles.Count * DeviceBytesPerParticle > budget)
        {
            StartStaging(budget, rotations, coefficients);
            return;
        }
        for (int first = 0; first < particles.Count; first += (int)perChunk)
        {
            int count = (int)Math.Min(perChunk, particles.Count - first);
            var chunk = new ParticleChunk(first, count);
            _chunks.Add(chunk);
            chunk.Data = _accelerator.Allocate1D<float>((long)count * PixelCount * 2);
            CopyRowsToDevice(particles, first, count, chunk.Data.View.AsContiguous());
            chunk.Rotations = _accelerator.Allocate1D<float>((long)count * 9);
            chunk.Ctf = _accelerator.Allocate1D<float>((long)count * PixelCount);
            using var scratch = _accelerator.Allocate1D<CtfCoefficients>(count);
            FillPosesAndCtf(chunk, rotations.AsSpan(first * 9, count * 9), coefficients.AsSpan(first, count), scratch.View);
        }
    }

    /// <summary>Particle bytes on the device when resident: pixels (8 per pixel), the CTF table (4 per pixel), the pose.</summary>
    private long DeviceBytesPerParticle => BytesPerParticle(PixelCount);

    private static long BytesPerParticle(int pixelCount) => (long)pixelCount * (2 * sizeof(float) + sizeof(float)) + 9 * sizeof(float);

    /// <summary>Bytes a set takes when uploaded whole: compare with <see cref="ParticleBudgetBytes"/>.</summary>
    public static long ResidentBytes(ParticleSet particles)
    {
        ArgumentNullException.ThrowIfNull(particles);
        return particles.Count * BytesPerParticle(particles.PixelCount);
    }

    /// <summary>Copies consecutive particles' pixels to a device view, through a bounded host buffer when they live in a file.</summary>
    private void CopyRowsToDevice(ParticleSet particles, int first, int count, ArrayView<float> target)
    {
        int row = PixelCount * 2;
        if (particles.Pixels.TryGetRows(first, count, out var rows))
        {
            target.SubView(0, (long)count * row).CopyFromCPU(rows);
            return;
        }
        int per = Math.Max(1, UploadPieceFloats / row);
        var host = new float[Math.Min(per, count) * row];
        for (int done = 0; done < count; done += per)
        {
            int n = Math.Min(per, count - done);
            particles.CopyRows(first + done, n, host);
            target.SubView((long)done * row, (long)n * row).CopyFromCPU(host.AsSpan(0, n * row));
        }
    }

    /// <summary>Floats per host piece when a file-backed set is uploaded (64 MiB).</summary>
    private const int UploadPieceFloats = 1 << 24;

    /// <summary>
    /// Writes a chunk's poses and computes its CTF table on the device (CTF = 1 when the set's CTF is not applied), the
    /// coefficients passing through <paramref name="scratch"/> (at least as long as the chunk).
    /// </summary>
    private void FillPosesAndCtf(ParticleChunk chunk, ReadOnlySpan<float> rotations, ReadOnlySpan<CtfCoefficients> coefficients,
        ArrayView1D<CtfCoefficients, Stride1D.Dense> scratch)
    {
        int count = coefficients.Length;
        chunk.Rotations!.View.AsContiguous().SubView(0, rotations.Length).CopyFromCPU(rotations);
        var deviceCoefficients = scratch.AsContiguous().SubView(0, count);
        deviceCoefficients.CopyFromCPU(coefficients);
        float perAngstrom = (float)(1.0 / (_set!.Grid.OriginalBox * _set.Grid.OriginalPixelSizeAngstrom));
        _ctfTable(Elementwise(count * PixelCount), new CtfTableArgs(
            deviceCoefficients, _kx!.View, _ky!.View, chunk.Ctf!.View, count, PixelCount, perAngstrom, _applyCtf ? 1 : 0));
        _accelerator.Synchronize();
    }

    /// <summary>The CTF values the kernels use for one particle (one per kept pixel), for checks and plots.</summary>
    public float[] CtfValues(int particle)
    {
        RequireParticles();
        ArgumentOutOfRangeException.ThrowIfNegative(particle);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(particle, ParticleCount);
        var result = new float[PixelCount];
        if (Staging)
        {
            Stage([particle]);
            _stage!.Ctf!.View.SubView(0, PixelCount).CopyToCPU(result);
            return result;
        }
        ParticleChunk chunk = ChunkOf(particle);
        chunk.Ctf!.View.AsContiguous().SubView((long)(particle - chunk.First) * PixelCount, PixelCount).CopyToCPU(result);
        return result;
    }

    /// <summary>A zeroed stack of <paramref name="count"/> volumes of the uploaded set's box.</summary>
    public VolumeStack CreateVolumes(int count)
    {
        RequireParticles();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return new VolumeStack(_device, count, Box);
    }

    /// <summary>Zeroed backprojection sums for <paramref name="count"/> volumes of the uploaded set's box.</summary>
    public BackprojectionSums CreateSums(int count)
    {
        RequireParticles();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return new BackprojectionSums(_device, count, Box);
    }

    /// <summary>
    /// output[b * V + j] = sum over kept pixels p of |X_bp - CTF_bp V_j(A_b^T k_p)|^2 * w_j[shell_p], for
    /// particle <c>batch[b]</c> and volume <c>volumeIndices[j]</c> of <paramref name="volumes"/>; slice samples
    /// beyond radius M/2 - 1 are zero. invSigma2 holds either V x <see cref="ShellCount"/> entries (w_j at
    /// [j ShellCount], so runs with their own noise models still share one pass over each particle) or at least
    /// <see cref="ShellCount"/> entries shared by every volume.
    /// </summary>
    public void Residuals(ReadOnlySpan<int> batch, ReadOnlySpan<int> volumeIndices, VolumeStack volumes,
        ReadOnlySpan<float> invSigma2, Span<float> output)
    {
        RequireParticles();
        RequireStack(volumes, nameof(volumes));
        RequireVolumeIndices(volumeIndices, volumes.Count);
        if (invSigma2.Length < ShellCount)
            throw new ArgumentException($"invSigma2 has {invSigma2.Length} shells; {ShellCount} needed (0 .. max radius)", nameof(invSigma2));
        int b = batch.Length, v = volumeIndices.Length;
        DeviceLimits.RequireLength(output.Length, (long)b * v, nameof(output));
        if (b == 0) return;
        var passes = PlanPasses(batch, partialCount: null);
        ArrayView<int> entries = _entries.Upload(_hostEntries.AsSpan(0, 2 * b));
        ArrayView<int> volumeIndex = _volumeIndex.Upload(volumeIndices);
        ArrayView<float> sigma = _invSigma2.Upload(PerVolumeWeights(invSigma2, v));
        ArrayView<float> result = _output.Get((long)b * v);
        for (int i = 0; i < passes.Count; i++)
        {
            var pass = passes[i];
            var args = new ResidualArgs(Ready(passes, i), EntryViews(entries, b, pass.Offset, pass.Count), volumeIndex, v,
                volumes.Buffer.View, Box, sigma, ShellCount, result);
            int cells = pass.Count * ((v + KernelBodies.ResidualGroup - 1) / KernelBodies.ResidualGroup);
            _residual(Grouped(cells, ResidualGroupSize(cells)), args);
        }
        _accelerator.Synchronize();
        result.CopyToCPU(output);
    }

    /// <summary>The likelihood weights as V consecutive spectra, the layout the residual kernel reads.</summary>
    private float[] PerVolumeWeights(ReadOnlySpan<float> invSigma2, int volumeCount)
    {
        if (invSigma2.Length == (long)volumeCount * ShellCount) return invSigma2.ToArray();
        var result = new float[volumeCount * ShellCount];
        for (int j = 0; j < volumeCount; j++) invSigma2[..ShellCount].CopyTo(result.AsSpan(j * ShellCount, ShellCount));
        return result;
    }

    /// <summary>
    /// output[b * ShellCount + s] = sum_j weights[b * V + j] * sum over kept pixels p in shell s of
    /// |X_bp - CTF_bp V_j(A_b^T k_p)|^2: the per-particle, per-shell residual power from which the engine
    /// estimates the noise spectrum (one-hot weights for the best class, posteriors for a soft estimate).
    /// </summary>
    public void ShellResiduals(ReadOnlySpan<int> batch, ReadOnlySpan<int> volumeIndices, VolumeStack volumes,
        ReadOnlySpan<float> weights, Span<float> output)
    {
        RequireParticles();
        RequireStack(volumes, nameof(volumes));
        RequireVolumeIndices(volumeIndices, volumes.Count);
        int b = batch.Length, v = volumeIndices.Length;
        DeviceLimits.RequireLength(weights.Length, (long)b * v, nameof(weights));
        DeviceLimits.RequireLength(output.Length, (long)b * ShellCount, nameof(output));
        if (b == 0) return;
        var passes = PlanPasses(batch, partialCount: null);
        ArrayView<int> entries = _entries.Upload(_hostEntries.AsSpan(0, 2 * b));
        ArrayView<int> volumeIndex = _volumeIndex.Upload(volumeIndices);
        ArrayView<float> w = _weights.Upload(weights);
        ArrayView<float> result = _output.Get((long)b * ShellCount);
        for (int i = 0; i < passes.Count; i++)
        {
            var pass = passes[i];
            var args = new ShellResidualArgs(Ready(passes, i), EntryViews(entries, b, pass.Offset, pass.Count), volumeIndex, v,
                volumes.Buffer.View, Box, w, ShellCount, result);
            _shellResidual(Grouped(pass.Count, _device.IsCpu ? 1 : 64), args);
        }
        _accelerator.Synchronize();
        result.CopyToCPU(output);
    }

    /// <summary>
    /// The partial-volume count used when none is given: 4 per hardware thread on CPU devices (load balance),
    /// 2 per multiprocessor on GPUs, never more than the batch. Results are bit-identical for a given count.
    /// </summary>
    public int DefaultPartialCount(int batchSize) =>
        Math.Max(1, Math.Min(Math.Max(1, batchSize), (_device.IsCpu ? 4 : 2) * _device.ParallelUnits));

    /// <summary>
    /// Volumes one slab launch accumulates at most (12 B per voxel of scratch each): four work items' groups of four,
    /// enough to share each pixel's stencil, while a sweep's hundreds of volumes go through in turn instead of holding
    /// scratch for all of them.
    /// </summary>
    public const int SlabLaunchVolumes = 16;

    /// <summary>
    /// Scratch volumes (12 B per voxel) a backprojection into <paramref name="volumes"/> volumes holds, up to
    /// <see cref="PartialBudgetBytes"/>: with the CPU devices' slabs one accumulation volume per volume of a launch
    /// (<see cref="SlabLaunchVolumes"/> at most); on GPUs the partial count per volume of a run's <paramref name="runVolumes"/>.
    /// </summary>
    public long ScratchVolumes(int volumes, int runVolumes, int batchSize)
    {
        if (_device.IsCpu) return SlabLaunchSize(Math.Max(1, volumes));
        int g = DefaultPartialCount(batchSize);
        return (long)g * PartialGroupVolumes(g, Math.Max(1, runVolumes));
    }

    /// <summary>
    /// Volumes one private-partial launch backprojects together: as many as <paramref name="partialCount"/> partial
    /// volumes each (12 B per voxel: the complex numerator and the denominator) fit in <see cref="PartialBudgetBytes"/>,
    /// at most <paramref name="volumes"/>.
    /// </summary>
    private int PartialGroupVolumes(int partialCount, int volumes)
    {
        long bytesPerPartialVolume = 12L * Box * Box * Box;
        long budget = Math.Min(PartialBudgetBytes, _device.MaxBufferBytes);
        long groupVolumes = budget / (partialCount * bytesPerPartialVolume);
        if (groupVolumes < 1)
            throw new ArgumentException(
                $"{partialCount} partial volumes of {Box}^3 need {partialCount * bytesPerPartialVolume / (1024.0 * 1024):0.#} MiB, over the {budget / (1024.0 * 1024):0.#} MiB budget; use fewer partials",
                "partialCount");
        return (int)Math.Min(groupVolumes, volumes);
    }

    /// <summary>
    /// Overwrites <paramref name="sums"/> with the weighted backprojection of the batch: for every volume v,
    /// numerator sum_b W[b, v] CTF_bp X_bp and denominator sum_b W[b, v] CTF_bp^2, splatted trilinearly at
    /// A_b^T k_p and, conjugated, at -A_b^T k_p. weights is [b * sums.Count + v]; zero weights are skipped.
    /// Without <paramref name="partialCount"/>, CPU devices tile each volume into z-slabs (<see cref="KernelBodies.BackprojectSlabs"/>:
    /// deterministic, and the same sums as one partial volume); GPUs and an explicit count use private partial
    /// volumes: work item g of <paramref name="partialCount"/> owns a contiguous share of the batch and its own
    /// volumes, summed afterwards in a fixed order, so the result is deterministic for a given partial count.
    /// </summary>
    public void Backproject(ReadOnlySpan<int> batch, ReadOnlySpan<float> weights, BackprojectionSums sums, int? partialCount = null)
    {
        RequireParticles();
        ArgumentNullException.ThrowIfNull(sums);
        if (sums.Box != Box) throw new ArgumentException($"sums have box {sums.Box}; the particles need {Box}", nameof(sums));
        int b = batch.Length, v = sums.Count;
        DeviceLimits.RequireLength(weights.Length, (long)b * v, nameof(weights));
        if (partialCount is null && _device.IsCpu)
        {
            BackprojectSlabs(batch, weights, [sums], v);
            return;
        }
        int g = partialCount ?? DefaultPartialCount(b);
        if (g < 1) throw new ArgumentOutOfRangeException(nameof(partialCount), g, "partial count must be at least 1");
        int voxels = Box * Box * Box;
        int vg = PartialGroupVolumes(g, Math.Max(1, v));

        var passes = b > 0 ? PlanPasses(batch, g) : [];
        ArrayView<int> entries = b > 0 ? _entries.Upload(_hostEntries.AsSpan(0, 2 * b)) : default;
        ArrayView<int> shares = b > 0 ? _shares.Upload(_hostShares.AsSpan(0, passes.Count * (g + 1))) : default;
        ArrayView<float> w = b > 0 ? _weights.Upload(weights) : default;
        ArrayView<float> partialNumerator = _partialNumerator.Get((long)g * vg * voxels * 2);
        ArrayView<float> partialDenominator = _partialDenominator.Get((long)g * vg * voxels);
        for (int start = 0; start < v; start += vg)
        {
            int count = Math.Min(vg, v - start);
            ArrayView<float> numerator = partialNumerator.SubView(0, (long)g * count * voxels * 2);
            ArrayView<float> denominator = partialDenominator.SubView(0, (long)g * count * voxels);
            numerator.MemSetToZero();
            denominator.MemSetToZero();
            for (int i = 0; i < passes.Count; i++)
            {
                var pass = passes[i];
                var args = new BackprojectArgs(Ready(passes, i), EntryViews(entries, b, pass.Offset, pass.Count),
                    shares.SubView((long)i * (g + 1), g + 1), w, v, start, count, g, Box, numerator, denominator);
                _backproject(Grouped(g * count, _device.IsCpu ? 1 : 32), args);
            }
            _reduce(Elementwise(count * voxels), new ReduceArgs(
                numerator, denominator, g, start, count, voxels, sums.Numerator.View, sums.Denominator.View, Box));
        }
        _accelerator.Synchronize();
    }

    /// <summary>
    /// Planes per backprojection slab: at least two slabs per volume (half the footprint of a work item's writes),
    /// and enough that <paramref name="volumeGroups"/> x slabs gives each of <paramref name="threads"/> hardware threads
    /// about four work items (the central slabs, which every slice crosses, take about twice the mean work). Measured
    /// at box 94 on 2 cores (4,000 particles, one volume per work item): thinner slabs (4-12 planes, cache-sized) were 1.2-1.7x slower, as each
    /// pixel whose stencil straddles two slabs is visited twice and the kernel is bound by instructions, not memory.
    /// </summary>
    public static int SlabPlanes(int box, int volumeGroups, int threads)
    {
        int slabs = Math.Max(2, (4 * threads + volumeGroups - 1) / volumeGroups);
        return Math.Max(2, (box + slabs - 1) / slabs);
    }

    /// <summary>
    /// Backprojects one batch into several sums at once (the runs of a lockstep sweep, which share their batches):
    /// weights is [b * V + column] with V the total volume count, the columns of sums[0] first. On CPU devices every
    /// volume goes through one slab launch per volume group, so a pixel's rotation and stencil serve four volumes
    /// whichever run they belong to; each volume's sums are the same bits as backprojected alone (a voxel's sum order
    /// is the batch's, whatever shares its work item). GPUs backproject each sums in turn.
    /// </summary>
    public void BackprojectMany(ReadOnlySpan<int> batch, ReadOnlySpan<float> weights, IReadOnlyList<BackprojectionSums> sums)
    {
        RequireParticles();
        ArgumentNullException.ThrowIfNull(sums);
        int b = batch.Length, v = 0;
        foreach (var s in sums)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(sums));
            if (s.Box != Box) throw new ArgumentException($"sums have box {s.Box}; the particles need {Box}", nameof(sums));
            v += s.Count;
        }
        DeviceLimits.RequireLength(weights.Length, (long)b * v, nameof(weights));
        if (_device.IsCpu)
        {
            BackprojectSlabs(batch, weights, sums, v);
            return;
        }
        int first = 0;
        foreach (var s in sums)
        {
            var columns = new float[(long)b * s.Count];
            for (int i = 0; i < b; i++) weights.Slice(i * v + first, s.Count).CopyTo(columns.AsSpan(i * s.Count, s.Count));
            Backproject(batch, columns, s);
            first += s.Count;
        }
    }

    /// <summary>
    /// The slab scheme of <see cref="Backproject"/> and <see cref="BackprojectMany"/>:
    /// volume groups sized by <see cref="PartialBudgetBytes"/>, one accumulation volume each, reduced (with the
    /// Hermitian mate) into the sums the volumes belong to.
    /// </summary>
    private void BackprojectSlabs(ReadOnlySpan<int> batch, ReadOnlySpan<float> weights, IReadOnlyList<BackprojectionSums> sums, int v)
    {
        int b = batch.Length;
        int voxels = Box * Box * Box;
        int vg = SlabLaunchSize(v);
        var passes = b > 0 ? PlanPasses(batch, partialCount: null) : [];
        ArrayView<int> entries = b > 0 ? _entries.Upload(_hostEntries.AsSpan(0, 2 * b)) : default;
        ArrayView<float> w = b > 0 ? _weights.Upload(weights) : default;
        ArrayView<float> accumulatedNumerator = _partialNumerator.Get((long)vg * voxels * 2);
        ArrayView<float> accumulatedDenominator = _partialDenominator.Get((long)vg * voxels);
        int rowCount = (int)(_rows!.Length / 4);
        for (int start = 0; start < v; start += vg)
        {
            int count = Math.Min(vg, v - start);
            int groups = (count + KernelBodies.SlabGroup - 1) / KernelBodies.SlabGroup;
            int planes = SlabPlanesOverride ?? SlabPlanes(Box, groups, _device.ParallelUnits);
            int slabs = (Box + planes - 1) / planes;
            ArrayView<float> numerator = accumulatedNumerator.SubView(0, (long)count * voxels * 2);
            ArrayView<float> denominator = accumulatedDenominator.SubView(0, (long)count * voxels);
            numerator.MemSetToZero();
            denominator.MemSetToZero();
            for (int i = 0; i < passes.Count; i++)
            {
                var pass = passes[i];
                var args = new BackprojectSlabArgs(Ready(passes, i), EntryViews(entries, b, pass.Offset, pass.Count), _rows.View, rowCount,
                    w, v, start, count, slabs, planes, Box, numerator, denominator);
                _backprojectSlabs(Grouped(slabs * groups, 1), args);
            }
            // Each sums object overlapping [start, start + count) takes its volumes from the accumulation.
            int first = 0;
            foreach (var s in sums)
            {
                int from = Math.Max(first, start), to = Math.Min(first + s.Count, start + count);
                if (from < to)
                    _reduce(Elementwise((to - from) * voxels), new ReduceArgs(
                        numerator.SubView((long)(from - start) * voxels * 2, (long)(to - from) * voxels * 2),
                        denominator.SubView((long)(from - start) * voxels, (long)(to - from) * voxels),
                        1, from - first, to - from, voxels, s.Numerator.View, s.Denominator.View, Box));
                first += s.Count;
            }
        }
        _accelerator.Synchronize();
    }

    /// <summary>
    /// Volumes one slab launch accumulates: at most <see cref="SlabLaunchVolumes"/> and what <see cref="PartialBudgetBytes"/>
    /// holds (12 B per voxel), at least one (0 volumes still plan one, so the scratch is never empty).
    /// </summary>
    private int SlabLaunchSize(int volumes)
    {
        long bytesPerVolume = 12L * Box * Box * Box;
        long budget = Math.Min(PartialBudgetBytes, _device.MaxBufferBytes);
        if (budget < bytesPerVolume)
            throw new ArgumentException(
                $"one accumulation volume of {Box}^3 needs {bytesPerVolume / (1024.0 * 1024):0.#} MiB, over the {budget / (1024.0 * 1024):0.#} MiB backprojection budget");
        return (int)Math.Max(1, Math.Min(Math.Min(budget / bytesPerVolume, volumes), SlabLaunchVolumes));
    }

    /// <summary>
    /// The kept pixels as runs of consecutive kx in one row, four ints each (first pixel index, ky, first kx, last kx):
    /// what lets a slab's work item find the pixels that reach it (<see cref="KernelMath.SlabRowRange"/>).
    /// </summary>
    internal static int[] PixelRows(ReadOnlySpan<short> kx, ReadOnlySpan<short> ky)
    {
        var rows = new List<int>();
        for (int p = 0; p < kx.Length; p++)
        {
            if (p > 0 && ky[p] == ky[p - 1] && kx[p] == kx[p - 1] + 1) rows[^1] = kx[p];
            else rows.AddRange([p, ky[p], kx[p], kx[p]]);
        }
        return rows.ToArray();
    }

    /// <summary>
    /// output_v = num_v / (den_v + reg[shell]) per voxel within radius M/2 - 1 (zero beyond, and where the
    /// denominator is not positive). regulariser holds one value per shell shared by all volumes, or, with
    /// <paramref name="perVolume"/>, sums.Count consecutive spectra; shells past the end use the last value.
    /// </summary>
    public void Reconstruct(BackprojectionSums sums, ReadOnlySpan<float> regulariser, VolumeStack output, bool perVolume = false)
    {
        ArgumentNullException.ThrowIfNull(sums);
        ArgumentNullException.ThrowIfNull(output);
        if (sums.Count != output.Count || sums.Box != output.Box)
            throw new ArgumentException($"sums ({sums.Count} x {sums.Box}^3) and output ({output.Count} x {output.Box}^3) differ", nameof(output));
        int v = sums.Count;
        if (regulariser.Length == 0 || (perVolume && regulariser.Length % v != 0))
            throw new ArgumentException($"regulariser has {regulariser.Length} values; one per shell{(perVolume ? $" for each of {v} volumes" : "")} expected", nameof(regulariser));
        int shells = perVolume ? regulariser.Length / v : regulariser.Length;
        ArrayView<float> reg = _regulariser.Get((long)v * shells);
        if (perVolume) reg.CopyFromCPU(regulariser);
        else
            for (int i = 0; i < v; i++) reg.SubView((long)i * shells, shells).CopyFromCPU(regulariser);
        int voxels = sums.Voxels;
        _reconstruct(Elementwise(v * voxels), new ReconstructArgs(
            sums.Numerator.View, sums.Denominator.View, reg, shells, v, sums.Box, output.Buffer.View));
        _accelerator.Synchronize();
    }

    /// <summary>
    /// Online-EM update of running sums: running_v = keep[v] * running_v + add[v] * batch_v, numerator and
    /// denominator alike (per volume, so configurations with different learning rates share one stack).
    /// </summary>
    public void Blend(BackprojectionSums running, BackprojectionSums batch, ReadOnlySpan<float> keep, ReadOnlySpan<float> add)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(batch);
        if (running.Count != batch.Count || running.Box != batch.Box)
            throw new ArgumentException("running and batch sums must have the same volume count and box", nameof(batch));
        DeviceLimits.RequireLength(keep.Length, running.Count, nameof(keep));
        DeviceLimits.RequireLength(add.Length, running.Count, nameof(add));
        ArrayView<float> k = _keep.Upload(keep), a = _add.Upload(add);
        int voxels = running.Voxels;
        int numeratorCount = running.Count * voxels * 2;
        _blend(Elementwise(numeratorCount),
            new BlendArgs(running.Numerator.View, batch.Numerator.View, k, a, voxels * 2, numeratorCount));
        _blend(Elementwise(running.Count * voxels),
            new BlendArgs(running.Denominator.View, batch.Denominator.View, k, a, voxels, running.Count * voxels));
        _accelerator.Synchronize();
    }

    private KernelConfig Elementwise(int count) => Grouped(count, _device.IsCpu ? 64 : 256);

    private int ResidualGroupSize(int cells)
    {
        if (!_device.IsCpu) return 128;
        // Enough groups to keep every core busy; up to 64 work items per group for PoCL's vectoriser.
        int size = 64;
        while (size > 1 && (cells + size - 1) / size < 4 * _device.ParallelUnits) size /= 2;
        return size;
    }

    private KernelConfig Grouped(int count, int groupSize)
    {
        int size = Math.Max(1, Math.Min(groupSize, _accelerator.MaxNumThreadsPerGroup));
        int groups = Math.Max(1, (count + size - 1) / size);
        return new KernelConfig(groups, size);
    }

    private static EntryViews EntryViews(ArrayView<int> entries, int batchSize, int offset, int count) =>
        new(entries.SubView(offset, count), entries.SubView(batchSize + offset, count), count);

    /// <summary>A chunk's particles from its particle <paramref name="first"/> on.</summary>
    private ParticleViews Views(ParticleChunk chunk, int first) =>
        new(Tail(chunk.Data!, (long)first * PixelCount * 2), Tail(chunk.Ctf!, (long)first * PixelCount),
            Tail(chunk.Rotations!, (long)first * 9), _kx!.View, _ky!.View, _shell!.View, PixelCount);

    private static ArrayView<float> Tail(MemoryBuffer1D<float, Stride1D.Dense> buffer, long first) =>
        buffer.View.AsContiguous().SubView(first, buffer.Length - first);

    private ParticleChunk ChunkOf(int particle) => _chunks[particle / _particlesPerChunk];

    private void RequireParticles()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_set is null) throw new InvalidOperationException("no particles uploaded; call UploadParticles first");
    }

    private void RequireStack(VolumeStack volumes, string name)
    {
        ArgumentNullException.ThrowIfNull(volumes, name);
        if (volumes.Box != Box) throw new ArgumentException($"volumes have box {volumes.Box}; the particles need {Box}", name);
    }

    private static void RequireVolumeIndices(ReadOnlySpan<int> volumeIndices, int count)
    {
        for (int j = 0; j < volumeIndices.Length; j++)
            if ((uint)volumeIndices[j] >= (uint)count)
                throw new ArgumentOutOfRangeException(nameof(volumeIndices), $"volumeIndices[{j}] = {volumeIndices[j]}; the stack holds {count} volumes");
    }

    private static int[] ToInts(ReadOnlySpan<short> values)
    {
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    private void ReleaseParticles()
    {
        ReleaseStaging();
        foreach (var chunk in _chunks) chunk.Dispose();
        _chunks.Clear();
        _kx?.Dispose();
        _ky?.Dispose();
        _shell?.Dispose();
        _rows?.Dispose();
        _kx = _ky = _shell = _rows = null;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ReleaseParticles();
        _entries.Dispose();
        _volumeIndex.Dispose();
        _shares.Dispose();
        _invSigma2.Dispose();
        _weights.Dispose();
        _output.Dispose();
        _partialNumerator.Dispose();
        _partialDenominator.Dispose();
        _keep.Dispose();
        _add.Dispose();
        _regulariser.Dispose();
    }

    private sealed class ParticleChunk(int first, int count) : IDisposable
    {
        public int First { get; } = first;
        public int Count { get; } = count;
        public MemoryBuffer1D<float, Stride1D.Dense>? Data { get; set; }
        public MemoryBuffer1D<float, Stride1D.Dense>? Ctf { get; set; }
        public MemoryBuffer1D<float, Stride1D.Dense>? Rotations { get; set; }

        public void Dispose()
        {
            Data?.Dispose();
            Ctf?.Dispose();
            Rotations?.Dispose();
        }
    }

    /// <summary>A device buffer that grows to the largest size asked for and is then reused.</summary>
    private sealed class Scratch<T>(Accelerator accelerator) : IDisposable where T : unmanaged
    {
        private MemoryBuffer1D<T, Stride1D.Dense>? _buffer;

        public ArrayView<T> Get(long length)
        {
            if (_buffer is null || _buffer.Length < length)
            {
                _buffer?.Dispose();
                _buffer = accelerator.Allocate1D<T>(Math.Max(1, length));
            }
            return _buffer.View.SubView(0, length);
        }

        public ArrayView<T> Upload(ReadOnlySpan<T> values)
        {
            ArrayView<T> view = Get(values.Length);
            if (values.Length > 0) view.CopyFromCPU(values);
            return view;
        }

        public void Dispose() => _buffer?.Dispose();
    }
}
