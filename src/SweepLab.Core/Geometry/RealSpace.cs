namespace SweepLab.Core.Geometry;

/// <summary>
/// Real-space volume operations for tests and the simulator (the engine works in Fourier space). Boxes are n^3,
/// row-major [z][y][x], with the origin at voxel (n/2, n/2, n/2) as in RELION. In <see cref="Rotation"/>'s
/// convention the projection image of a volume at pose A is
/// <c>ProjectAlongZ(RotateVolumeTrilinear(vol, A))</c>: rotated(x) = vol(A^T x), then summed along z, so
/// image(x, y) = sum_z vol(A^T (x, y, z)), whose 2D transform is the 3D transform's central slice at A^T (kx, ky, 0).
/// </summary>
public static class RealSpace
{
    /// <summary>
    /// output(x) = vol(A^T x) about the centre n/2, trilinearly interpolated; samples outside the box read as zero
    /// (each of the eight neighbours outside the box contributes nothing).
    /// </summary>
    public static void RotateVolumeTrilinear(ReadOnlySpan<float> volume, int n, Rotation rotation, Span<float> output)
    {
        CheckVolume(volume.Length, n, nameof(volume));
        CheckVolume(output.Length, n, nameof(output));
        double c = n / 2;
        var r = rotation;
        for (int z = 0; z < n; z++)
        {
            double vz = z - c;
            for (int y = 0; y < n; y++)
            {
                double vy = y - c;
                // Source = A^T (x - c, y - c, z - c) + c; linear in x, so start at x = 0 and step by A^T's first column.
                double bx = r.M10 * vy + r.M20 * vz + c;
                double by = r.M11 * vy + r.M21 * vz + c;
                double bz = r.M12 * vy + r.M22 * vz + c;
                var dst = output.Slice((z * n + y) * n, n);
                for (int x = 0; x < n; x++)
                {
                    double vx = x - c;
                    dst[x] = (float)Sample(volume, n, bx + r.M00 * vx, by + r.M01 * vx, bz + r.M02 * vx);
                }
            }
        }
    }

    /// <summary>image[y][x] = sum over z of vol[z][y][x] (line integral along the beam, one voxel per step).</summary>
    public static void ProjectAlongZ(ReadOnlySpan<float> volume, int n, Span<float> image)
    {
        CheckVolume(volume.Length, n, nameof(volume));
        if (image.Length != n * n) throw new ArgumentException($"image holds {image.Length} elements; {n} x {n} expected", nameof(image));
        int plane = n * n;
        // Accumulate in double so the sum does not depend on float rounding order beyond the final cast.
        var rented = System.Buffers.ArrayPool<double>.Shared.Rent(plane);
        try
        {
            var sums = rented.AsSpan(0, plane);
            sums.Clear();
            for (int z = 0; z < n; z++)
            {
                var src = volume.Slice(z * plane, plane);
                for (int i = 0; i < plane; i++) sums[i] += src[i];
            }
            for (int i = 0; i < plane; i++) image[i] = (float)sums[i];
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(rented);
        }
    }

    /// <summary>Trilinear sample at voxel coordinates (x, y, z); neighbours outside the box are zero.</summary>
    public static double Sample(ReadOnlySpan<float> volume, int n, double x, double y, double z)
    {
        if (!(x > -1 && x < n && y > -1 && y < n && z > -1 && z < n)) return 0;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y), z0 = (int)Math.Floor(z);
        double fx = x - x0, fy = y - y0, fz = z - z0;
        double sum = 0;
        for (int dz = 0; dz < 2; dz++)
        {
            int zi = z0 + dz;
            if (zi < 0 || zi >= n) continue;
            double wz = dz == 0 ? 1 - fz : fz;
            for (int dy = 0; dy < 2; dy++)
            {
                int yi = y0 + dy;
                if (yi < 0 || yi >= n) continue;
                double wzy = wz * (dy == 0 ? 1 - fy : fy);
                int rowBase = (zi * n + yi) * n;
                for (int dx = 0; dx < 2; dx++)
                {
                    int xi = x0 + dx;
                    if (xi < 0 || xi >= n) continue;
                    sum += wzy * (dx == 0 ? 1 - fx : fx) * volume[rowBase + xi];
                }
            }
        }
        return sum;
    }

    private static void CheckVolume(int length, int n, string name)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "box size must be at least 1 voxel");
        if (length != (long)n * n * n) throw new ArgumentException($"{name} holds {length} elements; {n}^3 = {(long)n * n * n} expected", name);
    }
}
