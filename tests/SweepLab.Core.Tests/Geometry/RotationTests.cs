using SweepLab.Core.Geometry;

namespace SweepLab.Core.Tests.Geometry;

public class RotationTests
{
    /// <summary>Active rotations (textbook right-hand rule), built independently of the code under test.</summary>
    private static Rotation Rz(double deg)
    {
        double a = deg * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
        return new Rotation(c, -s, 0, s, c, 0, 0, 0, 1);
    }

    private static Rotation Ry(double deg)
    {
        double a = deg * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
        return new Rotation(c, 0, s, 0, 1, 0, -s, 0, c);
    }

    private static Rotation Rx(double deg)
    {
        double a = deg * Math.PI / 180, c = Math.Cos(a), s = Math.Sin(a);
        return new Rotation(1, 0, 0, 0, c, -s, 0, s, c);
    }

    /// <summary>700 poses including the gimbal-locked tilts 0 and 180 and angles next to them.</summary>
    private static IEnumerable<(double Rot, double Tilt, double Psi)> EulerGrid()
    {
        foreach (double rot in new[] { -180.0, -135, -90, -30, 0, 10, 45, 90, 135, 179.5 })
            foreach (double tilt in new[] { 0.0, 1e-4, 0.5, 30, 60, 90, 120, 150, 179.5, 180 })
                foreach (double psi in new[] { -179.0, -90, -45, 0, 30, 90, 170 })
                    yield return (rot, tilt, psi);
    }

    [Fact]
    public void Euler_angles_round_trip_to_the_same_matrix()
    {
        foreach (var (rot, tilt, psi) in EulerGrid()) RoundTrip(rot, tilt, psi);
    }

    private static void RoundTrip(double rot, double tilt, double psi)
    {
        var a = Rotation.FromRelionEulerDegrees(rot, tilt, psi);
        var (r2, t2, p2) = a.ToRelionEulerDegrees();
        Assert.InRange(t2, 0, 180);
        var b = Rotation.FromRelionEulerDegrees(r2, t2, p2);
        Assert.True(a.MaxAbsDifference(b) < 1e-9, $"({rot}, {tilt}, {psi}) -> ({r2}, {t2}, {p2}): difference {a.MaxAbsDifference(b):E2}");
    }

    [Fact]
    public void Euler_matrix_is_rz_minus_psi_ry_minus_tilt_rz_minus_rot_and_orthonormal()
    {
        foreach (var (rot, tilt, psi) in EulerGrid())
        {
            var a = Rotation.FromRelionEulerDegrees(rot, tilt, psi);
            Assert.True(a.MaxAbsDifference(Rz(-psi) * Ry(-tilt) * Rz(-rot)) < 1e-12, $"({rot}, {tilt}, {psi})");
            Assert.True((a * a.Transpose()).MaxAbsDifference(Rotation.Identity) < 1e-12, $"({rot}, {tilt}, {psi})");
            Assert.Equal(1.0, Determinant(a), 12);
        }
    }

    [Theory]
    [InlineData(10, 34, 56)]
    [InlineData(-170, 90, -20)]
    [InlineData(135, 179, 179)]
    public void Generic_angles_are_recovered_as_given(double rot, double tilt, double psi)
    {
        var (r, t, p) = Rotation.FromRelionEulerDegrees(rot, tilt, psi).ToRelionEulerDegrees();
        Assert.Equal(rot, r, 9);
        Assert.Equal(tilt, t, 9);
        Assert.Equal(psi, p, 9);
    }

    [Fact]
    public void Gimbal_lock_puts_the_in_plane_angle_into_psi()
    {
        // RELION's Euler_matrix2angles: tilt 0 or 180 sets rot to 0 and carries the whole in-plane angle in psi.
        var (r0, t0, p0) = Rotation.FromRelionEulerDegrees(30, 0, 40).ToRelionEulerDegrees();
        Assert.Equal((0.0, 0.0, 70.0), (r0, t0, Math.Round(p0, 9)));
        var (r1, t1, p1) = Rotation.FromRelionEulerDegrees(30, 180, 40).ToRelionEulerDegrees();
        Assert.Equal((0.0, 180.0, 10.0), (r1, Math.Round(t1, 9), Math.Round(p1, 9)));
    }

