using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Cocona;
using SweepLab.Cli.Commands;
using SweepLab.Cli.Sweeping;
using SweepLab.Formats.Particles;
using SweepLab.Simulation;

namespace SweepLab.Cli.Tests;

/// <summary>
/// <c>sweeplab simulate</c>'s options and a sweep file's dataset.simulate keys go through one binder
/// (<see cref="SimulatorOptions"/>): the same keys, and each key gives the same settings either way.
/// </summary>
public class SimulatorOptionsTests
{
    /// <summary>A non-default value per key: (sweep-file YAML, the command line's typed value). Every key needs one.</summary>
    private static readonly Dictionary<string, (string Yaml, object Cli)> Examples = new()
    {
        ["preset"] = ("conformational", "Conformational"),
        ["particles"] = ("123", 123),
        ["box"] = ("48", 48),
        ["pixel_size"] = ("4.25", 4.25),
        ["snr"] = ("0.05", 0.05),
        ["fractions"] = ("[0.3, 0.7]", "0.3, 0.7"),
        ["seed"] = ("4000000000", 4_000_000_000UL),
        ["subunit_mass"] = ("0.35", 0.35),
        ["domain_rotation"] = ("12.5", 12.5),
        ["core_blobs"] = ("17", 17),
        ["defocus_min"] = ("8000", 8000.0),
        ["defocus_max"] = ("30000", 30000.0),
        ["astigmatism"] = ("150", 150.0),
        ["voltage"] = ("200", 200.0),
        ["cs"] = ("0.01", 0.01),
        ["amplitude_contrast"] = ("0.07", 0.07),
        ["shift_sigma"] = ("2.5", 2.5),
        ["noise"] = ("colored", "colored"),
        ["noise_bfactor"] = ("250", 250.0),
        ["scale_spread"] = ("0.2", 0.2),
        ["poses_from"] = ("", ""), // a real file, made per test
    };

    public static TheoryData<string> Keys()
    {
        var keys = new TheoryData<string>();
        foreach (var option in SimulatorOptions.All) keys.Add(option.Key);
        return keys;
    }

    private static readonly MethodInfo SimulateMethod = typeof(SimulateCommand).GetMethod(nameof(SimulateCommand.Simulate))!;

    private static ParameterInfo[] OptionParameters() => SimulateMethod.GetParameters().Where(p => p.Name != "out").ToArray();

    /// <summary>Cocona's name for a parameter: the attribute's, else the parameter's own.</summary>
    private static string CliName(ParameterInfo p) => p.GetCustomAttribute<OptionAttribute>()?.Name ?? p.Name!;

