namespace SweepLab.Core.Geometry;

/// <summary>
/// A 3x3 rotation, row-major. SweepLab's one convention is RELION's: the matrix A maps volume coordinates to the
/// particle-image frame, so a projection image at (x, y) integrates the volume along z at A^T (x, y, z), and the
/// central slice of the volume's transform at image frequency (kx, ky) is taken at A^T (kx, ky, 0).
/// </summary>
public readonly record struct Rotation(
    double M00, double M01, double M02,
    double M10, double M11, double M12,
    double M20, double M21, double M22)
{
    public static Rotation Identity => new(1, 0, 0, 0, 1, 0, 0, 0, 1);

    /// <summary>RELION's Euler_angles2matrix: ZYZ, rot then tilt then psi, in degrees.</summary>
    public static Rotation FromRelionEulerDegrees(double rotDegrees, double tiltDegrees, double psiDegrees)
    {
        double a = rotDegrees * Math.PI / 180, b = tiltDegrees * Math.PI / 180, g = psiDegrees * Math.PI / 180;
        double ca = Math.Cos(a), cb = Math.Cos(b), cg = Math.Cos(g);
        double sa = Math.Sin(a), sb = Math.Sin(b), sg = Math.Sin(g);
        double cc = cb * ca, cs = cb * sa, sc = sb * ca, ss = sb * sa;
        return new Rotation(
            cg * cc - sg * sa, cg * cs + sg * ca, -cg * sb,
            -sg * cc - cg * sa, -sg * cs + cg * ca, sg * sb,
            sc, ss, cb);
    }

    /// <summary>
    /// Inverse of <see cref="FromRelionEulerDegrees"/> following RELION's Euler_matrix2angles (tilt in [0, 180]);
    /// used to write poses back to STAR files.
    /// </summary>
    public (double RotDegrees, double TiltDegrees, double PsiDegrees) ToRelionEulerDegrees()
    {
        double alpha, beta, gamma;
        double sb = Math.Sqrt(M02 * M02 + M12 * M12);
        if (sb > 16 * 1e-7)
        {
            gamma = Math.Atan2(M12, -M02);
            alpha = Math.Atan2(M21, M20);
            beta = Math.Abs(Math.Sin(gamma)) < 1e-5
                ? Math.Atan2(-M02 / Math.Cos(gamma), M22)
                : Math.Atan2(M12 / Math.Sin(gamma), M22);
        }
        else if (M22 > 0)
        {
            alpha = 0;
            beta = 0;
            gamma = Math.Atan2(-M10, M00);
        }
        else
        {
            // Tilt 180: RELION's Euler_matrix2angles takes gamma = atan2(A10, -A00) here.
            alpha = 0;
            beta = Math.PI;
            gamma = Math.Atan2(M10, -M00);
        }
        const double toDeg = 180 / Math.PI;
        return (alpha * toDeg, beta * toDeg, gamma * toDeg);
    }

    /// <summary>Rodrigues' formula for an axis-angle vector (radians = its length), as cryoSPARC stores poses.</summary>
    public static Rotation FromAxisAngle(double x, double y, double z)
    {
        double theta = Math.Sqrt(x * x + y * y + z * z);
        if (theta < 1e-12) return Identity;
        double kx = x / theta, ky = y / theta, kz = z / theta;
        double c = Math.Cos(theta), s = Math.Sin(theta), t = 1 - c;
        return new Rotation(
            t * kx * kx + c, t * kx * ky - s * kz, t * kx * kz + s * ky,
            t * kx * ky + s * kz, t * ky * ky + c, t * ky * kz - s * kx,
            t * kx * kz - s * ky, t * ky * kz + s * kx, t * kz * kz + c);
    }

    public Rotation Transpose() => new(M00, M10, M20, M01, M11, M21, M02, M12, M22);

    public static Rotation operator *(Rotation a, Rotation b) => new(
        a.M00 * b.M00 + a.M01 * b.M10 + a.M02 * b.M20, a.M00 * b.M01 + a.M01 * b.M11 + a.M02 * b.M21, a.M00 * b.M02 + a.M01 * b.M12 + a.M02 * b.M22,
        a.M10 * b.M00 + a.M11 * b.M10 + a.M12 * b.M20, a.M10 * b.M01 + a.M11 * b.M11 + a.M12 * b.M21, a.M10 * b.M02 + a.M11 * b.M12 + a.M12 * b.M22,
        a.M20 * b.M00 + a.M21 * b.M10 + a.M22 * b.M20, a.M20 * b.M01 + a.M21 * b.M11 + a.M22 * b.M21, a.M20 * b.M02 + a.M21 * b.M12 + a.M22 * b.M22);

    /// <summary>A · v.</summary>
    public (double X, double Y, double Z) Apply(double x, double y, double z) =>
        (M00 * x + M01 * y + M02 * z, M10 * x + M11 * y + M12 * z, M20 * x + M21 * y + M22 * z);

    /// <summary>A^T · v: image-frame coordinates back to volume coordinates.</summary>
    public (double X, double Y, double Z) ApplyTranspose(double x, double y, double z) =>
        (M00 * x + M10 * y + M20 * z, M01 * x + M11 * y + M21 * z, M02 * x + M12 * y + M22 * z);

    /// <summary>Largest absolute element difference, for tests and pose comparisons.</summary>
    public double MaxAbsDifference(Rotation o) => new[]
    {
        M00 - o.M00, M01 - o.M01, M02 - o.M02, M10 - o.M10, M11 - o.M11, M12 - o.M12, M20 - o.M20, M21 - o.M21, M22 - o.M22,
    }.Max(Math.Abs);

    public void CopyTo(Span<float> destination)
    {
        destination[0] = (float)M00; destination[1] = (float)M01; destination[2] = (float)M02;
        destination[3] = (float)M10; destination[4] = (float)M11; destination[5] = (float)M12;
        destination[6] = (float)M20; destination[7] = (float)M21; destination[8] = (float)M22;
    }
}