    [Fact]
    public void Rot_90_alone_is_relions_rotation_about_z()
    {
        // euler.cpp with alpha = 90, beta = gamma = 0: A(0,1) = cg cs + sg ca = 1, A(1,0) = -sg cc - cg sa = -1.
        var expected = new Rotation(0, 1, 0, -1, 0, 0, 0, 0, 1);
        var a = Rotation.FromRelionEulerDegrees(90, 0, 0);
        Assert.True(a.MaxAbsDifference(expected) < 1e-15);
        // So A maps the volume's +x axis to the image's -y axis: a passive rotation by +90 about z.
        var (x, y, z) = a.Apply(1, 0, 0);
        Assert.Equal((0.0, -1.0, 0.0), (Math.Round(x, 12), Math.Round(y, 12), Math.Round(z, 12)));
        // psi = 90 alone is the same matrix (both are about z before/after a zero tilt).
        Assert.True(Rotation.FromRelionEulerDegrees(0, 0, 90).MaxAbsDifference(expected) < 1e-15);
    }

    [Fact]
    public void Tilt_90_alone_takes_the_volume_z_axis_to_image_minus_x()
    {
        // euler.cpp with beta = 90: A(0,2) = -cg sb = -1, A(2,0) = sc = 1.
        var a = Rotation.FromRelionEulerDegrees(0, 90, 0);
        Assert.True(a.MaxAbsDifference(new Rotation(0, 0, -1, 0, 1, 0, 1, 0, 0)) < 1e-15);
    }

    [Theory]
    [InlineData(1, 0, 0, 30)]
    [InlineData(0, 1, 0, -75)]
    [InlineData(0, 0, 1, 120)]
    [InlineData(1, 2, 3, 50)]
    [InlineData(-0.3, 0.2, -0.9, 170)]
    public void Axis_angle_matches_elementary_rotations(double ux, double uy, double uz, double degrees)
    {
        double len = Math.Sqrt(ux * ux + uy * uy + uz * uz);
        double theta = degrees * Math.PI / 180;
        var r = Rotation.FromAxisAngle(ux / len * theta, uy / len * theta, uz / len * theta);
        // Conjugate a rotation about z by the rotation that takes z onto the axis: Rz(phi) Ry(beta) Rz(t) Ry(-beta) Rz(-phi).
        double beta = Math.Acos(uz / len) * 180 / Math.PI;
        double phi = Math.Atan2(uy, ux) * 180 / Math.PI;
        var expected = Rz(phi) * Ry(beta) * Rz(degrees) * Ry(-beta) * Rz(-phi);
        Assert.True(r.MaxAbsDifference(expected) < 1e-12, $"difference {r.MaxAbsDifference(expected):E2}");
        var (ax, ay, az) = r.Apply(ux, uy, uz);
        Assert.Equal(ux, ax, 12);
        Assert.Equal(uy, ay, 12);
        Assert.Equal(uz, az, 12);
        Assert.Equal(1.0, Determinant(r), 12);
    }

    [Fact]
    public void Axis_angle_about_coordinate_axes_are_the_textbook_matrices()
    {
        Assert.True(Rotation.FromAxisAngle(0.7, 0, 0).MaxAbsDifference(Rx(0.7 * 180 / Math.PI)) < 1e-14);
        Assert.True(Rotation.FromAxisAngle(0, 0.7, 0).MaxAbsDifference(Ry(0.7 * 180 / Math.PI)) < 1e-14);
        Assert.True(Rotation.FromAxisAngle(0, 0, 0.7).MaxAbsDifference(Rz(0.7 * 180 / Math.PI)) < 1e-14);
        Assert.Equal(Rotation.Identity, Rotation.FromAxisAngle(0, 0, 0));
        // RELION's rot = 90 is the axis-angle rotation by -90 degrees about z.
        Assert.True(Rotation.FromRelionEulerDegrees(90, 0, 0).MaxAbsDifference(Rotation.FromAxisAngle(0, 0, -Math.PI / 2)) < 1e-15);
    }

    [Fact]
    public void Apply_transpose_inverts_apply()
    {
        var a = Rotation.FromRelionEulerDegrees(12, 34, 56);
        var (x, y, z) = a.Apply(0.3, -1.2, 2.5);
        var (bx, by, bz) = a.ApplyTranspose(x, y, z);
        Assert.Equal(0.3, bx, 13);
        Assert.Equal(-1.2, by, 13);
        Assert.Equal(2.5, bz, 13);
        var f = new float[9];
        a.CopyTo(f);
        Assert.Equal((float)a.M12, f[5]);
    }

    private static double Determinant(Rotation m) =>
        m.M00 * (m.M11 * m.M22 - m.M12 * m.M21) - m.M01 * (m.M10 * m.M22 - m.M12 * m.M20) + m.M02 * (m.M10 * m.M21 - m.M11 * m.M20);
}
