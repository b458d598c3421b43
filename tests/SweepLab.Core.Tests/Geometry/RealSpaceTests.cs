using System.Numerics;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;

namespace SweepLab.Core.Tests.Geometry;

public class RealSpaceTests
{
    private static int Index(int n, int x, int y, int z) => (z * n + y) * n + x;

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void Identity_rotation_copies_the_volume(int n)
    {
        var vol = TestData.FloatArray(n * n * n, 43);
        var output = new float[vol.Length];
        RealSpace.RotateVolumeTrilinear(vol, n, Rotation.Identity, output);
        Assert.Equal(vol, output);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    public void Rot_90_projection_moves_plus_x_to_minus_y(int n)
    {
        int c = n / 2;
        var vol = new float[n * n * n];
        vol[Index(n, c + 3, c, c + 1)] = 1; // volume point (3, 0, 1) from the centre
        var rotated = new float[vol.Length];
        RealSpace.RotateVolumeTrilinear(vol, n, Rotation.FromRelionEulerDegrees(90, 0, 0), rotated);
        var image = new float[n * n];
        RealSpace.ProjectAlongZ(rotated, n, image);
        // A (3, 0, 1) = (0, -3, 1): the image point is (x, y) = (c, c - 3).
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                Assert.Equal(x == c && y == c - 3 ? 1f : 0f, image[y * n + x], 6);
    }

    [Theory]
    [InlineData(32, 30, 50, -70)]
    [InlineData(33, -120, 100, 15)]
    public void Rotated_blob_lands_at_A_times_its_position(int n, double rot, double tilt, double psi)
    {
        int c = n / 2;
        const double sigma = 2.0;
        var (px, py, pz) = (5.0, -3.0, 2.0);
        var vol = new float[n * n * n];
        for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    double d2 = Sq(x - c - px) + Sq(y - c - py) + Sq(z - c - pz);
                    vol[Index(n, x, y, z)] = (float)Math.Exp(-d2 / (2 * sigma * sigma));
                }
        var a = Rotation.FromRelionEulerDegrees(rot, tilt, psi);
        var rotated = new float[vol.Length];
        RealSpace.RotateVolumeTrilinear(vol, n, a, rotated);
        double mass = 0, mx = 0, my = 0, mz = 0;
        for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                {
                    double v = rotated[Index(n, x, y, z)];
                    mass += v; mx += v * (x - c); my += v * (y - c); mz += v * (z - c);
                }
        var (ex, ey, ez) = a.Apply(px, py, pz);
        double expectedMass = Math.Pow(2 * Math.PI * sigma * sigma, 1.5);
        Assert.Equal(1.0, mass / expectedMass, 2);
        // Trilinear interpolation of a smooth blob keeps its centroid to a few hundredths of a voxel.
        Assert.True(Math.Abs(mx / mass - ex) < 0.05 && Math.Abs(my / mass - ey) < 0.05 && Math.Abs(mz / mass - ez) < 0.05,
            $"centroid ({mx / mass:F3}, {my / mass:F3}, {mz / mass:F3}) vs A p = ({ex:F3}, {ey:F3}, {ez:F3})");

        // The projection keeps the in-plane part of A p and the blob's integral.
        var image = new float[n * n];
        RealSpace.ProjectAlongZ(rotated, n, image);
        double imass = 0, ix = 0, iy = 0;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
            {
                imass += image[y * n + x]; ix += image[y * n + x] * (x - c); iy += image[y * n + x] * (y - c);
            }
        Assert.Equal(mass, imass, 3);
        Assert.True(Math.Abs(ix / imass - ex) < 0.05 && Math.Abs(iy / imass - ey) < 0.05);
    }

    public static TheoryData<int, double, double, double> SliceCases()
    {
        var data = new TheoryData<int, double, double, double>();
        foreach (int n in new[] { 8, 9 })
        {
            data.Add(n, 0, 0, 0);
            data.Add(n, 90, 0, 0);
            data.Add(n, 0, 90, 0);
            data.Add(n, 90, 90, 0);
            data.Add(n, 180, 90, -90);
            data.Add(n, -90, 90, 90);
            data.Add(n, 0, 180, 90);
        }
        return data;
    }

    /// <summary>
    /// The Fourier-slice theorem in Rotation's convention, exactly (grid-aligned rotations, no interpolation error):
    /// the 2D transform of ProjectAlongZ(rotated) at (kx, ky) is the 3D transform at A^T (kx, ky, 0).
    /// </summary>
    [Theory]
    [MemberData(nameof(SliceCases))]
    public void Projection_transform_is_the_central_slice_at_A_transpose_k(int n, double rot, double tilt, double psi)
    {
        var vol = TestData.FloatArray(n * n * n, 47);
        if (n % 2 == 0)
        {
            // Coordinate -n/2 has no +n/2 partner in an even box; keep it empty so grid rotations lose nothing.
            for (int z = 0; z < n; z++)
                for (int y = 0; y < n; y++)
                    for (int x = 0; x < n; x++)
                        if (x == 0 || y == 0 || z == 0) vol[Index(n, x, y, z)] = 0;
        }
        var a = Rotation.FromRelionEulerDegrees(rot, tilt, psi);
        var rotated = new float[vol.Length];
        RealSpace.RotateVolumeTrilinear(vol, n, a, rotated);
        var image = new float[n * n];
        RealSpace.ProjectAlongZ(rotated, n, image);
        var f2 = new Complex[n * n];
        CenteredFourier.FromImage(image, n, f2);
        var f3 = new Complex[vol.Length];
        CenteredFourier.FromVolume(vol, n, f3);
        double scale = TestData.MaxAbs(f3);
        for (int iy = 0; iy < n; iy++)
        {
            for (int ix = 0; ix < n; ix++)
            {
                int kx = CenteredFourier.SignedFrequency(ix, n), ky = CenteredFourier.SignedFrequency(iy, n);
                var (vx, vy, vz) = a.ApplyTranspose(kx, ky, 0);
                int jx = CenteredFourier.FrequencyIndex((int)Math.Round(vx), n);
                int jy = CenteredFourier.FrequencyIndex((int)Math.Round(vy), n);
                int jz = CenteredFourier.FrequencyIndex((int)Math.Round(vz), n);
                Complex expected = f3[Index(n, jx, jy, jz)];
                Assert.True(Complex.Abs(f2[iy * n + ix] - expected) < 1e-5 * scale,
                    $"k = ({kx}, {ky}): {f2[iy * n + ix]} vs slice {expected}");
            }
        }
    }

    [Fact]
    public void Sample_is_trilinear_and_zero_outside()
    {
        const int n = 4;
        var vol = new float[n * n * n];
        for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    vol[Index(n, x, y, z)] = x + 10 * y + 100 * z; // linear, so trilinear is exact inside
        Assert.Equal(1.25 + 10 * 2.5 + 100 * 0.75, RealSpace.Sample(vol, n, 1.25, 2.5, 0.75), 12);
        Assert.Equal(0, RealSpace.Sample(vol, n, -1, 1, 1));
        Assert.Equal(0, RealSpace.Sample(vol, n, 1, 4, 1));
        // Half a voxel past the last plane, only the inside neighbour counts, with weight 1/2.
        Assert.Equal(0.5 * (3 + 10 + 100), RealSpace.Sample(vol, n, 3.5, 1, 1), 12);
    }

    private static double Sq(double v) => v * v;
}
