namespace SweepLab.Core.Ctf;

/// <summary>
/// Contrast transfer function parameters in RELION's conventions (defocus positive for underfocus, the astigmatism
/// angle measured from the image x axis). Validated when built so a NaN from a file never reaches a kernel.
/// </summary>
public sealed record CtfParameters
{
    public double DefocusUAngstrom { get; }
    public double DefocusVAngstrom { get; }
    public double DefocusAngleDegrees { get; }
    public double VoltageKilovolt { get; }
    public double SphericalAberrationMillimetre { get; }
    public double AmplitudeContrast { get; }
    public double PhaseShiftDegrees { get; }
    public double BFactorAngstrom2 { get; }
    public double Scale { get; }

    public CtfParameters(double defocusUAngstrom, double defocusVAngstrom, double defocusAngleDegrees,
        double voltageKilovolt, double sphericalAberrationMillimetre, double amplitudeContrast,
        double phaseShiftDegrees = 0, double bFactorAngstrom2 = 0, double scale = 1)
    {
        Require(defocusUAngstrom, nameof(defocusUAngstrom));
        Require(defocusVAngstrom, nameof(defocusVAngstrom));
        Require(defocusAngleDegrees, nameof(defocusAngleDegrees));
        Require(sphericalAberrationMillimetre, nameof(sphericalAberrationMillimetre));
        Require(phaseShiftDegrees, nameof(phaseShiftDegrees));
        Require(bFactorAngstrom2, nameof(bFactorAngstrom2));
        Require(scale, nameof(scale));
        if (!(voltageKilovolt > 0) || double.IsInfinity(voltageKilovolt))
            throw new ArgumentOutOfRangeException(nameof(voltageKilovolt), voltageKilovolt, "voltage must be a positive number of kV");
        if (!(amplitudeContrast >= 0 && amplitudeContrast < 1))
            throw new ArgumentOutOfRangeException(nameof(amplitudeContrast), amplitudeContrast, "amplitude contrast must be in [0, 1)");
        DefocusUAngstrom = defocusUAngstrom;
        DefocusVAngstrom = defocusVAngstrom;
        DefocusAngleDegrees = defocusAngleDegrees;
        VoltageKilovolt = voltageKilovolt;
        SphericalAberrationMillimetre = sphericalAberrationMillimetre;
        AmplitudeContrast = amplitudeContrast;
        PhaseShiftDegrees = phaseShiftDegrees;
        BFactorAngstrom2 = bFactorAngstrom2;
        Scale = scale;
    }

    private static void Require(double value, string name)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite");
    }

    /// <summary>Relativistic electron wavelength; the one place it is derived from the voltage.</summary>
    public double WavelengthAngstrom => ElectronWavelengthAngstrom(VoltageKilovolt);

    public static double ElectronWavelengthAngstrom(double voltageKilovolt)
    {
        double v = voltageKilovolt * 1e3;
        return 12.2643247 / Math.Sqrt(v * (1 + v * 0.978466e-6));
    }

    /// <summary>The constants of RELION's CTF in the single-precision form the kernels take.</summary>
    public CtfCoefficients ToCoefficients()
    {
        double lambda = WavelengthAngstrom;
        double q0 = AmplitudeContrast;
        double deviation = -(DefocusUAngstrom - DefocusVAngstrom) * 0.5;
        double twiceAzimuth = 2 * DefocusAngleDegrees * Math.PI / 180;
        return new CtfCoefficients(
            DefocusAverage: (float)(-(DefocusUAngstrom + DefocusVAngstrom) * 0.5),
            DeviationCos2Azimuth: (float)(deviation * Math.Cos(twiceAzimuth)),
            DeviationSin2Azimuth: (float)(deviation * Math.Sin(twiceAzimuth)),
            K1: (float)(Math.PI * lambda),
            K2: (float)(Math.PI / 2 * SphericalAberrationMillimetre * 1e7 * lambda * lambda * lambda),
            K3PlusK5: (float)(Math.Atan(q0 / Math.Sqrt(1 - q0 * q0)) + PhaseShiftDegrees * Math.PI / 180),
            K4: (float)(-BFactorAngstrom2 / 4),
            Scale: (float)Scale);
    }
}
