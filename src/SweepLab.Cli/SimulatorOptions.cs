using System.Globalization;
using SweepLab.Core.Geometry;
using SweepLab.Simulation;
using SweepLab.Sweeps;

namespace SweepLab.Cli;

/// <summary>
/// What a simulator request binds to: the settings, and optionally a particle file whose poses (in order) replace the
/// uniform random ones. The file is read by <see cref="SimulatorOptions.ReadPoses"/>, not kept in the settings, so
/// the Simulation library never sees a path.
/// </summary>
internal sealed record SimulationRequest(SimulationSettings Settings, string? PosesFrom = null);

/// <summary>One simulator option: its sweep-file key (snake_case) and how a value applies to a request.</summary>
internal sealed record SimulatorOption(string Key, Func<SimulationRequest, SpecNode, SimulationRequest> Apply)
{
    /// <summary><c>sweeplab simulate</c>'s option name (kebab-case, without the dashes).</summary>
    public string CliName => Key.Replace('_', '-');
}

/// <summary>
/// The one declaration of the simulator's options, used by <c>sweeplab simulate</c> and a sweep file's
/// dataset.simulate block alike, so the two accept the same keys with the same meaning (they drifted when each had
/// its own: <c>colored</c> and <c>poses_from</c> worked in one only). Values arrive as sweep-file nodes; the command
/// wraps its typed options as scalars.
/// </summary>
internal static class SimulatorOptions
{
    public static IReadOnlyList<SimulatorOption> All { get; } =
    [
        Setting("preset", (s, v) => s with { Preset = ParsePreset(Scalar(v).CanonicalText) }),
        Setting("particles", (s, v) => s with { Particles = Int(v) }),
        Setting("box", (s, v) => s with { BoxPixels = Int(v) }),
        Setting("pixel_size", (s, v) => s with { PixelSizeAngstrom = Real(v) }),
        Setting("snr", (s, v) => s with { Snr = Real(v) }),
        Setting("fractions", (s, v) => s with { Fractions = Fractions(v) }),
        Setting("seed", (s, v) => s with { Seed = Seed(v) }),
        Setting("subunit_mass", (s, v) => s with { SubunitMassFraction = Real(v) }),
        Setting("domain_rotation", (s, v) => s with { DomainRotationDegrees = Real(v) }),
        Setting("core_blobs", (s, v) => s with { CoreBlobs = Int(v) }),
        Setting("defocus_min", (s, v) => s with { DefocusMinAngstrom = Real(v) }),
        Setting("defocus_max", (s, v) => s with { DefocusMaxAngstrom = Real(v) }),
        Setting("astigmatism", (s, v) => s with { AstigmatismAngstrom = Real(v) }),
        Setting("voltage", (s, v) => s with { VoltageKilovolt = Real(v) }),
        Setting("cs", (s, v) => s with { SphericalAberrationMillimetre = Real(v) }),
        Setting("amplitude_contrast", (s, v) => s with { AmplitudeContrast = Real(v) }),
        Setting("shift_sigma", (s, v) => s with { ShiftSigmaAngstrom = Real(v) }),
        Setting("noise", (s, v) => s with { Noise = ParseNoise(Scalar(v).CanonicalText) }),
        Setting("noise_bfactor", (s, v) => s with { NoiseBFactorAngstrom2 = Real(v) }),
        Setting("scale_spread", (s, v) => s with { AmplitudeScaleSpread = Real(v) }),
        new("poses_from", (r, v) => r with { PosesFrom = Scalar(v) is { Kind: SettingKind.String } text ? text.AsString : throw new FormatException("expected a particle file path (.star or .cs)") }),
    ];

    private static readonly Dictionary<string, SimulatorOption> ByKey = All.ToDictionary(o => o.Key, StringComparer.Ordinal);

    /// <summary>
    /// Applies the given values, in order, to the defaults. Every problem (unknown key, unparsable value) comes back
    /// with its key, none stops the others; the settings' own range checks are the caller's (<see cref="SimulationSettings.Validate"/>).
    /// </summary>
    public static (SimulationRequest Request, IReadOnlyList<(string Key, string Message)> Errors) Bind(IEnumerable<(string Key, SpecNode Value)> given)
    {
        var request = new SimulationRequest(new SimulationSettings());
        var errors = new List<(string, string)>();
        foreach (var (key, value) in given)
        {
            if (!ByKey.TryGetValue(key, out var option))
            {
                errors.Add((key, "unknown simulator option; see sweeplab simulate --help (snake_case names)"));
                continue;
            }
            try
            {
                request = option.Apply(request, value);
            }
            catch (Exception ex) when (ex is UserInputException or InvalidOperationException or FormatException)
            {
                errors.Add((key, ex.Message));
            }
        }
        return (request, errors);
    }

