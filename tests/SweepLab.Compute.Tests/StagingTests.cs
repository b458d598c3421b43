using SweepLab.Core.Particles;

namespace SweepLab.Compute.Tests;

/// <summary>
/// A set over the particle budget is staged batch by batch instead of uploaded: every kernel must give the same bits
/// as on the resident set (the passes and backprojection shares are planned alike), including batches several staging
/// units long, with repeats, across resident chunks, from a file-backed set, and with reads started ahead (Prefetch).
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class StagingTests(DeviceFixture devices)
{
    private sealed record Outputs(float[] Residuals, float[] ShellResiduals, float[] Numerator, float[] Denominator, float[] Ctf);

    private static Outputs Run(ClassificationKernels kernels, ParticleSet particles, int[] batch, bool staged, int? chunkLimit, bool prefetch = false,
        int? partialCount = 4)
    {
        float[] volumes = TestData.Volumes(3, 14, seed: 33);
        float[] weights = TestData.Weights(batch.Length, 3, seed: 34);
        float[] invSigma2 = TestData.Spectrum(7, seed: 35);
        int[] volumeIndices = { 0, 1, 2 };
        kernels.ChunkParticleLimit = chunkLimit;
        kernels.ParticleBudgetBytes = staged ? 1 : null;
        kernels.StageCapacityLimit = staged ? 13 : null;
        try
        {
            kernels.UploadParticles(particles);
            Assert.Equal(staged, kernels.Staging);
            using var stack = kernels.CreateVolumes(3);
            stack.Upload(volumes);
            if (prefetch) kernels.Prefetch(batch.AsSpan(0, 9));
            var residuals = new float[batch.Length * 3];
            kernels.Residuals(batch, volumeIndices, stack, invSigma2, residuals);
            var shell = new float[batch.Length * kernels.ShellCount];
            kernels.ShellResiduals(batch, volumeIndices, stack, weights, shell);
            using var sums = kernels.CreateSums(3);
            kernels.Backproject(batch, weights, sums, partialCount);
            var numerator = new float[3 * sums.Voxels * 2];
            var denominator = new float[3 * sums.Voxels];
            sums.Download(numerator, denominator);
            return new Outputs(residuals, shell, numerator, denominator, kernels.CtfValues(batch[^1]));
        }
        finally
        {
            kernels.ChunkParticleLimit = null;
            kernels.ParticleBudgetBytes = null;
            kernels.StageCapacityLimit = null;
        }
    }

    private static void AssertSame(Outputs expected, Outputs actual)
    {
        Assert.Equal(expected.Residuals, actual.Residuals);
        Assert.Equal(expected.ShellResiduals, actual.ShellResiduals);
        Assert.Equal(expected.Numerator, actual.Numerator);
        Assert.Equal(expected.Denominator, actual.Denominator);
        Assert.Equal(expected.Ctf, actual.Ctf);
    }

    /// <summary>60 draws from 40 particles (repeats included), several staging units of 13 long.</summary>
    private static int[] Batch()
    {
        var random = new Random(5);
        return Enumerable.Range(0, 60).Select(_ => random.Next(40)).ToArray();
    }

    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl, null)]
    [InlineData(ComputeBackend.Pocl, 11)]
    [InlineData(ComputeBackend.Cpu, null)]
    [InlineData(ComputeBackend.Cpu, 11)]
    public void StagedKernelsGiveTheResidentBits(ComputeBackend backend, int? chunkLimit)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(24, 8.0, 40, seed: 31);
        int[] batch = Batch();
        var resident = Run(kernels, particles, batch, staged: false, chunkLimit);
        AssertSame(resident, Run(kernels, particles, batch, staged: true, chunkLimit));
        AssertSame(resident, Run(kernels, particles, batch, staged: true, chunkLimit, prefetch: true));
        // The CPU devices' slab backprojection (no partial count) reads the staged passes in the resident order too.
        AssertSame(Run(kernels, particles, batch, staged: false, chunkLimit, partialCount: null),
            Run(kernels, particles, batch, staged: true, chunkLimit, prefetch: true, partialCount: null));
        // A batch that fits one unit is staged once and reused by the calls that follow it.
        int[] small = batch[..9];
        AssertSame(Run(kernels, particles, small, staged: false, chunkLimit), Run(kernels, particles, small, staged: true, chunkLimit, prefetch: true));
    }

    [SkippableFact]
    public void AFileBackedSetIsStagedFromItsFile()
    {
        var kernels = devices.Kernels(ComputeBackend.Pocl);
        var inMemory = TestData.Particles(24, 8.0, 40, seed: 31);
        string path = Path.Combine(Path.GetTempPath(), $"sweeplab-staging-{Guid.NewGuid():N}.bin");
        try
        {
            const int offsetBytes = 64;
            using (var file = File.Create(path))
            {
                file.Write(new byte[offsetBytes]);
                foreach (float v in inMemory.ToArray()) file.Write(BitConverter.GetBytes(v));
            }
            using var fromFile = new ParticleSet(inMemory.Grid, inMemory.Particles,
                new ParticlePixels.InFile(path, offsetBytes, inMemory.Count, inMemory.PixelCount * 2));
            Assert.False(fromFile.Pixels.InMemory);
            Assert.Equal(inMemory.ToArray(), fromFile.ToArray());
            int[] batch = Batch();
            var resident = Run(kernels, inMemory, batch, staged: false, chunkLimit: null);
            AssertSame(resident, Run(kernels, fromFile, batch, staged: true, chunkLimit: null, prefetch: true));
            // Uploaded whole from the file (through a bounded host buffer), in chunks, as from memory.
            AssertSame(Run(kernels, inMemory, batch, staged: false, chunkLimit: 7), Run(kernels, fromFile, batch, staged: false, chunkLimit: 7));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void AStagedSetHoldsOnlyItsStagingBuffers()
    {
        var kernels = devices.Kernels(ComputeBackend.Pocl);
        var particles = TestData.Particles(24, 8.0, 6000, seed: 36);
        long resident = ClassificationKernels.ResidentBytes(particles);
        try
        {
            kernels.ParticleBudgetBytes = resident / 3;
            kernels.UploadParticles(particles);
            Assert.True(kernels.Staging);
            Assert.InRange(kernels.ParticleBytesHeld, 1, resident / 3);
            Assert.InRange(kernels.StageCapacity, 512, 2000);
            kernels.ParticleBudgetBytes = resident;
            kernels.UploadParticles(particles);
            Assert.False(kernels.Staging);
            Assert.Equal(resident, kernels.ParticleBytesHeld);
        }
        finally
        {
            kernels.ParticleBudgetBytes = null;
        }
    }
}
