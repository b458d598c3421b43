using SweepLab.Compute;
using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Tests;

/// <summary>
/// Issue 13: an O-EM iteration allocated ~19 class maps' worth of short-lived arrays (downloads, FFT work space, index
/// tables). They land on the large-object heap, which a large live heap (a staged set's read buffer) collects only every
/// few hundred iterations, so the process grew ~10 MB per iteration at a million particles. Measured in allocated bytes,
/// not time or RSS: an iteration must allocate the same whatever the set's size, and less than one class map.
/// </summary>
[Collection(EngineDeviceCollection.Name)]
public class IterationAllocationTests(EngineDeviceFixture devices, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Box = 64;
    private const double Pixel = 2, Target = 8;

    /// <summary>Random pixels at random poses and defoci: the engine's work, without a simulation.</summary>
    private static ParticleSet NoiseSet(int count, int seed)
    {
        var grid = new FourierCrop(Box, Pixel, Target);
        var random = new Random(seed);
        var infos = new List<ParticleInfo>(count);
        for (int i = 0; i < count; i++)
        {
            double defocus = 10000 + 15000 * random.NextDouble();
            infos.Add(new ParticleInfo($"{i + 1:000000}@noise.mrcs",
                Rotation.FromRelionEulerDegrees(360 * random.NextDouble(), 180 * random.NextDouble(), 360 * random.NextDouble()), 0, 0,
                new CtfParameters(defocus, defocus - 300, 20, 300, 2.7, 0.1, 0, 0)));
        }
        var data = new float[(long)count * grid.PixelCount * 2];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() - 0.5);
        return new ParticleSet(grid, infos, data);
    }

    /// <summary>Bytes this thread allocated in each O-EM iteration after the first (the first tunes and warms up).</summary>
    private List<long> AllocatedPerIteration(int particles)
    {
        var set = NoiseSet(particles, seed: 5);
        using var kernels = devices.Kernels(ComputeBackend.Pocl, set, k =>
        {
            k.ParticleBudgetBytes = 1; // staged, as in the issue
            k.StageCapacityLimit = 150; // each batch of 200 spans two units
        });
        var config = new ClassificationConfig
        {
            ClassCount = 2, TargetResolutionAngstrom = Target, Seed = 1, BatchSizePerClass = 100, OemEpochs = 1,
            MinOemIterations = 0, FullBatchIterations = 1,
        };
        var marks = new List<(bool FullBatch, long Allocated)>();
        new ClassificationEngine(kernels, new ClassificationInput(set)).Run(config, (_, m) =>
        {
            marks.Add((m.IsFullBatch, GC.GetAllocatedBytesForCurrentThread()));
            return false;
        });
        var perIteration = new List<long>();
        for (int t = 2; t < marks.Count; t++)
            if (!marks[t].FullBatch) perIteration.Add(marks[t].Allocated - marks[t - 1].Allocated);
        return perIteration;
    }

    private static long Median(List<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    [SkippableFact]
    public void AnIterationAllocatesLessThanAClassMapWhateverTheSetSize()
    {
        var small = AllocatedPerIteration(2000);
        var large = AllocatedPerIteration(8000);
        Assert.True(small.Count >= 5 && large.Count >= 30, $"{small.Count} and {large.Count} iterations measured");
        int m = new FourierCrop(Box, Pixel, Target).CroppedBox;
        long mapBytes = 2L * m * m * m * sizeof(float);
        long smallMedian = Median(small), largeMedian = Median(large);
        output.WriteLine($"bytes per iteration: {smallMedian} (2,000 particles), {largeMedian} (8,000); a class map is {mapBytes}");
        // Before the fix: ~19 maps (5 MB) per iteration at either size.
        Assert.True(largeMedian < mapBytes, $"an iteration allocates {largeMedian} bytes; one class map is {mapBytes}");
        // Batch-sized work only: four times the particles at the same batch size may not cost more per iteration
        // (slack for the runtime's own bookkeeping, a few KB).
        Assert.True(largeMedian <= smallMedian + smallMedian / 10 + 8192,
            $"an iteration allocates {largeMedian} bytes with 8,000 particles, {smallMedian} with 2,000");
    }
}
