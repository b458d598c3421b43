using SweepLab.Core.Ctf;
using SweepLab.Core.Particles;

namespace SweepLab.Compute.Tests;

/// <summary>
/// Device kernels (PoCL and ILGPU's CPU accelerator) against the independent double-precision host reference.
/// Tolerances: float32 kernels summing ~100 terms of order 1 against double references, with CTF phases chi up
/// to ~40 rad evaluated in float (absolute error ~1e-5 in the CTF, random in sign): 1e-5 relative, as the brief asks.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class KernelAgreementTests(DeviceFixture devices)
{
    /// <summary>(box, resolution): kept radii 5 (odd, M = 12), 6 (even, M = 14), a Nyquist crop of box 12 where
    /// M = 12 and pixels of radius 6 fall outside the sampled sphere, and an odd box 13.</summary>
    public static TheoryData<ComputeBackend, int, double> Cases()
    {
        var data = new TheoryData<ComputeBackend, int, double>();
        foreach (var backend in new[] { ComputeBackend.Pocl, ComputeBackend.Cpu })
        {
            data.Add(backend, 24, 9.6);
            data.Add(backend, 24, 8.0);
            data.Add(backend, 12, 4.0);
            data.Add(backend, 13, 4.0);
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void CtfTableMatchesCoreFormula(ComputeBackend backend, int box, double resolution)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(box, resolution, 5, seed: 1);
        kernels.UploadParticles(particles);
        for (int i = 0; i < particles.Count; i++)
        {
            float[] device = kernels.CtfValues(i);
            double[] reference = ReferenceKernels.Ctf(particles, i);
            CtfCoefficients c = particles.Particles[i].Ctf.ToCoefficients();
            for (int p = 0; p < device.Length; p++)
            {
                var (kx, ky) = particles.Grid.FrequencyPerAngstrom(p);
                float host = CtfMath.Value(c, (float)kx, (float)ky);
                Assert.True(Math.Abs(device[p] - reference[p]) < 2e-5, $"pixel {p}: device {device[p]}, double {reference[p]}");
                Assert.True(Math.Abs(device[p] - host) < 2e-5, $"pixel {p}: device {device[p]}, host float {host}");
            }
        }
        kernels.UploadParticles(particles, applyCtf: false);
        Assert.All(kernels.CtfValues(2), v => Assert.Equal(1f, v));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ResidualsMatchReference(ComputeBackend backend, int box, double resolution)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(box, resolution, 12, seed: 2);
        kernels.UploadParticles(particles);
        int m = kernels.Box;
        Assert.Equal(particles.Grid.CroppedBox, m);
        float[] volumes = TestData.Volumes(4, m, seed: 3);
        using var stack = kernels.CreateVolumes(4);
        stack.Upload(volumes);
        int[] batch = { 7, 0, 3, 3, 11, 5, 9 };
        int[] volumeIndices = { 2, 0, 3 };
        float[] invSigma2 = TestData.Spectrum(kernels.ShellCount, seed: 4);
        var output = new float[batch.Length * volumeIndices.Length];
        kernels.Residuals(batch, volumeIndices, stack, invSigma2, output);
        double[] reference = ReferenceKernels.Residuals(particles, batch, volumeIndices, volumes, m, invSigma2);
        Assert.InRange(TestData.ElementwiseRelativeError(output, reference), 0, 1e-5);
        // The repeated particle gives identical rows.
        for (int j = 0; j < volumeIndices.Length; j++) Assert.Equal(output[2 * 3 + j], output[3 * 3 + j]);
    }

    /// <summary>
    /// Per-volume likelihood weights (runs with their own noise models in one pass): each volume's column equals the
    /// reference with that volume's spectrum, and a spectrum of zeros scores zero.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ResidualsTakeOneSpectrumPerVolume(ComputeBackend backend, int box, double resolution)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(box, resolution, 12, seed: 2);
        kernels.UploadParticles(particles);
        int m = kernels.Box, shells = kernels.ShellCount;
        float[] volumes = TestData.Volumes(4, m, seed: 3);
        using var stack = kernels.CreateVolumes(4);
        stack.Upload(volumes);
        int[] batch = { 7, 0, 3, 11, 5 };
        int[] volumeIndices = { 2, 0, 3, 1, 2 };
        var spectra = Enumerable.Range(0, volumeIndices.Length).Select(j => TestData.Spectrum(shells, seed: (ulong)(10 + j))).ToArray();
        Array.Clear(spectra[3]);
        var output = new float[batch.Length * volumeIndices.Length];
        kernels.Residuals(batch, volumeIndices, stack, spectra.SelectMany(x => x).ToArray(), output);
        for (int j = 0; j < volumeIndices.Length; j++)
        {
            var alone = ReferenceKernels.Residuals(particles, batch, [volumeIndices[j]], volumes, m, spectra[j]);
            for (int i = 0; i < batch.Length; i++)
                Assert.True(Math.Abs(output[i * volumeIndices.Length + j] - alone[i]) <= 1e-5 * Math.Max(1, Math.Abs(alone[i])), $"particle {i}, volume {j}");
        }
        for (int i = 0; i < batch.Length; i++) Assert.Equal(0f, output[i * volumeIndices.Length + 3]);
    }

    /// <summary>
    /// A configuration scored alone or packed with other configurations' volumes (at any position of the request)
    /// gets the same bits: what lets the engine share passes without changing any run's result.
    /// </summary>
    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl)]
    [InlineData(ComputeBackend.Cpu)]
    public void ResidualBitsDoNotDependOnCompanionVolumes(ComputeBackend backend)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(24, 8.0, 6, seed: 26);
        kernels.UploadParticles(particles);
        float[] volumes = TestData.Volumes(7, kernels.Box, seed: 27);
        using var stack = kernels.CreateVolumes(7);
        stack.Upload(volumes);
        int[] batch = { 4, 1, 5 };
        float[] invSigma2 = TestData.Spectrum(kernels.ShellCount, seed: 28);
        float[] Score(int[] volumeIndices)
        {
            var output = new float[batch.Length * volumeIndices.Length];
            kernels.Residuals(batch, volumeIndices, stack, invSigma2, output);
            return output;
        }
        float[] alone = Score(new[] { 3 });
        foreach (int[] packed in new[] { new[] { 0, 3 }, new[] { 1, 2, 6, 0, 5, 4, 3 }, new[] { 6, 5, 3 }, new[] { 3, 3, 3, 3, 3 } })
        {
            float[] together = Score(packed);
            for (int j = 0; j < packed.Length; j++)
            {
                if (packed[j] != 3) continue;
                for (int b = 0; b < batch.Length; b++) Assert.Equal(alone[b], together[b * packed.Length + j]);
            }
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ShellResidualsMatchReferenceAndSumToResiduals(ComputeBackend backend, int box, double resolution)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(box, resolution, 8, seed: 5);
        kernels.UploadParticles(particles);
        int m = kernels.Box;
        float[] volumes = TestData.Volumes(3, m, seed: 6);
        using var stack = kernels.CreateVolumes(3);
        stack.Upload(volumes);
        int[] batch = { 1, 4, 6, 2 };
        int[] volumeIndices = { 0, 1, 2 };
        float[] weights = TestData.Weights(batch.Length, 3, seed: 7);
        var output = new float[batch.Length * kernels.ShellCount];
        kernels.ShellResiduals(batch, volumeIndices, stack, weights, output);
        double[] reference = ReferenceKernels.ShellResiduals(particles, batch, volumeIndices, volumes, m, weights);
        Assert.InRange(TestData.RelativeError(output, reference), 0, 1e-5);

        // With one-hot weights and unit noise, the shells add up to the residual of the chosen volume.
        var oneHot = new float[batch.Length * 3];
        for (int b = 0; b < batch.Length; b++) oneHot[b * 3 + b % 3] = 1f;
        kernels.ShellResiduals(batch, volumeIndices, stack, oneHot, output);
        var residuals = new float[batch.Length * 3];
        kernels.Residuals(batch, volumeIndices, stack, Enumerable.Repeat(1f, kernels.ShellCount).ToArray(), residuals);
        for (int b = 0; b < batch.Length; b++)
        {
            double sum = output.AsSpan(b * kernels.ShellCount, kernels.ShellCount).ToArray().Sum(v => (double)v);
            Assert.Equal(residuals[b * 3 + b % 3], sum, 1e-5 * sum);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void BackprojectionMatchesReference(ComputeBackend backend, int box, double resolution)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(box, resolution, 10, seed: 8);
        kernels.UploadParticles(particles);
        int m = kernels.Box, voxels = m * m * m;
        int[] batch = { 9, 2, 4, 0, 7, 5, 1 };
        const int volumeCount = 3;
        float[] weights = TestData.Weights(batch.Length, volumeCount, seed: 9);
        using var sums = kernels.CreateSums(volumeCount);
        kernels.Backproject(batch, weights, sums, partialCount: 3);
        var numerator = new float[volumeCount * voxels * 2];
        var denominator = new float[volumeCount * voxels];
        sums.Download(numerator, denominator);
        var (refNumerator, refDenominator) = ReferenceKernels.Backproject(particles, batch, weights, volumeCount, m);
        Assert.InRange(TestData.RelativeError(numerator, refNumerator), 0, 1e-5);
        Assert.InRange(TestData.RelativeError(denominator, refDenominator), 0, 1e-5);
    }

    /// <summary>
    /// The CPU devices' slab scheme (no partial count) against the reference, with the slab thickness its rule picks
    /// and with two-plane slabs (most stencils straddle two slabs); and against one private partial volume, which sums
    /// every voxel in the same entry-then-pixel order: bit for bit on ILGPU's CPU accelerator.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void SlabBackprojectionMatchesReference(ComputeBackend backend, int box, double resolution)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(box, resolution, 10, seed: 8);
        kernels.UploadParticles(particles);
        int m = kernels.Box, voxels = m * m * m;
        int[] batch = { 9, 2, 4, 0, 7, 5, 1, 2 };
        const int volumeCount = 5; // a group of four volumes per work item and a group of one
        float[] weights = TestData.Weights(batch.Length, volumeCount, seed: 19);
        var (refNumerator, refDenominator) = ReferenceKernels.Backproject(particles, batch, weights, volumeCount, m);
        (float[] Numerator, float[] Denominator) Run(int? partialCount, int? planes)
        {
            kernels.SlabPlanesOverride = planes;
            try
            {
                using var sums = kernels.CreateSums(volumeCount);
                kernels.Backproject(batch, weights, sums, partialCount);
                var numerator = new float[volumeCount * voxels * 2];
                var denominator = new float[volumeCount * voxels];
                sums.Download(numerator, denominator);
                return (numerator, denominator);
            }
            finally
            {
                kernels.SlabPlanesOverride = null;
            }
        }
        var onePartial = Run(1, null);
        foreach (int? planes in new int?[] { null, 2, m })
        {
            var slabs = Run(null, planes);
            Assert.InRange(TestData.RelativeError(slabs.Numerator, refNumerator), 0, 1e-5);
            Assert.InRange(TestData.RelativeError(slabs.Denominator, refDenominator), 0, 1e-5);
            if (backend == ComputeBackend.Cpu)
            {
                Assert.Equal(onePartial.Numerator, slabs.Numerator);
                Assert.Equal(onePartial.Denominator, slabs.Denominator);
            }
            else
            {
                // PoCL's -cl-unsafe-math-optimizations fuses products differently in the two kernels: equal to rounding.
                Assert.InRange(TestData.RelativeError(slabs.Numerator, Array.ConvertAll(onePartial.Numerator, v => (double)v)), 0, 5e-6);
                Assert.InRange(TestData.RelativeError(slabs.Denominator, Array.ConvertAll(onePartial.Denominator, v => (double)v)), 0, 5e-6);
            }
        }
    }

    /// <summary>
    /// Several runs' sums backprojected in one call (a lockstep sweep's M-step) hold the bits each gets alone, also when
    /// the volume budget cuts the volumes into groups that straddle two runs' sums.
    /// </summary>
    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl)]
    [InlineData(ComputeBackend.Cpu)]
    public void BackprojectingManySumsAtOnceGivesEachTheBitsItGetsAlone(ComputeBackend backend)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(24, 8.0, 12, seed: 20);
        kernels.UploadParticles(particles);
        int[] batch = { 3, 11, 0, 7, 7, 2, 9 };
        int[] counts = { 2, 3, 1, 2 };
        int total = counts.Sum();
        float[] weights = TestData.Weights(batch.Length, total, seed: 21);
        var alone = new List<(float[], float[])>();
        int first = 0;
        foreach (int count in counts)
        {
            var columns = new float[batch.Length * count];
            for (int i = 0; i < batch.Length; i++) Array.Copy(weights, i * total + first, columns, i * count, count);
            using var sums = kernels.CreateSums(count);
            kernels.Backproject(batch, columns, sums);
            alone.Add(Download(sums));
            first += count;
        }
        int voxels = kernels.Box * kernels.Box * kernels.Box;
        foreach (long? budget in new long?[] { null, 3L * voxels * 12 })
        {
            kernels.PartialBudgetBytes = budget ?? ClassificationKernels.DefaultPartialBudgetBytes;
            try
            {
                var many = counts.Select(kernels.CreateSums).ToList();
                kernels.BackprojectMany(batch, weights, many);
                for (int r = 0; r < counts.Length; r++)
                {
                    var (numerator, denominator) = Download(many[r]);
                    Assert.Equal(alone[r].Item1, numerator);
                    Assert.Equal(alone[r].Item2, denominator);
                }
                foreach (var sums in many) sums.Dispose();
            }
            finally
            {
                kernels.PartialBudgetBytes = ClassificationKernels.DefaultPartialBudgetBytes;
            }
        }

        static (float[], float[]) Download(BackprojectionSums sums)
        {
            var numerator = new float[sums.Count * sums.Voxels * 2];
            var denominator = new float[sums.Count * sums.Voxels];
            sums.Download(numerator, denominator);
            return (numerator, denominator);
        }
    }

    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl)]
    [InlineData(ComputeBackend.Cpu)]
    public void BackprojectionIsBitIdenticalForAGivenPartialCount(ComputeBackend backend)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(24, 8.0, 16, seed: 10);
        kernels.UploadParticles(particles);
        int[] batch = Enumerable.Range(0, 16).Reverse().ToArray();
        float[] weights = TestData.Weights(batch.Length, 2, seed: 11, zeroFraction: 0);
        (float[], float[]) Run(int? partials)
        {
            using var sums = kernels.CreateSums(2);
            kernels.Backproject(batch, weights, sums, partials);
            var numerator = new float[2 * sums.Voxels * 2];
            var denominator = new float[2 * sums.Voxels];
            sums.Download(numerator, denominator);
            return (numerator, denominator);
        }
        var first = Run(5);
        var second = Run(5);
        Assert.Equal(first.Item1, second.Item1);
        Assert.Equal(first.Item2, second.Item2);
        // A different split sums in a different order: equal to rounding, which the test would see if the
        // partial volumes overlapped or were dropped.
        var other = Run(1);
        var reference = Array.ConvertAll(first.Item1, v => (double)v);
        Assert.InRange(TestData.RelativeError(other.Item1, reference), 0, 1e-5);
        // The default count also reproduces itself.
        Assert.Equal(Run(null).Item1, Run(null).Item1);
    }

    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl)]
    [InlineData(ComputeBackend.Cpu)]
    public void VolumeGroupsAndParticleChunksGiveTheSameResults(ComputeBackend backend)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(24, 8.0, 11, seed: 12);
        int[] batch = { 10, 3, 0, 7, 4, 4, 9, 1 };
        float[] volumes = TestData.Volumes(3, 14, seed: 13);
        float[] weights = TestData.Weights(batch.Length, 3, seed: 14);
        float[] invSigma2 = TestData.Spectrum(7, seed: 15);
        int[] volumeIndices = { 0, 1, 2 };

        (float[] Residuals, float[] Numerator) Run(int? chunkLimit, long partialBudget)
        {
            kernels.ChunkParticleLimit = chunkLimit;
            kernels.PartialBudgetBytes = partialBudget;
            try
            {
                kernels.UploadParticles(particles);
                using var stack = kernels.CreateVolumes(3);
                stack.Upload(volumes);
                var residuals = new float[batch.Length * 3];
                kernels.Residuals(batch, volumeIndices, stack, invSigma2, residuals);
                using var sums = kernels.CreateSums(3);
                kernels.Backproject(batch, weights, sums, partialCount: 2);
                var numerator = new float[3 * sums.Voxels * 2];
                sums.Download(numerator, new float[3 * sums.Voxels]);
                return (residuals, numerator);
            }
            finally
            {
                kernels.ChunkParticleLimit = null;
                kernels.PartialBudgetBytes = ClassificationKernels.DefaultPartialBudgetBytes;
            }
        }

        var whole = Run(null, ClassificationKernels.DefaultPartialBudgetBytes);
        // One volume per group (budget of exactly two partial volumes) and particles in chunks of 3.
        var split = Run(3, 2L * 14 * 14 * 14 * 3 * sizeof(float));
        Assert.Equal(whole.Residuals, split.Residuals); // per-thread work is identical, so bits are too
        var reference = Array.ConvertAll(whole.Numerator, v => (double)v);
        Assert.InRange(TestData.RelativeError(split.Numerator, reference), 0, 1e-5);
        var (refNumerator, _) = ReferenceKernels.Backproject(particles, batch, weights, 3, 14);
        Assert.InRange(TestData.RelativeError(split.Numerator, refNumerator), 0, 1e-5);
    }

    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl, false)]
    [InlineData(ComputeBackend.Pocl, true)]
    [InlineData(ComputeBackend.Cpu, false)]
    public void ReconstructionMatchesReference(ComputeBackend backend, bool perVolume)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(24, 8.0, 9, seed: 16);
        kernels.UploadParticles(particles);
        int m = kernels.Box, voxels = m * m * m;
        int[] batch = Enumerable.Range(0, 9).ToArray();
        float[] weights = TestData.Weights(batch.Length, 2, seed: 17);
        using var sums = kernels.CreateSums(2);
        kernels.Backproject(batch, weights, sums, partialCount: 2);
        var numerator = new float[2 * voxels * 2];
        var denominator = new float[2 * voxels];
        sums.Download(numerator, denominator);
        // Shells 0..6 are the kept ones; a short spectrum checks that later shells reuse the last value.
        float[] spectrum = perVolume
            ? TestData.Spectrum(10, seed: 18)
            : new[] { 0.2f, 0.3f, 0.1f, 0.4f };
        using var output = kernels.CreateVolumes(2);
        kernels.Reconstruct(sums, spectrum, output, perVolume);
        float[] perVolumeSpectrum = perVolume ? spectrum : spectrum.Concat(spectrum).ToArray();
        double[] reference = ReferenceKernels.Reconstruct(
            Array.ConvertAll(numerator, v => (double)v), Array.ConvertAll(denominator, v => (double)v),
            perVolumeSpectrum, 2, m);
        float[] result = output.Download();
        Assert.InRange(TestData.RelativeError(result, reference), 0, 1e-5);
        // Voxels just beyond radius M/2 - 1 received splats (den > 0) but are zeroed; inside they are not.
        int r = m / 2 - 1, h = m / 2, beyond = 0;
        for (int voxel = 0; voxel < voxels; voxel++)
        {
            int fx = voxel % m - h, fy = voxel / m % m - h, fz = voxel / (m * m) - h;
            int r2 = fx * fx + fy * fy + fz * fz;
            if (r2 <= r * r || denominator[voxel] <= 0) continue;
            beyond++;
            Assert.Equal(0f, result[2 * voxel]);
            Assert.Equal(0f, result[2 * voxel + 1]);
        }
        Assert.True(beyond > 0, "no splat reached beyond the radius: the cutoff was not exercised");
        Assert.NotEqual(0f, result[2 * (((0 * m + h) * m + h) * m + h + 1)]);
    }

    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl)]
    [InlineData(ComputeBackend.Cpu)]
    public void BlendIsPerVolumeAffineCombination(ComputeBackend backend)
    {
        var kernels = devices.Kernels(backend);
        kernels.UploadParticles(TestData.Particles(12, 4.0, 2, seed: 19));
        int voxels = kernels.Box * kernels.Box * kernels.Box;
        using var running = kernels.CreateSums(2);
        using var batch = kernels.CreateSums(2);
        float[] n1 = TestData.Volumes(2, kernels.Box, seed: 20), n2 = TestData.Volumes(2, kernels.Box, seed: 21);
        float[] d1 = n1.Take(2 * voxels).ToArray(), d2 = n2.Skip(2 * voxels).ToArray();
        running.Upload(n1, d1);
        batch.Upload(n2, d2);
        float[] keep = { 0.75f, 0f }, add = { 0.25f, 1f };
        kernels.Blend(running, batch, keep, add);
        var numerator = new float[n1.Length];
        var denominator = new float[d1.Length];
        running.Download(numerator, denominator);
        for (int i = 0; i < numerator.Length; i++)
        {
            int v = i / (2 * voxels);
            Assert.Equal(keep[v] * n1[i] + add[v] * n2[i], numerator[i], 1e-6f);
        }
        for (int i = 0; i < denominator.Length; i++)
        {
            int v = i / voxels;
            Assert.Equal(keep[v] * d1[i] + add[v] * d2[i], denominator[i], 1e-6f);
        }
    }

    [SkippableFact]
    public void PoclAndCpuAcceleratorAgree()
    {
        var pocl = devices.Kernels(ComputeBackend.Pocl);
        var cpu = devices.Kernels(ComputeBackend.Cpu);
        var particles = TestData.Particles(13, 4.0, 6, seed: 22);
        pocl.UploadParticles(particles);
        cpu.UploadParticles(particles);
        float[] volumes = TestData.Volumes(2, pocl.Box, seed: 23);
        int[] batch = { 5, 1, 3 };
        int[] volumeIndices = { 1, 0 };
        float[] invSigma2 = TestData.Spectrum(pocl.ShellCount, seed: 24);
        float[] Residuals(ClassificationKernels k)
        {
            using var stack = k.CreateVolumes(2);
            stack.Upload(volumes);
            var output = new float[6];
            k.Residuals(batch, volumeIndices, stack, invSigma2, output);
            return output;
        }
        float[] a = Residuals(pocl), b = Residuals(cpu);
        Assert.InRange(TestData.ElementwiseRelativeError(a, Array.ConvertAll(b, v => (double)v)), 0, 1e-5);

        float[] Backprojected(ClassificationKernels k)
        {
            using var sums = k.CreateSums(2);
            k.Backproject(batch, new float[] { 1, 0.5f, 0, 2, 0.25f, 1 }, sums, partialCount: 2);
            var numerator = new float[2 * sums.Voxels * 2];
            sums.Download(numerator, new float[2 * sums.Voxels]);
            return numerator;
        }
        Assert.InRange(TestData.RelativeError(Backprojected(pocl), Array.ConvertAll(Backprojected(cpu), v => (double)v)), 0, 1e-5);
    }

    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl)]
    [InlineData(ComputeBackend.Cpu)]
    public void BadArgumentsAreRejectedWithTheirNames(ComputeBackend backend)
    {
        var kernels = devices.Kernels(backend);
        kernels.UploadParticles(TestData.Particles(12, 4.0, 3, seed: 25));
        using var stack = kernels.CreateVolumes(2);
        var spectrum = new float[kernels.ShellCount];
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => kernels.Residuals(new[] { 3 }, new[] { 0 }, stack, spectrum, new float[1]));
        Assert.Contains("batch[0] = 3", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => kernels.Residuals(new[] { 0 }, new[] { 2 }, stack, spectrum, new float[1]));
        Assert.Contains("volumeIndices[0] = 2", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => kernels.Residuals(new[] { 0 }, new[] { 0 }, stack, new float[2], new float[1]));
        Assert.Equal("invSigma2", e3.ParamName);
        using var sums = kernels.CreateSums(2);
        var e4 = Assert.Throws<ArgumentException>(() => kernels.Backproject(new[] { 0 }, new float[1], sums));
        Assert.Equal("weights", e4.ParamName);
    }
}
