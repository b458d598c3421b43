using ILGPU;
using ILGPU.Runtime;
using SweepLab.Compute.Kernels;
using SweepLab.Core.Ctf;
using SweepLab.Core.Particles;

namespace SweepLab.Compute;

// How a batch reaches the kernels. Resident sets (the whole set uploaded, in chunks of one device buffer) launch one
// pass per chunk the batch touches. A set over ParticleBudgetBytes is staged: each call copies its batch's particles
// (read from memory or the cache file) into one staging buffer, in units of at most StageCapacity particles, the next
// unit read on a worker thread while the kernels run on the current one. Passes are planned identically in both modes
// (the batch grouped by the chunk a resident set would hold it in, each backprojection work item given the same
// contiguous share of each group), so a staged classification is bit-identical to a resident one.
public sealed partial class ClassificationKernels
{
    /// <summary>Fewest particles a staging unit holds, so that every backprojection work item gets a share of each pass.</summary>
    private const int MinStageCapacity = 512;

    private ParticleSet? _set;
    private bool _applyCtf;
    // Staging only: every particle's pose and CTF constants (the set's metadata, gathered per unit), and the unit's
    // host-side gathers and device copy of the constants, allocated once.
    private float[] _rotations = [];
    private CtfCoefficients[] _ctfCoefficients = [];
    private float[] _stageRotations = [];
    private CtfCoefficients[] _stageCoefficients = [];
    private MemoryBuffer1D<CtfCoefficients, Stride1D.Dense>? _stageDeviceCoefficients;
    private ParticleChunk? _stage;
    private float[] _stageHost = [];
    private int[] _staged = [];
    private int _stagedCount = -1;
    private Task? _prefetch;
    private int[] _prefetched = [];
    private int _prefetchedCount = -1;
    private int[] _hostShares = [];
    private int[] _passParticles = [];
    private readonly List<Pass> _passes = new();
    private readonly List<(int Start, int Count)> _units = new();

    /// <summary>
    /// Bytes the particle set may occupy in the kernels (pixels, CTF table and poses; with staging also the host
    /// buffer a unit is read into). A set over it is staged per batch instead of uploaded. Null (default) uploads every
    /// set. Set before <see cref="UploadParticles"/>.
    /// </summary>
    public long? ParticleBudgetBytes { get; set; }

    /// <summary>True when the uploaded set is staged per batch (it is larger than <see cref="ParticleBudgetBytes"/>).</summary>
    public bool Staging => _stage is not null;

    /// <summary>Test seam: particles per staging unit, below the minimum, so that multi-unit batches run on small inputs.</summary>
    internal int? StageCapacityLimit { get; set; }

    /// <summary>Particles one staging unit holds (0 when the set is resident).</summary>
    public int StageCapacity { get; private set; }

    /// <summary>Bytes the particle set occupies here now: the resident chunks, or the staging buffers.</summary>
    public long ParticleBytesHeld =>
        Staging ? (long)StageCapacity * StagedBytesPerParticle
        : _chunks.Sum(c => (long)c.Count * DeviceBytesPerParticle);

    /// <summary>Per staged particle: its device bytes plus the host buffer its pixels are read into.</summary>
    private long StagedBytesPerParticle => DeviceBytesPerParticle + (long)PixelCount * 2 * sizeof(float);

    /// <summary>Particles per chunk of a resident set (one device buffer); staged batches are grouped by the same chunks.</summary>
    private int _particlesPerChunk;

    private void StartStaging(long budgetBytes, float[] rotations, CtfCoefficients[] coefficients)
    {
        _rotations = rotations;
        _ctfCoefficients = coefficients;
        long fit = budgetBytes / StagedBytesPerParticle;
        long largest = _device.MaxBufferBytes / ((long)PixelCount * 2 * sizeof(float));
        StageCapacity = (int)Math.Min(Math.Min(Math.Max(fit, MinStageCapacity), largest), ParticleCount);
        if (StageCapacityLimit is int limit) StageCapacity = Math.Min(StageCapacity, limit);
        _stage = new ParticleChunk(-1, StageCapacity)
        {
            Data = _accelerator.Allocate1D<float>((long)StageCapacity * PixelCount * 2),
            Ctf = _accelerator.Allocate1D<float>((long)StageCapacity * PixelCount),
            Rotations = _accelerator.Allocate1D<float>((long)StageCapacity * 9),
        };
        _stageHost = new float[(long)StageCapacity * PixelCount * 2];
        _stageRotations = new float[StageCapacity * 9];
        _stageCoefficients = new CtfCoefficients[StageCapacity];
        _stageDeviceCoefficients = _accelerator.Allocate1D<CtfCoefficients>(StageCapacity);
        _staged = new int[StageCapacity];
        _prefetched = new int[StageCapacity];
    }

