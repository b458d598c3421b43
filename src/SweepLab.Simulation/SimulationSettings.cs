using System.Globalization;

namespace SweepLab.Simulation;

/// <summary>Which kind of heterogeneity the simulated classes differ by.</summary>
public enum HeterogeneityPreset
{
    /// <summary>A subunit present in class 1, absent in class 2 (its mass share set by SubunitMassFraction).</summary>
    Compositional,
    /// <summary>The subunit is hinged: rotated by DomainRotationDegrees in class 2.</summary>
    Conformational,
    /// <summary>K = 3 to 6 classes, each with its own subunit (the last class carries all of them); unequal fractions.</summary>
    Multiclass,
}

/// <summary>White noise, or noise whose power falls with frequency as 0.2 + exp(-B k^2 / 2) (normalised to the same variance).</summary>
public enum NoiseColour { White, Coloured }

/// <summary>
/// Everything that defines a simulated dataset; the same settings give the same bytes. SNR is defined as the mean,
/// over particles, of the variance of the noise-free CTF-modulated image over the whole box, divided by the noise
/// variance per pixel.
/// </summary>
public sealed record SimulationSettings
{
    public HeterogeneityPreset Preset { get; init; } = HeterogeneityPreset.Compositional;
    public int Particles { get; init; } = 2000;
    public int BoxPixels { get; init; } = 64;
    public double PixelSizeAngstrom { get; init; } = 3.5;
    public double Snr { get; init; } = 0.1;
    /// <summary>Class fractions; their count is K. Null takes the preset's default (0.5/0.5, or 0.5/0.4/0.1).</summary>
    public IReadOnlyList<double>? Fractions { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>Subunit mass as a fraction of the whole complex's mass (compositional and multiclass presets).</summary>
    public double SubunitMassFraction { get; init; } = 0.2;
    public double DomainRotationDegrees { get; init; } = 30;
    public int CoreBlobs { get; init; } = 40;
    public double DefocusMinAngstrom { get; init; } = 10000;
    public double DefocusMaxAngstrom { get; init; } = 25000;
    public double AstigmatismAngstrom { get; init; } = 300;
    public double VoltageKilovolt { get; init; } = 300;
    public double SphericalAberrationMillimetre { get; init; } = 2.7;
    public double AmplitudeContrast { get; init; } = 0.1;
    /// <summary>Standard deviation of random in-plane origins (Angstrom), written to the STAR file.</summary>
    public double ShiftSigmaAngstrom { get; init; }
    public NoiseColour Noise { get; init; } = NoiseColour.White;
    /// <summary>B of the coloured noise envelope (Angstrom^2).</summary>
    public double NoiseBFactorAngstrom2 { get; init; } = 400;
    /// <summary>Log-normal spread of a per-particle amplitude scale (0 = every particle at scale 1).</summary>
    public double AmplitudeScaleSpread { get; init; }

    public IReadOnlyList<double> EffectiveFractions => Fractions ?? Preset switch
    {
        HeterogeneityPreset.Multiclass => [0.5, 0.4, 0.1],
        _ => [0.5, 0.5],
    };

    public int Classes => EffectiveFractions.Count;

    /// <summary>All problems at once, each naming the option (kebab-case as on the command line).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, string message) { if (!ok) errors.Add($"--{key}: {message}"); }
        static string F(double v) => v.ToString("G", CultureInfo.InvariantCulture);
        Check(Particles >= 1, "particles", $"must be at least 1 (got {Particles})");
        Check(BoxPixels >= 16 && BoxPixels <= 1024, "box", $"must be between 16 and 1024 pixels (got {BoxPixels})");
        Check(PixelSizeAngstrom > 0 && double.IsFinite(PixelSizeAngstrom), "pixel-size", $"must be a positive number of Angstrom (got {F(PixelSizeAngstrom)})");
        Check(Snr > 0 && double.IsFinite(Snr), "snr", $"must be > 0 (got {F(Snr)}); SNR is signal variance / noise variance");
        var fractions = EffectiveFractions;
        Check(fractions.All(f => f > 0 && f < 1), "fractions", "every fraction must be in (0, 1)");
        Check(Math.Abs(fractions.Sum() - 1) < 1e-6, "fractions", $"must sum to 1 (they sum to {F(fractions.Sum())})");
        switch (Preset)
        {
            case HeterogeneityPreset.Multiclass:
                Check(fractions.Count is >= 3 and <= 6, "fractions", $"the multiclass preset takes 3 to 6 classes (got {fractions.Count})");
                break;
            default:
                Check(fractions.Count == 2, "fractions", $"the {Preset.ToString().ToLowerInvariant()} preset has 2 classes (got {fractions.Count})");
                break;
        }
        Check(SubunitMassFraction > 0 && SubunitMassFraction < 0.9, "subunit-mass", $"must be in (0, 0.9) (got {F(SubunitMassFraction)})");
        Check(double.IsFinite(DomainRotationDegrees) && Math.Abs(DomainRotationDegrees) <= 180, "domain-rotation", $"must be in [-180, 180] degrees (got {F(DomainRotationDegrees)})");
        Check(CoreBlobs >= 4 && CoreBlobs <= 2000, "core-blobs", $"must be between 4 and 2000 (got {CoreBlobs})");
        Check(DefocusMinAngstrom > 0 && DefocusMaxAngstrom >= DefocusMinAngstrom, "defocus", $"need 0 < min <= max (got {F(DefocusMinAngstrom)}..{F(DefocusMaxAngstrom)} Angstrom)");
        Check(AstigmatismAngstrom >= 0 && AstigmatismAngstrom < 2 * DefocusMinAngstrom, "astigmatism", $"must be in [0, 2 x min defocus) Angstrom (got {F(AstigmatismAngstrom)})");
        Check(VoltageKilovolt > 0, "voltage", $"must be positive kV (got {F(VoltageKilovolt)})");
        Check(SphericalAberrationMillimetre >= 0, "cs", $"must be >= 0 mm (got {F(SphericalAberrationMillimetre)})");
        Check(AmplitudeContrast >= 0 && AmplitudeContrast < 1, "amplitude-contrast", $"must be in [0, 1) (got {F(AmplitudeContrast)})");
        Check(ShiftSigmaAngstrom >= 0 && double.IsFinite(ShiftSigmaAngstrom), "shift-sigma", $"must be >= 0 Angstrom (got {F(ShiftSigmaAngstrom)})");
        Check(NoiseBFactorAngstrom2 >= 0, "noise-bfactor", $"must be >= 0 Angstrom^2 (got {F(NoiseBFactorAngstrom2)})");
        Check(AmplitudeScaleSpread >= 0 && AmplitudeScaleSpread <= 2, "scale-spread", $"must be in [0, 2] (got {F(AmplitudeScaleSpread)})");
        return errors;
    }

    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join("\n", errors));
    }
}
