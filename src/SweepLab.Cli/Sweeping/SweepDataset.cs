using SweepLab.Core.IO;
using System.Globalization;
using System.Text.Json;
using SweepLab.Simulation;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// The sweep file's dataset block: particles from files (<c>particles: x.star</c>, optional <c>truth: truth.csv</c>),
/// or <c>simulate: {...}</c> with any simulator option (the same names as <c>sweeplab simulate</c>, snake_case). A
/// simulated set is written once to DIR/data and reused on resume when its settings are unchanged. The preprocessed
/// particles are kept in <c>cache:</c> (default DIR/cache; <c>none</c> for no cache), shared by resumes, later sweeps
/// pointing there and SLURM tasks.
/// </summary>
internal sealed record SweepDataset(string ParticleFile, string? TruthFile, SimulationSettings? Simulation)
{
    /// <summary>Folder of the preprocessed-particle cache (see <see cref="Formats.Preprocessing.ParticleCache"/>); null = none.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The cache folder a sweep uses when its file does not name one.</summary>
    public const string DefaultCacheFolder = "cache";

    private Formats.Particles.ParticleTable? _table;

    /// <summary>The particle table, read once per process (after <see cref="Materialise"/> for a simulated set).</summary>
    public Formats.Particles.ParticleTable Table => _table ??= ParticleFiles.Read(ParticleFile);

    public static SweepDataset FromSpec(SweepSpec spec, string outputDirectory)
    {
        var errors = new List<string>();
        string where(int line) => $"{spec.SourcePath}:{line}";
        var block = spec.Dataset;
        if (block.Entries.Count == 0) throw new UserInputException($"{spec.SourcePath}: dataset: missing; give particles: FILE or simulate: {{...}}");
        string? particles = null, truth = null;
        string? cache = Path.Combine(outputDirectory, DefaultCacheFolder);
        SimulationSettings? simulation = null;
        string baseFolder = Path.GetDirectoryName(Path.GetFullPath(spec.SourcePath ?? ".")) ?? ".";
        foreach (var entry in block.Entries)
        {
            switch (entry.Key)
            {
                case "particles": particles = Resolve(Scalar(entry, errors, where), baseFolder); break;
                case "truth": truth = Resolve(Scalar(entry, errors, where), baseFolder); break;
                case "simulate": simulation = ReadSimulation(entry, errors, where); break;
                case "cache":
                    string? folder = Scalar(entry, errors, where);
                    cache = folder is null || folder.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Resolve(folder, baseFolder);
                    break;
                default: errors.Add($"{where(entry.Line)}: dataset.{entry.Key}: unknown key; expected particles, truth, simulate or cache"); break;
            }
        }
        if (particles is null && simulation is null) errors.Add($"{where(block.Line)}: dataset: give particles: FILE or simulate: {{...}}");
        if (particles is not null && simulation is not null) errors.Add($"{where(block.Line)}: dataset: give particles or simulate, not both");
        if (errors.Count > 0) throw new UserInputException(string.Join("\n", errors));
        if (simulation is not null)
        {
            string data = Path.Combine(outputDirectory, "data");
            return new SweepDataset(Path.Combine(data, SimulatedDatasetWriter.StarFileName), Path.Combine(data, SimulatedDatasetWriter.TruthFileName), simulation)
                { CacheDirectory = cache };
        }
        if (!File.Exists(particles)) throw new UserInputException($"{where(block.Find("particles")!.Line)}: dataset.particles: {particles} not found");
        return new SweepDataset(particles!, truth, null) { CacheDirectory = cache };
    }

    /// <summary>Checks a file dataset's images (exist, long enough) before any run; a simulated set is made whole.</summary>
    public void CheckImages()
    {
        if (Simulation is null) ParticleFiles.CheckImages(Table);
    }

    /// <summary>Simulates into DIR/data unless the same settings were simulated there before.</summary>
    public void Materialise(Action<string> log)
    {
        if (Simulation is null) return;
        string folder = Path.GetDirectoryName(ParticleFile)!;
        string stamp = Path.Combine(folder, "simulation.json");
        string wanted = JsonSerializer.Serialize(Simulation with { Fractions = Simulation.EffectiveFractions.ToArray() });
        if (File.Exists(stamp) && File.ReadAllText(stamp) == wanted && File.Exists(ParticleFile)) return;
        log($"simulating {Simulation.Particles} particles into {folder}");
        SimulatedDatasetWriter.Simulate(folder, Simulation);
        AtomicFile.WriteAllText(stamp, wanted);
    }