    /// <summary>
    /// Starts reading the first staging unit of a batch a later call will score (the engine knows its next batch), so
    /// the read overlaps this iteration's remaining work. A no-op for resident sets and batches larger than a unit
    /// (their calls read unit by unit, each unit's read overlapping the kernels of the one before).
    /// </summary>
    public void Prefetch(ReadOnlySpan<int> batch)
    {
        RequireParticles();
        if (!Staging || batch.Length == 0 || batch.Length > StageCapacity) return; // a larger batch is read unit by unit anyway
        PlanPasses(batch, partialCount: null);
        var (start, count) = _units[0];
        StartRead(_passParticles.AsSpan(start, count));
    }

    /// <summary>One kernel launch's entries: [Offset, Offset + Count) of the planned entries, on a chunk or a staging unit.</summary>
    private readonly record struct Pass(int Offset, int Count, ParticleChunk? Chunk, int Unit, int OffsetInUnit);

    /// <summary>
    /// Plans the launches for a batch: the host entries (particle index local to the pass's particles, then batch slot),
    /// and with <paramref name="partialCount"/> the backprojection shares of each pass ((G + 1) starts per pass). The
    /// batch is grouped by resident chunk in batch order; in a staged set each group is cut into passes of at most one
    /// unit, a backprojection pass taking the next slice of every work item's share of the group.
    /// </summary>
    private List<Pass> PlanPasses(ReadOnlySpan<int> batch, int? partialCount)
    {
        int b = batch.Length;
        if (_hostEntries.Length < 2 * b) _hostEntries = new int[2 * b];
        if (_passParticles.Length < b) _passParticles = new int[b];
        if (_slots.Length < b) _slots = new int[b];
        int perChunk = _particlesPerChunk;
        int groups = (ParticleCount + perChunk - 1) / perChunk;
        var counts = new int[groups];
        for (int i = 0; i < b; i++)
        {
            int particle = batch[i];
            if ((uint)particle >= (uint)ParticleCount)
                throw new ArgumentOutOfRangeException(nameof(batch), $"batch[{i}] = {particle} is not a particle index (0 .. {ParticleCount - 1})");
            counts[particle / perChunk]++;
        }
        var order = new int[b]; // batch positions, grouped by chunk, in batch order within a group
        var next = new int[groups];
        for (int c = 1; c < groups; c++) next[c] = next[c - 1] + counts[c - 1];
        for (int i = 0; i < b; i++) order[next[batch[i] / perChunk]++] = i;

        _passes.Clear();
        _units.Clear();
        int g = partialCount ?? 0;
        var shares = new List<int>();
        int written = 0, groupStart = 0;
        for (int c = 0; c < groups; c++)
        {
            int n = counts[c];
            if (n == 0) continue;
            var positions = order.AsSpan(groupStart, n);
            groupStart += n;
            if (!Staging)
            {
                foreach (int position in positions) AddEntry(batch, position, batch[position] - _chunks[c].First, ref written);
                AddPass(written - n, n, _chunks[c], shares, g, EvenShares(n, g));
                continue;
            }
            if (g == 0 || n <= StageCapacity)
            {
                for (int first = 0; first < n; first += StageCapacity)
                {
                    int count = Math.Min(StageCapacity, n - first);
                    for (int j = 0; j < count; j++) AddEntry(batch, positions[first + j], j, ref written);
                    AddPass(written - count, count, null, shares, g, EvenShares(count, g));
                }
                continue;
            }
            // A group larger than a unit: pass j takes slice j (of q entries) of each work item's even share of the group.
            int q = Math.Max(1, StageCapacity / g);
            int longest = (n + g - 1) / g;
            for (int slice = 0; slice * q < longest; slice++)
            {
                int passStart = written;
                var starts = new int[g + 1];
                for (int w = 0; w < g; w++)
                {
                    starts[w] = written - passStart;
                    int shareFirst = (int)((long)w * n / g), shareEnd = (int)((long)(w + 1) * n / g);
                    int from = Math.Min(shareEnd, shareFirst + slice * q), to = Math.Min(shareEnd, from + q);
                    for (int e = from; e < to; e++) AddEntry(batch, positions[e], written - passStart, ref written);
                }
                starts[g] = written - passStart;
                AddPass(passStart, written - passStart, null, shares, g, starts);
            }
        }
        for (int i = 0; i < b; i++) _hostEntries[b + i] = _slots[i];
        if (g > 0) _hostShares = shares.ToArray();
        return _passes;
    }

    private int[] _slots = [];

    /// <summary>Appends one entry: its particle (local to its pass or chunk) and batch slot; a staged entry also records the particle to read.</summary>
    private void AddEntry(ReadOnlySpan<int> batch, int position, int local, ref int written)
    {
        _hostEntries[written] = local;
        _slots[written] = position;
        _passParticles[written] = batch[position];
        written++;
    }

