using SweepLab.Core.Random;
using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Schedules;

/// <summary>
/// Which particles each iteration sees. Online EM walks through a stream made of one random permutation of the
/// N particles per epoch, concatenated; iteration t takes stream positions [t b, min((t + 1) b, E N)) with batch
/// size b = min(batch per class x K, N). So there are ceil(E N / b) O-EM iterations and every particle is seen
/// exactly once per epoch; a batch that straddles an epoch boundary takes the end of one permutation and the start
/// of the next (a particle can then appear twice in that batch, once per epoch). The final full-batch iterations
/// take every particle.
/// </summary>
/// <remarks>
/// The permutation of epoch e is a Fisher-Yates shuffle of 0..N-1 whose swap at position i (i = N-1 down to 1)
/// uses j = <see cref="CounterRng.NextBelow"/>(seed, <see cref="EngineRngStreams.BatchPermutation"/>, e, i, i + 1):
/// a pure function of (seed, epoch), the same however the run is resumed or parallelised.
/// </remarks>
public sealed record BatchSchedule
{
    public int ParticleCount { get; }
    public int BatchSize { get; }
    public int Epochs { get; }
    public int OemIterationCount { get; }
    public int FullBatchIterationCount { get; }
    public ulong Seed { get; }
    public int TotalIterationCount => OemIterationCount + FullBatchIterationCount;

    public BatchSchedule(int particleCount, int classCount, int batchSizePerClass, int epochs, int fullBatchIterations, ulong seed)
    {
        if (particleCount < 1) throw new ArgumentOutOfRangeException(nameof(particleCount), particleCount, "need at least one particle");
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "need at least one class");
        if (batchSizePerClass < 1) throw new ArgumentOutOfRangeException(nameof(batchSizePerClass), batchSizePerClass, "batch size per class must be >= 1");
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be >= 1");
        if (fullBatchIterations < 0) throw new ArgumentOutOfRangeException(nameof(fullBatchIterations), fullBatchIterations, "full-batch iterations must be >= 0");
        ParticleCount = particleCount;
        BatchSize = (int)BatchSizeFor(particleCount, classCount, batchSizePerClass);
        Epochs = epochs;
        long oem = OemIterationCountFor(particleCount, BatchSize, epochs);
        if (oem + fullBatchIterations > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(epochs), "too many iterations");
        OemIterationCount = (int)oem;
        FullBatchIterationCount = fullBatchIterations;
        Seed = seed;
    }

    /// <summary>Particles per O-EM iteration, b = min(batch per class x K, N); arguments &gt;= 1.</summary>
    public static long BatchSizeFor(long particleCount, int classCount, int batchSizePerClass)
        => Math.Min((long)batchSizePerClass * classCount, particleCount);

    /// <summary>
    /// O-EM iterations, ceil(E N / b): the one place this count is computed (the configuration's
    /// <see cref="RunClock"/> uses it too, so schedule points in epochs land on the iterations the run makes).
    /// </summary>
    public static long OemIterationCountFor(long particleCount, long batchSize, long epochs)
        => (epochs * particleCount + batchSize - 1) / batchSize;

    public static BatchSchedule FromConfig(ClassificationConfig config, int particleCount)
        => new(particleCount, config.ClassCount, config.BatchSizePerClass, (int)Math.Min(int.MaxValue, config.EffectiveOemEpochs(particleCount)), config.FullBatchIterations, config.Seed);

    public bool IsFullBatch(int iteration) => CheckIteration(iteration) >= OemIterationCount;

    /// <summary>
    /// Stream positions [start, end) of an O-EM iteration's batch (position p is particle permutation_(p / N)[p mod N]);
    /// for a full-batch iteration, particle indices [0, N).
    /// </summary>
    public (long Start, long End) BatchRange(int iteration)
    {
        if (IsFullBatch(iteration)) return (0, ParticleCount);
        long start = (long)iteration * BatchSize;
        return (start, Math.Min(start + BatchSize, (long)Epochs * ParticleCount));
    }

    /// <summary>Epoch of an iteration: that of its batch's first stream position; full-batch iteration j counts as epoch E + j.</summary>
    public int EpochOf(int iteration)
    {
        if (IsFullBatch(iteration)) return Epochs + (iteration - OemIterationCount);
        return (int)((long)iteration * BatchSize / ParticleCount);
    }

    /// <summary>Writes the permutation of epoch <paramref name="epoch"/> (see remarks) into <paramref name="destination"/> (length N).</summary>
    public void WriteEpochPermutation(int epoch, Span<int> destination)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epochs are 0-based");
        if (destination.Length != ParticleCount)
            throw new ArgumentException($"destination holds {destination.Length} entries; {ParticleCount} expected", nameof(destination));
        for (int i = 0; i < destination.Length; i++) destination[i] = i;
        for (int i = destination.Length - 1; i >= 1; i--)
        {
            int j = (int)CounterRng.NextBelow(Seed, EngineRngStreams.BatchPermutation, (ulong)epoch, (uint)i, (ulong)i + 1);
            (destination[i], destination[j]) = (destination[j], destination[i]);
        }
    }

    /// <summary>A sampler that hands out batches in iteration order, computing each epoch's permutation once.</summary>
    public BatchSampler CreateSampler() => new(this);

    private int CheckIteration(int iteration)
    {
        if ((uint)iteration >= (uint)TotalIterationCount)
            throw new ArgumentOutOfRangeException(nameof(iteration), iteration, $"iterations are 0 .. {TotalIterationCount - 1}");
        return iteration;
    }
}

/// <summary>
/// Produces the particle indices of each iteration's batch (see <see cref="BatchSchedule"/>), caching the permutations
/// of the epochs it last touched. Not thread-safe; the returned span is valid until the next call.
/// </summary>
public sealed class BatchSampler
{
    private readonly BatchSchedule _schedule;
    private readonly int[] _batch;
    private readonly int[][] _permutations = new int[2][];
    private readonly int[] _cachedEpochs = { -1, -1 };

    internal BatchSampler(BatchSchedule schedule)
    {
        _schedule = schedule;
        _batch = new int[schedule.ParticleCount];
    }

    /// <summary>The particle indices of iteration <paramref name="iteration"/>'s batch, in stream order.</summary>
    public ReadOnlySpan<int> Batch(int iteration)
    {
        var (start, end) = _schedule.BatchRange(iteration);
        int n = _schedule.ParticleCount;
        if (_schedule.IsFullBatch(iteration))
        {
            for (int i = 0; i < n; i++) _batch[i] = i;
            return _batch.AsSpan(0, n);
        }
        int count = (int)(end - start);
        int written = 0;
        for (long p = start; p < end;)
        {
            int epoch = (int)(p / n);
            int offset = (int)(p % n);
            int take = (int)Math.Min(end - p, n - offset);
            Permutation(epoch).AsSpan(offset, take).CopyTo(_batch.AsSpan(written));
            written += take;
            p += take;
        }
        return _batch.AsSpan(0, count);
    }

    private int[] Permutation(int epoch)
    {
        for (int slot = 0; slot < 2; slot++)
            if (_cachedEpochs[slot] == epoch) return _permutations[slot];
        // keep the most recent other epoch: a straddling batch needs two at once
        int victim = _cachedEpochs[0] < _cachedEpochs[1] ? 0 : 1;
        _permutations[victim] ??= new int[_schedule.ParticleCount];
        _schedule.WriteEpochPermutation(epoch, _permutations[victim]);
        _cachedEpochs[victim] = epoch;
        return _permutations[victim];
    }
}