    private static string? Scalar(SpecEntry entry, List<string> errors, Func<int, string> where)
    {
        if (entry.Value is SpecScalar { Value.Kind: SettingKind.String } s) return s.Value.AsString;
        errors.Add($"{where(entry.Line)}: dataset.{entry.Key}: expected a file path");
        return null;
    }

    private static string? Resolve(string? path, string folder) => path is null ? null : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));

    private static SimulationSettings? ReadSimulation(SpecEntry entry, List<string> errors, Func<int, string> where)
    {
        if (entry.Value is not SpecMap map) { errors.Add($"{where(entry.Line)}: dataset.simulate: expected a map of simulator options"); return null; }
        var s = new SimulationSettings();
        foreach (var e in map.Entries)
        {
            string key = $"dataset.simulate.{e.Key}";
            if (e.Value is not SpecScalar { Value: var v })
            {
                if (e.Key == "fractions" && e.Value is SpecList list && list.Items.All(i => i is SpecScalar { Value.IsNumber: true }))
                {
                    s = s with { Fractions = list.Items.Select(i => ((SpecScalar)i).Value.AsDouble).ToArray() };
                    continue;
                }
                errors.Add($"{where(e.Line)}: {key}: expected a single value");
                continue;
            }
            try
            {
                s = e.Key switch
                {
                    "preset" => s with { Preset = SimulatorOptions.ParsePreset(v.CanonicalText) },
                    "particles" => s with { Particles = Int(v) },
                    "box" => s with { BoxPixels = Int(v) },
                    "pixel_size" => s with { PixelSizeAngstrom = v.AsDouble },
                    "snr" => s with { Snr = v.AsDouble },
                    "seed" => s with { Seed = (ulong)Int(v) },
                    "subunit_mass" => s with { SubunitMassFraction = v.AsDouble },
                    "domain_rotation" => s with { DomainRotationDegrees = v.AsDouble },
                    "core_blobs" => s with { CoreBlobs = Int(v) },
                    "defocus_min" => s with { DefocusMinAngstrom = v.AsDouble },
                    "defocus_max" => s with { DefocusMaxAngstrom = v.AsDouble },
                    "astigmatism" => s with { AstigmatismAngstrom = v.AsDouble },
                    "voltage" => s with { VoltageKilovolt = v.AsDouble },
                    "cs" => s with { SphericalAberrationMillimetre = v.AsDouble },
                    "amplitude_contrast" => s with { AmplitudeContrast = v.AsDouble },
                    "shift_sigma" => s with { ShiftSigmaAngstrom = v.AsDouble },
                    "noise" => s with { Noise = v.CanonicalText == "coloured" ? NoiseColour.Coloured : v.CanonicalText == "white" ? NoiseColour.White : throw new UserInputException("expected white or coloured") },
                    "noise_bfactor" => s with { NoiseBFactorAngstrom2 = v.AsDouble },
                    "scale_spread" => s with { AmplitudeScaleSpread = v.AsDouble },
                    "fractions" => s with { Fractions = SimulatorOptions.ParseFractions(v.CanonicalText) },
                    _ => throw new UserInputException("unknown simulator option; see sweeplab simulate --help (snake_case names)"),
                };
            }
            catch (Exception ex) when (ex is UserInputException or InvalidOperationException or FormatException)
            {
                errors.Add($"{where(e.Line)}: {key}: {ex.Message}");
            }
        }
        foreach (string problem in s.Validate()) errors.Add($"{where(entry.Line)}: dataset.simulate: {problem.Replace("--", "", StringComparison.Ordinal)}");
        return s;
    }

    private static int Int(SettingValue v) => v.TryGetInt64(out long i) && i is >= int.MinValue and <= int.MaxValue
        ? (int)i : throw new FormatException($"'{v.CanonicalText}' is not an integer");

    public override string ToString() => Simulation is null ? ParticleFile : string.Create(CultureInfo.InvariantCulture, $"simulated ({Simulation.Particles} particles) at {ParticleFile}");
}