    /// <summary>Records a pass (packing staged passes into units of at most <see cref="StageCapacity"/> particles) and its shares.</summary>
    private void AddPass(int offset, int count, ParticleChunk? chunk, List<int> shares, int g, int[]? starts)
    {
        int unit = -1, inUnit = 0;
        if (chunk is null)
        {
            if (_units.Count == 0 || _units[^1].Count + count > StageCapacity) _units.Add((offset, 0));
            unit = _units.Count - 1;
            inUnit = _units[unit].Count;
            _units[unit] = (_units[unit].Start, inUnit + count);
        }
        _passes.Add(new Pass(offset, count, chunk, unit, inUnit));
        if (g > 0) shares.AddRange(starts!);
    }

    /// <summary>G + 1 starts splitting n entries into G contiguous shares of near-equal size (null without partials).</summary>
    private static int[]? EvenShares(int n, int g)
    {
        if (g == 0) return null;
        var starts = new int[g + 1];
        for (int w = 0; w <= g; w++) starts[w] = (int)((long)w * n / g);
        return starts;
    }

    /// <summary>
    /// The particle views pass <paramref name="index"/> reads: its chunk, or its staging unit (staged now if not yet,
    /// the next unit's read started behind it), offset to the pass's first particle.
    /// </summary>
    private ParticleViews Ready(List<Pass> passes, int index)
    {
        var pass = passes[index];
        if (pass.Chunk is not null) return Views(pass.Chunk, 0);
        var (start, count) = _units[pass.Unit];
        Stage(_passParticles.AsSpan(start, count));
        if (pass.OffsetInUnit == 0 && pass.Unit + 1 < _units.Count)
        {
            var (nextStart, nextCount) = _units[pass.Unit + 1];
            StartRead(_passParticles.AsSpan(nextStart, nextCount));
        }
        return Views(_stage!, pass.OffsetInUnit);
    }

    /// <summary>Puts these particles (at most one unit) in the staging buffers, unless they are there already.</summary>
    private void Stage(ReadOnlySpan<int> particles)
    {
        int count = particles.Length;
        if (_stagedCount == count && particles.SequenceEqual(_staged.AsSpan(0, count))) return;
        WaitForRead();
        if (!(_prefetchedCount == count && particles.SequenceEqual(_prefetched.AsSpan(0, count))))
            Read(particles, _stageHost, _set!);
        _prefetchedCount = -1;
        int row = PixelCount * 2;
        _stage!.Data!.View.AsContiguous().SubView(0, (long)count * row).CopyFromCPU(_stageHost.AsSpan(0, count * row));
        for (int i = 0; i < count; i++)
        {
            _rotations.AsSpan(particles[i] * 9, 9).CopyTo(_stageRotations.AsSpan(i * 9, 9));
            _stageCoefficients[i] = _ctfCoefficients[particles[i]];
        }
        FillPosesAndCtf(_stage, _stageRotations.AsSpan(0, count * 9), _stageCoefficients.AsSpan(0, count), _stageDeviceCoefficients!.View);
        particles.CopyTo(_staged);
        _stagedCount = count;
    }

    /// <summary>Starts reading particles into the host staging buffer on a worker thread (the buffer is free: the last unit is on the device).</summary>
    private void StartRead(ReadOnlySpan<int> particles)
    {
        WaitForRead();
        if (_stagedCount == particles.Length && particles.SequenceEqual(_staged.AsSpan(0, _stagedCount))) return;
        particles.CopyTo(_prefetched);
        int count = particles.Length;
        _prefetchedCount = -1;
        var set = _set!;
        var host = _stageHost;
        var list = _prefetched;
        _prefetch = Task.Run(() => Read(list.AsSpan(0, count), host, set));
        _prefetchedCount = count;
    }

    /// <summary>Waits for a started read; its failure (a file read error) surfaces here, on the caller's thread.</summary>
    private void WaitForRead()
    {
        if (_prefetch is null) return;
        var task = _prefetch;
        _prefetch = null;
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch
        {
            _prefetchedCount = -1;
            throw;
        }
    }

    /// <summary>Copies the particles' rows into host, one read per run of consecutive indices.</summary>
    private static void Read(ReadOnlySpan<int> particles, float[] host, ParticleSet set)
    {
        int row = set.PixelCount * 2;
        for (int i = 0; i < particles.Length;)
        {
            int run = 1;
            while (i + run < particles.Length && particles[i + run] == particles[i] + run) run++;
            set.CopyRows(particles[i], run, host.AsSpan(i * row, run * row));
            i += run;
        }
    }

    private void ReleaseStaging()
    {
        try
        {
            WaitForRead();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // the read was speculative; nothing will use it
        }
        _stage?.Dispose();
        _stage = null;
        _stageDeviceCoefficients?.Dispose();
        _stageDeviceCoefficients = null;
        _rotations = [];
        _ctfCoefficients = [];
        _stageRotations = [];
        _stageCoefficients = [];
        StageCapacity = 0;
        _stageHost = [];
        _stagedCount = -1;
        _prefetchedCount = -1;
        _set = null;
    }
}