    [Fact]
    public void CommandOptionsAreExactlyTheBindersKeys()
    {
        var command = OptionParameters().Select(CliName).Order(StringComparer.Ordinal).ToList();
        var binder = SimulatorOptions.All.Select(o => o.CliName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(binder, command);
        Assert.Equal(SimulatorOptions.All.Select(o => o.Key).Order(StringComparer.Ordinal), Examples.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RequestTakesSimulatesParametersInOrder()
    {
        var request = typeof(SimulateCommand).GetMethod(nameof(SimulateCommand.Request), BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Equal(OptionParameters().Select(p => (p.Name, p.ParameterType)), request.GetParameters().Select(p => (p.Name, p.ParameterType)));
    }

    [Fact]
    public void DefaultsAgree()
    {
        using var temp = new TempFolder();
        Assert.Equal(Json(new SimulationRequest(new SimulationSettings())), Json(FromCommandLine(null, null)));
        Assert.Equal(Json(new SimulationRequest(new SimulationSettings())), Json(FromSweepFile(temp.Path, "particles", "2000")));
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void EveryKeyGivesTheSameSettingsFromSweepFileAndCommandLine(string key)
    {
        using var temp = new TempFolder();
        var (yaml, cli) = Examples[key];
        if (key == "poses_from")
        {
            string poses = Path.Combine(temp.Path, "poses.star");
            File.WriteAllText(poses, "data_\n");
            (yaml, cli) = (poses, poses);
        }
        var fromCli = FromCommandLine(CliNameOf(key), cli);
        var fromFile = FromSweepFile(temp.Path, key, yaml);
        Assert.Equal(Json(fromCli), Json(fromFile));
        Assert.NotEqual(Json(new SimulationRequest(new SimulationSettings())), Json(fromFile)); // the key did something
    }

    [Fact]
    public void NoiseAcceptsBothSpellingsInBoth()
    {
        using var temp = new TempFolder();
        foreach (string spelling in new[] { "coloured", "colored", "Coloured" })
        {
            Assert.Equal(NoiseColour.Coloured, FromSweepFile(temp.Path, "noise", spelling).Settings.Noise);
            Assert.Equal(NoiseColour.Coloured, FromCommandLine("noise", spelling).Settings.Noise);
        }
    }

    [Fact]
    public void ProblemsNameTheKeyInEachForm()
    {
        using var temp = new TempFolder();
        var e = Assert.Throws<UserInputException>(() => FromSweepFile(temp.Path, "seed", "-1"));
        Assert.Contains("dataset.simulate.seed: '-1' is not a seed", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<UserInputException>(() => FromSweepFile(temp.Path, "colour", "white"));
        Assert.Contains("dataset.simulate.colour: unknown simulator option", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<UserInputException>(() => FromSweepFile(temp.Path, "noise", "pink"));
        Assert.Contains("dataset.simulate.noise: 'pink' is not white or coloured", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<UserInputException>(() => FromSweepFile(temp.Path, "poses_from", "missing.star"));
        Assert.Contains("dataset.simulate.poses_from: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
        var inner = Assert.Throws<TargetInvocationException>(() => FromCommandLine("noise", "pink")).InnerException;
        Assert.Equal("--noise: 'pink' is not white or coloured", inner!.Message);
        inner = Assert.Throws<TargetInvocationException>(() => FromCommandLine("preset", "mixed")).InnerException;
        Assert.StartsWith("--preset: unknown preset 'mixed'", inner!.Message, StringComparison.Ordinal);
        inner = Assert.Throws<TargetInvocationException>(() => FromCommandLine("snr", double.NaN)).InnerException;
        Assert.StartsWith("--snr: ", inner!.Message, StringComparison.Ordinal);
    }

    /// <summary>A sweep's simulate.poses_from reaches the simulator: the simulated particles carry the file's poses.</summary>
    [Fact]
    public void SweepPosesFromGivesTheFilesPoses()
    {
        using var temp = new TempFolder();
        var source = new SimulationSettings { Particles = 12, BoxPixels = 16, PixelSizeAngstrom = 8, Seed = 7 };
        string sourceFolder = Path.Combine(temp.Path, "source");
        SimulatedDatasetWriter.Write(sourceFolder, ParticleSimulator.Simulate(source));
        string poses = Path.Combine(sourceFolder, SimulatedDatasetWriter.StarFileName);
        string sweep = Path.Combine(temp.Path, "sweep.yaml");
        File.WriteAllText(sweep, $"name: p\ndataset:\n  simulate: {{particles: 10, box: 16, pixel_size: 8, seed: 3, poses_from: source/{SimulatedDatasetWriter.StarFileName}}}\nbase: {{classes: 2}}\n");
        var dataset = SweepDataset.FromSpec(SweepSpecYaml.Load(sweep), Path.Combine(temp.Path, "out"));
        Assert.Equal(Path.GetFullPath(poses), dataset.PosesFrom);
        dataset.Materialise(_ => { });
        var expected = RelionParticles.Read(poses).Particles.Take(10).Select(p => p.Rotation).ToList();
        var simulated = dataset.Table.Particles.Select(p => p.Rotation).ToList();
        Assert.Equal(10, simulated.Count);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(expected[i].MaxAbsDifference(simulated[i]) < 1e-4, $"particle {i}: pose differs from the file's");
        }
        // Without poses_from the same settings draw other poses: the file, not the seed, made them.
        var random = ParticleSimulator.Simulate(dataset.Simulation! with { Fractions = null });
        Assert.True(expected[0].MaxAbsDifference(random.Particles[0].Rotation) > 1e-2);
    }

    private static string CliNameOf(string key) => SimulatorOptions.All.Single(o => o.Key == key).CliName;

    /// <summary>The command's binding, with every option at Simulate's default except <paramref name="option"/>.</summary>
    private static SimulationRequest FromCommandLine(string? option, object? value)
    {
        var parameters = OptionParameters();
        Assert.Contains(parameters, p => option is null || CliName(p) == option);
        object?[] args = parameters.Select(p => CliName(p) == option ? value : p.DefaultValue).ToArray();
        var request = typeof(SimulateCommand).GetMethod(nameof(SimulateCommand.Request), BindingFlags.NonPublic | BindingFlags.Static)!;
        return (SimulationRequest)request.Invoke(null, args)!;
    }

    /// <summary>The sweep file's binding of <c>dataset.simulate: {key: yaml}</c>.</summary>
    private static SimulationRequest FromSweepFile(string folder, string key, string yaml)
    {
        string sweep = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(sweep, $"name: s\ndataset:\n  simulate:\n    {key}: {yaml}\nbase: {{classes: 2}}\n");
        var dataset = SweepDataset.FromSpec(SweepSpecYaml.Load(sweep), Path.Combine(folder, "out"));
        return new SimulationRequest(dataset.Simulation!, dataset.PosesFrom);
    }

    /// <summary>Records compare lists by reference; JSON compares every value.</summary>
    private static string Json(SimulationRequest r) =>
        JsonSerializer.Serialize(r.Settings) + "|" + (r.PosesFrom is null ? "" : Path.GetFullPath(r.PosesFrom)) + "|" + string.Join(',', r.Settings.EffectiveFractions.Select(f => f.ToString(CultureInfo.InvariantCulture)));
}
