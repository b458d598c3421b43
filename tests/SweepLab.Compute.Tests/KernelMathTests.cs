using SweepLab.Compute.Kernels;
using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;

namespace SweepLab.Compute.Tests;

/// <summary>The per-pixel functions the kernels call, run on the host against independent formulas.</summary>
public sealed class KernelMathTests
{
    [Fact]
    public void SliceFrequencyIsTransposeOfRelionMatrix()
    {
        var a = Rotation.FromRelionEulerDegrees(37, 81, -122);
        Span<float> m = stackalloc float[9];
        a.CopyTo(m);
        for (int kx = -4; kx <= 4; kx++)
        for (int ky = -4; ky <= 4; ky++)
        {
            var q = KernelMath.SliceFrequency(m[0], m[1], m[2], m[3], m[4], m[5], kx, ky);
            var (x, y, z) = a.ApplyTranspose(kx, ky, 0);
            Assert.Equal(x, q.X, 1e-5);
            Assert.Equal(y, q.Y, 1e-5);
            Assert.Equal(z, q.Z, 1e-5);
            // A maps it back into the image plane: A q = (kx, ky, 0).
            var (ix, iy, iz) = a.Apply(q.X, q.Y, q.Z);
            Assert.Equal(kx, ix, 1e-5);
            Assert.Equal(ky, iy, 1e-5);
            Assert.Equal(0, iz, 1e-5);
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    public void GatherMatchesIndependentTrilinearAndHitsGridPointsExactly(int m)
    {
        float[] volumes = TestData.Volumes(2, m, seed: 40);
        var reader = new ArrayFloatReader(volumes);
        for (int i = 0; i < 200; i++)
        {
            double qx = (m / 2 + 0.9) * TestData.Uniform(41, 1, (ulong)i);
            double qy = (m / 2 + 0.9) * TestData.Uniform(41, 2, (ulong)i);
            double qz = (m / 2 + 0.9) * TestData.Uniform(41, 3, (ulong)i);
            var q = new Frequency3((float)qx, (float)qy, (float)qz);
            Complex32 s = KernelMath.Gather(reader, 2 * m * m * m, m, KernelMath.Stencil(m, q));
            var r = ReferenceKernels.Sample(volumes, 1, m, q.X, q.Y, q.Z);
            Assert.Equal(r.Re, s.Re, 1e-5);
            Assert.Equal(r.Im, s.Im, 1e-5);
        }
        // On a grid point the sample is the voxel; index ((z M) + y) M + x with frequency index - M/2.
        var point = new Frequency3(-3, 2, 5);
        Complex32 v = KernelMath.Gather(reader, 0, m, KernelMath.Stencil(m, point));
        int index = 2 * (((5 + m / 2) * m + (2 + m / 2)) * m + (-3 + m / 2));
        Assert.Equal(volumes[index], v.Re);
        Assert.Equal(volumes[index + 1], v.Im);
        // Halfway between two voxels along x: their mean.
        Complex32 mid = KernelMath.Gather(reader, 0, m, KernelMath.Stencil(m, point with { X = -2.5f }));
        Assert.Equal(0.5f * (volumes[index] + volumes[index + 2]), mid.Re, 1e-6f);
    }

    [Fact]
    public void SplatIsTheTransposeOfGather()
    {
        const int m = 12;
        float[] v = TestData.Volumes(1, m, seed: 42);
        for (int i = 0; i < 50; i++)
        {
            var q = new Frequency3((float)(6.5 * TestData.Uniform(43, 1, (ulong)i)), (float)(6.5 * TestData.Uniform(43, 2, (ulong)i)),
                (float)(6.5 * TestData.Uniform(43, 3, (ulong)i)));
            var stencil = KernelMath.Stencil(m, q);
            var numerator = new float[2 * m * m * m];
            var denominator = new float[m * m * m];
            KernelMath.Splat(new ArrayVoxelAccumulator(numerator, denominator, 0), m, stencil, 1f, 0f, 1f);
            // <v, splat(1)> = Re gather(v) and the splatted weights sum to the in-grid weight of the stencil.
            double inner = 0;
            for (int j = 0; j < numerator.Length; j++) inner += (double)v[j] * numerator[j];
            Complex32 g = KernelMath.Gather(new ArrayFloatReader(v), 0, m, stencil);
            Assert.Equal(g.Re, inner, 1e-5);
            Assert.Equal(numerator.Where((_, j) => j % 2 == 0).Sum(), denominator.Sum(), 1e-5f);
            Assert.True(denominator.Sum() <= 1.00001f);
        }
    }

    [Fact]
    public void CtfHelperCallsCoreFormulaAtTheRightFrequency()
    {
        var p = new CtfParameters(18000, 15000, 33, 300, 2.7, 0.07, phaseShiftDegrees: 10, bFactorAngstrom2: 50);
        var c = p.ToCoefficients();
        const float perAngstrom = 1f / (128 * 1.1f);
        for (int kx = 0; kx <= 40; kx += 5)
        for (int ky = -40; ky <= 40; ky += 8)
        {
            double expected = CtfMath.Value(p, kx * (double)perAngstrom, ky * (double)perAngstrom);
            Assert.Equal(expected, KernelMath.Ctf(c, kx, ky, perAngstrom), 2e-5);
        }
    }

    [Theory]
    [InlineData(64, 1.0, 3.0)]
    [InlineData(65, 1.0, 3.0)]
    public void VoxelShellAgreesWithFourierCropShells(int box, double pixel, double resolution)
    {
        var grid = new FourierCrop(box, pixel, resolution);
        for (int p = 0; p < grid.PixelCount; p++)
            Assert.Equal(grid.ShellValues[p], KernelMath.VoxelShell(grid.KxValues[p], grid.KyValues[p], 0, 1000));
        Assert.Equal(4, KernelMath.VoxelShell(3, 4, 12, 5)); // 13 clamps to the last shell
    }

    [Fact]
    public void SliceCutoffIsOnTheIntegerRadius()
    {
        Assert.True(KernelMath.InsideSlice(5, 0, 12));
        Assert.False(KernelMath.InsideSlice(6, 0, 12));
        Assert.True(KernelMath.InsideSlice(3, 4, 12));
        Assert.False(KernelMath.InsideSlice(4, 4, 12));
        Assert.True(KernelMath.InsideVolume(3, 4, 0, 12));
        Assert.False(KernelMath.InsideVolume(3, 4, 1, 12));
    }

    [Fact]
    public void ReconstructVoxelDividesAndNeverReturnsNaN()
    {
        Assert.Equal(new Complex32(1f, -2f), KernelMath.ReconstructVoxel(new Complex32(3f, -6f), 2f, 1f));
        Assert.Equal(new Complex32(0f, 0f), KernelMath.ReconstructVoxel(new Complex32(3f, -6f), 0f, 0f));
        // A denormal denominator (a dying class's underflowed weights) is empty too: its reciprocal overflows.
        Assert.True(float.IsInfinity(1f / 3.3e-40f));
        Assert.Equal(new Complex32(0f, 0f), KernelMath.ReconstructVoxel(new Complex32(6.2e-38f, 6.5e-38f), 3.3e-40f, 0f));
        Assert.Equal(new Complex32(0f, 0f), KernelMath.ReconstructVoxel(new Complex32(1e-40f, 0f), 1e-44f, 0f));
        // the smallest normal one still divides
        var smallest = KernelMath.ReconstructVoxel(new Complex32(2 * KernelMath.SmallestDenominator, 0f), KernelMath.SmallestDenominator, 0f);
        Assert.Equal(new Complex32(2f, 0f), smallest);
        Assert.Equal(KernelMath.SmallestDenominator, BitConverter.Int32BitsToSingle(0x00800000)); // 2^-126, the smallest normal float
    }

    /// <summary>Rotations that stress the slab ranges: generic, in-plane only (a02 = a12 = 0), side views, near-degenerate.</summary>
    private static IEnumerable<Rotation> SlabTestRotations()
    {
        for (int i = 0; i < 40; i++)
            yield return Rotation.FromRelionEulerDegrees(180 * TestData.Uniform(61, 1, (ulong)i), 90 + 90 * TestData.Uniform(61, 2, (ulong)i),
                180 * TestData.Uniform(61, 3, (ulong)i));
        foreach (var (rot, tilt, psi) in new[] { (0.0, 0.0, 0.0), (30.0, 0.0, 70.0), (0.0, 90.0, 0.0), (90.0, 90.0, 0.0), (0.0, 90.0, 90.0),
                     (45.0, 90.0, 33.0), (0.0, 0.001, 0.0), (12.0, 0.02, -40.0), (0.0, 179.99, 10.0), (0.0, 90.0, 0.001) })
            yield return Rotation.FromRelionEulerDegrees(rot, tilt, psi);
    }

    /// <summary>
    /// The slab backprojection visits only the rows and kx ranges <see cref="KernelMath.SlabKyRange"/> and
    /// <see cref="KernelMath.SlabRowRange"/> give: every kept pixel whose stencil reaches the slab must be inside them
    /// (a missed one would silently drop data), for every slab thickness and the poses that make a02 or a12 vanish; and
    /// the ranges must stay close to the pixels that reach (a range of whole rows would be correct but slow).
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(22)]
    public void SlabRangesHoldEveryPixelThatReachesTheSlab(int planes)
    {
        var grid = new FourierCrop(64, 2.0, 6.0);
        int m = grid.CroppedBox;
        int[] rows = ClassificationKernels.PixelRows(grid.KxValues, grid.KyValues);
        Span<float> a = stackalloc float[9];
        long reaching = 0, visited = 0;
        foreach (var rotation in SlabTestRotations())
        {
            rotation.CopyTo(a);
            for (int zFirst = 0; zFirst < m; zFirst += planes)
            {
                int zEnd = Math.Min(m, zFirst + planes);
                KxRange kyRange = KernelMath.SlabKyRange(a[2], a[5], m / 2, m, zFirst, zEnd);
                for (int row = 0; row < rows.Length / 4; row++)
                {
                    int start = rows[4 * row], ky = rows[4 * row + 1], kxFirst = rows[4 * row + 2], kxLast = rows[4 * row + 3];
                    KxRange kxRange = KernelMath.SlabRowRange(a[2], a[5], ky, kxFirst, kxLast, m, zFirst, zEnd);
                    bool rowVisited = ky >= kyRange.First && ky <= kyRange.Last;
                    if (rowVisited) visited += Math.Max(0, kxRange.Last - kxRange.First + 1);
                    for (int kx = kxFirst; kx <= kxLast; kx++)
                    {
                        var stencil = KernelMath.Stencil(m, KernelMath.SliceFrequency(a[0], a[1], a[2], a[3], a[4], a[5], kx, ky));
                        if (stencil.Z0 < zFirst - 1 || stencil.Z0 >= zEnd) continue;
                        reaching++;
                        Assert.True(rowVisited, $"row ky = {ky} skipped for slab [{zFirst}, {zEnd}) though kx = {kx} reaches it");
                        Assert.InRange(kx, kxRange.First, kxRange.Last);
                        Assert.Equal(grid.KxValues[start + kx - kxFirst], kx);
                    }
                }
            }
        }
        // Each pixel reaches one or two slabs; the ranges add a pixel or two per row at each edge of the band.
        Assert.InRange(visited, reaching, reaching + reaching * 3 / planes + 10L * rows.Length * SlabTestRotations().Count());
    }

    [Fact]
    public void PixelRowsAreRunsOfTheKeptPixels()
    {
        var grid = new FourierCrop(64, 2.0, 6.0);
        int[] rows = ClassificationKernels.PixelRows(grid.KxValues, grid.KyValues);
        int p = 0;
        for (int row = 0; row < rows.Length / 4; row++)
        {
            Assert.Equal(p, rows[4 * row]);
            for (int kx = rows[4 * row + 2]; kx <= rows[4 * row + 3]; kx++, p++)
            {
                Assert.Equal(kx, grid.KxValues[p]);
                Assert.Equal(rows[4 * row + 1], grid.KyValues[p]);
            }
        }
        Assert.Equal(grid.PixelCount, p);
        Assert.Equal(2 * grid.MaxRadius, rows.Length / 4); // one run per row but the empty ky = -R (kx = 0 is the other half's)
    }

    [Fact]
    public void SlabsTileTheSplat()
    {
        const int m = 12;
        for (int i = 0; i < 50; i++)
        {
            var q = new Frequency3((float)(6.5 * TestData.Uniform(44, 1, (ulong)i)), (float)(6.5 * TestData.Uniform(44, 2, (ulong)i)),
                (float)(6.5 * TestData.Uniform(44, 3, (ulong)i)));
            var stencil = KernelMath.Stencil(m, q);
            var whole = (new float[2 * m * m * m], new float[m * m * m]);
            KernelMath.Splat(new ArrayVoxelAccumulator(whole.Item1, whole.Item2, 0), m, stencil, 0.3f, -1.7f, 2.1f);
            foreach (int planes in new[] { 1, 2, 5 })
            {
                var tiled = (new float[2 * m * m * m], new float[m * m * m]);
                for (int z = 0; z < m; z += planes)
                    KernelMath.SplatSlab(new ArrayVoxelAccumulator(tiled.Item1, tiled.Item2, 0), m, z, Math.Min(m, z + planes), stencil, 0.3f, -1.7f, 2.1f);
                Assert.Equal(whole.Item1, tiled.Item1);
                Assert.Equal(whole.Item2, tiled.Item2);
            }
        }
    }
}