    /// <summary>A command-line value as the binder's input; null (an option not given) is left out by the caller.</summary>
    public static SpecNode Cli(SettingValue value) => new SpecScalar(value, 0);

    public static SpecNode Cli(string value) => Cli(SettingValue.FromString(value));

    public static SpecNode Cli(long value) => Cli(SettingValue.FromInteger(value));

    /// <summary>A real option from the command line; NaN and infinities (which a setting cannot hold) stay text, so the
    /// binder refuses them by the option's name.</summary>
    public static SpecNode Cli(double value) =>
        Cli(double.IsFinite(value) ? SettingValue.FromReal(value) : SettingValue.FromString(value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The seed from the command line: above the 64-bit signed range it goes as text, which <see cref="Seed"/> reads.</summary>
    public static SpecNode Cli(ulong value) =>
        Cli(value <= long.MaxValue ? SettingValue.FromInteger((long)value) : SettingValue.FromString(value.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The poses of <paramref name="path"/>'s first <paramref name="particles"/> particles, in order; the labels
    /// name the two options as the caller's user wrote them.</summary>
    public static IReadOnlyList<Rotation> ReadPoses(string path, int particles, string label, string particlesLabel)
    {
        var source = ParticleFiles.Read(path);
        if (source.Count < particles)
            throw new UserInputException($"{label}: {path} has {source.Count} particles; {particlesLabel} asks for {particles}");
        return source.Particles.Take(particles).Select(p => p.Rotation).ToList();
    }

    public static HeterogeneityPreset ParsePreset(string preset) => preset.ToLowerInvariant() switch
    {
        "compositional" => HeterogeneityPreset.Compositional,
        "conformational" => HeterogeneityPreset.Conformational,
        "multiclass" => HeterogeneityPreset.Multiclass,
        _ => throw new UserInputException($"unknown preset '{preset}'; choose compositional, conformational or multiclass"),
    };

    public static NoiseColour ParseNoise(string noise) => noise.ToLowerInvariant() switch
    {
        "white" => NoiseColour.White,
        "coloured" or "colored" => NoiseColour.Coloured,
        _ => throw new UserInputException($"'{noise}' is not white or coloured"),
    };

    public static double[] ParseFractions(string text) => text.Split(',').Select(part =>
        double.TryParse(part.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double f)
            ? f : throw new UserInputException($"'{part}' is not a number")).ToArray();

    private static SimulatorOption Setting(string key, Func<SimulationSettings, SpecNode, SimulationSettings> apply) =>
        new(key, (r, v) => r with { Settings = apply(r.Settings, v) });

    private static SettingValue Scalar(SpecNode node) =>
        node is SpecScalar { Value: var v } ? v : throw new FormatException("expected a single value");

    private static double Real(SpecNode node) => Scalar(node).AsDouble;

    private static int Int(SpecNode node) => Scalar(node) is var v && v.TryGetInt64(out long i) && i is >= int.MinValue and <= int.MaxValue
        ? (int)i : throw new FormatException($"'{v.CanonicalText}' is not an integer");

    /// <summary>Any integer from 0 to 2^64 - 1; a negative one is refused rather than wrapped round.</summary>
    private static ulong Seed(SpecNode node)
    {
        var v = Scalar(node);
        if (v.TryGetInt64(out long i) && i >= 0) return (ulong)i;
        if (v.Kind == SettingKind.String && ulong.TryParse(v.AsString, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u)) return u;
        throw new FormatException($"'{v.CanonicalText}' is not a seed (an integer from 0 to {ulong.MaxValue})");
    }

    /// <summary>A list of numbers, or one text of comma-separated numbers (the command line's form).</summary>
    private static double[] Fractions(SpecNode node) => node switch
    {
        SpecList list => list.Items.Select(i => i is SpecScalar { Value.IsNumber: true } n ? n.Value.AsDouble
            : throw new FormatException("expected a list of numbers")).ToArray(),
        _ => ParseFractions(Scalar(node).CanonicalText),
    };
}
