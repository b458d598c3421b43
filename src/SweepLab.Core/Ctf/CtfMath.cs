namespace SweepLab.Core.Ctf;

/// <summary>
/// Per-particle CTF constants as RELION's CTF::initialise computes them, with the astigmatism folded into two
/// products (<see cref="DeviationCos2Azimuth"/>, <see cref="DeviationSin2Azimuth"/>) so that a pixel's defocus needs
/// no angle. Unmanaged and float so that one copy of the per-pixel formula
/// (<see cref="CtfMath.Value(in CtfCoefficients, float, float)"/>) serves the host and the ILGPU kernels.
/// </summary>
public readonly record struct CtfCoefficients(
    float DefocusAverage, float DeviationCos2Azimuth, float DeviationSin2Azimuth,
    float K1, float K2, float K3PlusK5, float K4, float Scale);

/// <summary>
/// RELION's CTF (ctf.h, getCTF): with u the spatial frequency in 1/Angstrom,
/// deltaf = avg + dev * cos(2 (atan2(ky, kx) - azimuth)), chi = K1 deltaf u^2 + K2 u^4 - K5 - K3,
/// CTF = -sin(chi) * exp(K4 u^2) * scale, where K1 = pi lambda, K2 = pi/2 Cs lambda^3, K3 = atan(Q0/sqrt(1-Q0^2)),
/// K4 = -B/4, K5 = phase shift.
/// </summary>
public static class CtfMath
{
    /// <summary>2 pi split for <see cref="SinReduced"/>: 201/32 (exact times any n below 2^16) plus the rest.</summary>
    private const float TwoPiHigh = 6.28125f;
    private const float TwoPiLow = 1.9353071795864769e-3f;
    private const float InverseTwoPi = 0.15915494309189535f;

    /// <summary>
    /// CTF at spatial frequency (kx, ky) in 1/Angstrom. Kernel-safe: no allocation, no exceptions. The astigmatic
    /// term uses the identity deltaf u^2 = avg u^2 + dev (cos 2a (kx^2 - ky^2) + sin 2a 2 kx ky), the same value as
    /// RELION's atan2 and cosine per pixel without either (the device CTF table of a 4,000-particle set spent most of
    /// its time in them).
    /// </summary>
    public static float Value(in CtfCoefficients c, float kx, float ky)
    {
        float u2 = kx * kx + ky * ky;
        float defocusU2 = c.DefocusAverage * u2 + c.DeviationCos2Azimuth * (kx * kx - ky * ky) + c.DeviationSin2Azimuth * (2f * kx * ky);
        float chi = c.K1 * defocusU2 + c.K2 * u2 * u2 - c.K3PlusK5;
        float value = -SinReduced(chi) * c.Scale;
        return c.K4 != 0f ? value * MathF.Exp(c.K4 * u2) : value;
    }

    /// <summary>
    /// sin(x) after reducing x to [-pi, pi] with a two-part 2 pi (Cody-Waite), adding about one float ulp of x: the
    /// phase reaches hundreds of radians at high resolution and large defocus, where OpenCL's sin (PoCL) takes its slow
    /// full-range reduction. The nearest n is Floor(x / 2 pi + 0.5): MathF.Round through ILGPU gave other values on
    /// PoCL (the device probe failed by 0.17), where Floor agrees with the host.
    /// </summary>
    public static float SinReduced(float x)
    {
        float n = MathF.Floor(x * InverseTwoPi + 0.5f);
        return MathF.Sin(x - n * TwoPiHigh - n * TwoPiLow);
    }

    /// <summary>Double-precision reference of the same formula, for tests and the simulator.</summary>
    public static double Value(CtfParameters p, double kx, double ky)
    {
        double lambda = p.WavelengthAngstrom;
        double q0 = p.AmplitudeContrast;
        double k1 = Math.PI * lambda;
        double k2 = Math.PI / 2 * p.SphericalAberrationMillimetre * 1e7 * lambda * lambda * lambda;
        double k3 = Math.Atan(q0 / Math.Sqrt(1 - q0 * q0));
        double k5 = p.PhaseShiftDegrees * Math.PI / 180;
        double u2 = kx * kx + ky * ky;
        double avg = -(p.DefocusUAngstrom + p.DefocusVAngstrom) * 0.5;
        double dev = -(p.DefocusUAngstrom - p.DefocusVAngstrom) * 0.5;
        double deltaf = avg + dev * Math.Cos(2 * (Math.Atan2(ky, kx) - p.DefocusAngleDegrees * Math.PI / 180));
        double chi = k1 * deltaf * u2 + k2 * u2 * u2 - k5 - k3;
        double value = -Math.Sin(chi) * p.Scale;
        return p.BFactorAngstrom2 != 0 ? value * Math.Exp(-p.BFactorAngstrom2 / 4 * u2) : value;
    }
}
