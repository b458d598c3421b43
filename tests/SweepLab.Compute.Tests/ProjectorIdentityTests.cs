using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;

namespace SweepLab.Compute.Tests;

/// <summary>
/// The projector (slice extraction) and the backprojector (trilinear splat with W = 1, CTF = 1) are adjoint, and
/// a volume holding one Fourier component projects to the analytic slice.
/// The backprojector also splats the conjugate at -A^T k, so it is the adjoint of v -> s_v(q) + conj(s_v(-q)),
/// which equals the plain slice of h = v + v~ with v~(f) = conj(v(-f)) (zero where -f leaves the grid):
/// &lt;v, P* u&gt; = Re sum_p conj(u_p) [s_v(q_p) + conj(s_v(-q_p))] = Re &lt;P h, u&gt;.
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class ProjectorIdentityTests(DeviceFixture devices)
{
    [Theory]
    [InlineData(24, 9.6)]
    [InlineData(12, 4.0)]
    [InlineData(13, 4.0)]
    public void ReferenceProjectorAndBackprojectorAreAdjoint(int box, double resolution)
    {
        var particles = TestData.Particles(box, resolution, 5, seed: 30);
        int m = particles.Grid.CroppedBox;
        float[] v = TestData.Volumes(1, m, seed: 31);
        int[] batch = { 0, 1, 2, 3, 4 };
        var (numerator, _) = ReferenceKernels.Backproject(particles, batch, Ones(5), 1, m, applyCtf: false);
        // Random v alone can pair to almost nothing; adding P* u guarantees a sizeable inner product.
        for (int i = 0; i < v.Length; i++) v[i] += 0.1f * (float)numerator[i];
        double left = 0;
        for (int i = 0; i < numerator.Length; i += 2) left += v[i] * numerator[i] + v[i + 1] * numerator[i + 1];

        double right = 0;
        var grid = particles.Grid;
        foreach (int b in batch)
        {
            var rotation = particles.Particles[b].Rotation;
            ReadOnlySpan<float> u = particles.Coefficients(b);
            for (int p = 0; p < grid.PixelCount; p++)
            {
                int kx = grid.KxValues[p], ky = grid.KyValues[p];
                if (!ReferenceKernels.Sampled(kx, ky, m)) continue;
                var (qx, qy, qz) = rotation.ApplyTranspose(kx, ky, 0);
                var s = ReferenceKernels.Sample(v, 0, m, qx, qy, qz);
                var mate = ReferenceKernels.Sample(v, 0, m, -qx, -qy, -qz);
                double re = s.Re + mate.Re, im = s.Im - mate.Im;
                right += u[2 * p] * re + u[2 * p + 1] * im;
            }
        }
        Assert.True(Math.Abs(left) > 1, $"inner product {left} (other side {right}) too small to test");
        Assert.Equal(right, left, 1e-10 * Math.Abs(right));

        // The same through the mirrored-conjugate volume h: the plain slice of h pairs to the same number.
        float[] h = HermitianPart(v, m);
        double viaH = 0;
        foreach (int b in batch)
        {
            var slice = ReferenceKernels.Slice(particles, b, h, 0, m);
            ReadOnlySpan<float> u = particles.Coefficients(b);
            for (int p = 0; p < slice.Length; p++) viaH += u[2 * p] * slice[p].Re + u[2 * p + 1] * slice[p].Im;
        }
        Assert.Equal(right, viaH, 1e-5 * Math.Abs(right));
    }

    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl, 24, 9.6)]
    [InlineData(ComputeBackend.Pocl, 12, 4.0)]
    [InlineData(ComputeBackend.Pocl, 13, 4.0)]
    [InlineData(ComputeBackend.Cpu, 24, 8.0)]
    [InlineData(ComputeBackend.Cpu, 13, 4.0)]
    public void DeviceProjectorAndBackprojectorAreAdjoint(ComputeBackend backend, int box, double resolution)
    {
        var kernels = devices.Kernels(backend);
        var particles = TestData.Particles(box, resolution, 6, seed: 32);
        kernels.UploadParticles(particles, applyCtf: false);
        int m = kernels.Box;
        float[] v = TestData.Volumes(1, m, seed: 33);
        int[] batch = { 0, 1, 2, 3, 4, 5 };

        // <v, P* u> with P* the device backprojection of the particle data u (W = 1, CTF = 1).
        using var sums = kernels.CreateSums(1);
        kernels.Backproject(batch, Ones(batch.Length), sums, partialCount: 2);
        var numerator = new float[sums.Voxels * 2];
        sums.Download(numerator, new float[sums.Voxels]);
        double left = 0;
        for (int i = 0; i < numerator.Length; i++) left += (double)v[i] * numerator[i];

        // <P h, u> from the device residual kernel: |u - P h|^2 - |u + P h|^2 = -4 Re <P h, u> for each particle.
        float[] h = HermitianPart(v, m);
        float[] stack2 = h.Concat(h.Select(x => -x)).ToArray();
        using var stack = kernels.CreateVolumes(2);
        stack.Upload(stack2);
        var d = new float[batch.Length * 2];
        kernels.Residuals(batch, new[] { 0, 1 }, stack, Enumerable.Repeat(1f, kernels.ShellCount).ToArray(), d);
        double right = 0;
        for (int b = 0; b < batch.Length; b++) right += ((double)d[2 * b + 1] - d[2 * b]) / 4;

        Assert.True(Math.Abs(left) > 1, "inner product too small to test");
        Assert.Equal(left, right, 2e-5 * Math.Abs(left));
    }

    /// <summary>
    /// A volume that is one Fourier component z at on-grid frequency f0 projects, at a pose with A f0 = (k0, 0),
    /// to z * CTF(k0) at exactly image frequency k0 and to zero elsewhere: data equal to that slice leave a zero
    /// residual, and the same component one pixel away leaves 2 |z CTF|^2.
    /// </summary>
    [SkippableTheory]
    [InlineData(ComputeBackend.Pocl)]
    [InlineData(ComputeBackend.Cpu)]
    public void SingleFourierComponentProjectsToTheAnalyticSlice(ComputeBackend backend)
    {
        var kernels = devices.Kernels(backend);
        var grid = new FourierCrop(24, 2.0, 8.0); // M = 14, sampled radius 6
        int m = grid.CroppedBox;
        var poses = new (double Rot, double Tilt, double Psi)[] { (0, 0, 0), (0, 90, 0), (90, 90, 0), (90, 90, 90), (180, 90, -90), (-90, 180, 90) };
        var ctf = new CtfParameters(12000, 11000, 20, 300, 2.7, 0.1, 0, 30);
        var z = (Re: 0.75f, Im: -1.25f);
        foreach (var (k0x, k0y) in new[] { (3, 2), (0, 4), (5, -3), (1, 0) })
        {
            var infos = poses.Select((pose, i) => new ParticleInfo($"{i}@p", Rotation.FromRelionEulerDegrees(pose.Rot, pose.Tilt, pose.Psi), 0, 0, ctf)).ToList();
            int pixel = PixelOf(grid, k0x, k0y);
            int neighbour = PixelOf(grid, k0x, k0y + 1);
            // Particles 0..5: the exact slice; 6..11: the component one pixel off.
            var data = new float[2 * poses.Length * grid.PixelCount * 2];
            var (kx, ky) = grid.FrequencyPerAngstrom(pixel);
            float c = CtfMath.Value(ctf.ToCoefficients(), (float)kx, (float)ky);
            for (int i = 0; i < poses.Length; i++)
            {
                data[2 * (i * grid.PixelCount + pixel)] = c * z.Re;
                data[2 * (i * grid.PixelCount + pixel) + 1] = c * z.Im;
                data[2 * ((poses.Length + i) * grid.PixelCount + neighbour)] = c * z.Re;
                data[2 * ((poses.Length + i) * grid.PixelCount + neighbour) + 1] = c * z.Im;
            }
            var particles = new ParticleSet(grid, infos.Concat(infos).ToList(), data);
            kernels.UploadParticles(particles);

            // One volume per pose, each holding the single component at f0 = A^T (k0, 0), rounded to the grid.
            var volumes = new float[poses.Length * 2 * m * m * m];
            for (int i = 0; i < poses.Length; i++)
            {
                var (fx, fy, fz) = infos[i].Rotation.ApplyTranspose(k0x, k0y, 0);
                int x = (int)Math.Round(fx) + m / 2, y = (int)Math.Round(fy) + m / 2, zz = (int)Math.Round(fz) + m / 2;
                int index = 2 * ((((i * m) + zz) * m + y) * m + x);
                volumes[index] = z.Re;
                volumes[index + 1] = z.Im;
            }
            using var stack = kernels.CreateVolumes(poses.Length);
            stack.Upload(volumes);
            var ones = Enumerable.Repeat(1f, kernels.ShellCount).ToArray();
            var d = new float[1];
            double expectedOff = 2 * c * c * (z.Re * z.Re + z.Im * z.Im);
            for (int i = 0; i < poses.Length; i++)
            {
                kernels.Residuals(new[] { i }, new[] { i }, stack, ones, d);
                Assert.True(d[0] < 1e-10, $"k0 = ({k0x},{k0y}), pose {poses[i]}: residual {d[0]}, the slice is not the analytic one");
                kernels.Residuals(new[] { poses.Length + i }, new[] { i }, stack, ones, d);
                Assert.Equal(expectedOff, d[0], 1e-5 * expectedOff);
            }
        }
    }

    private static int PixelOf(FourierCrop grid, int kx, int ky)
    {
        for (int p = 0; p < grid.PixelCount; p++)
            if (grid.KxValues[p] == kx && grid.KyValues[p] == ky) return p;
        throw new ArgumentException($"({kx},{ky}) is not a kept pixel");
    }

    private static float[] Ones(int n) => Enumerable.Repeat(1f, n).ToArray();

    /// <summary>h = v + v~ with v~(f) = conj(v(-f)) where -f is on the grid, else 0.</summary>
    private static float[] HermitianPart(float[] v, int m)
    {
        var h = (float[])v.Clone();
        int half = m / 2;
        for (int z = 0; z < m; z++)
        for (int y = 0; y < m; y++)
        for (int x = 0; x < m; x++)
        {
            int mx = 2 * half - x, my = 2 * half - y, mz = 2 * half - z;
            if (mx >= m || my >= m || mz >= m) continue;
            int i = 2 * ((z * m + y) * m + x), j = 2 * ((mz * m + my) * m + mx);
            h[i] += v[j];
            h[i + 1] -= v[j + 1];
        }
        return h;
    }
}
