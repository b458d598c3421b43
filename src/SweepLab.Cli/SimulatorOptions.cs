using System.Globalization;
using SweepLab.Simulation;

namespace SweepLab.Cli;

/// <summary>Simulator option parsing shared by <c>sweeplab simulate</c> and a sweep file's dataset.simulate block.</summary>
internal static class SimulatorOptions
{
    public static HeterogeneityPreset ParsePreset(string preset) => preset.ToLowerInvariant() switch
    {
        "compositional" => HeterogeneityPreset.Compositional,
        "conformational" => HeterogeneityPreset.Conformational,
        "multiclass" => HeterogeneityPreset.Multiclass,
        _ => throw new UserInputException($"--preset: unknown preset '{preset}'; choose compositional, conformational or multiclass"),
    };

    public static double[] ParseFractions(string text) => text.Split(',').Select(part =>
        double.TryParse(part.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double f)
            ? f : throw new UserInputException($"--fractions: '{part}' is not a number")).ToArray();
}
