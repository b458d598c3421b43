namespace SweepLab.Core.Ctf;

/// <summary>
/// Per-particle CTF constants as RELION's CTF::initialise computes them. Unmanaged and float so that one copy of
/// the per-pixel formula (<see cref="CtfMath.Value(in CtfCoefficients, float, float)"/>) serves the host and the
/// ILGPU kernels.
/// </summary>
public readonly record struct CtfCoefficients(
    float DefocusAverage, float DefocusDeviation, float AzimuthRadians,
    float K1, float K2, float K3PlusK5, float K4, float Scale);

/// <summary>
/// RELION's CTF (ctf.h, getCTF): with u the spatial frequency in 1/Angstrom,
/// deltaf = avg + dev * cos(2 (atan2(ky, kx) - azimuth)), chi = K1 deltaf u^2 + K2 u^4 - K5 - K3,
/// CTF = -sin(chi) * exp(K4 u^2) * scale, where K1 = pi lambda, K2 = pi/2 Cs lambda^3, K3 = atan(Q0/sqrt(1-Q0^2)),
/// K4 = -B/4, K5 = phase shift.
/// </summary>
public static class CtfMath
{
    /// <summary>CTF at spatial frequency (kx, ky) in 1/Angstrom. Kernel-safe: no allocation, no exceptions.</summary>
    public static float Value(in CtfCoefficients c, float kx, float ky)
    {
        float u2 = kx * kx + ky * ky;
        float angle = MathF.Atan2(ky, kx) - c.AzimuthRadians;
        float deltaf = c.DefocusAverage + c.DefocusDeviation * MathF.Cos(2f * angle);
        float chi = c.K1 * deltaf * u2 + c.K2 * u2 * u2 - c.K3PlusK5;
        float value = -MathF.Sin(chi) * c.Scale;
        return c.K4 != 0f ? value * MathF.Exp(c.K4 * u2) : value;
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
