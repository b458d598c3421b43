using SweepLab.Core.IO;
using System.Globalization;
using System.Text.Json;
using SweepLab.Simulation;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// The sweep file's dataset block: particles from files (<c>particles: x.star</c>, optional <c>truth: truth.csv</c>),
/// or <c>simulate: {...}</c> with any simulator option (the same names as <c>sweeplab simulate</c>, snake_case, bound
/// by <see cref="SimulatorOptions"/>). A simulated set is written once to DIR/data and reused on resume when its
/// settings are unchanged. <paramref name="PosesFrom"/>: a simulated set's poses file (simulate.poses_from), resolved.
/// The preprocessed particles are kept in <c>cache:</c> (default DIR/cache; <c>none</c> for no cache), shared by
/// resumes, later sweeps pointing there and SLURM tasks. <c>focus_mask: mask.mrc</c> focuses every run on a region.
/// </summary>
internal sealed record SweepDataset(string ParticleFile, string? TruthFile, SimulationSettings? Simulation, string? PosesFrom = null)
{
    /// <summary>Folder of the preprocessed-particle cache (see <see cref="Formats.Preprocessing.ParticleCache"/>); null = none.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>A focus mask (<c>focus_mask:</c>, MRC on the particles' box): every run's classes differ only inside it.</summary>
    public string? FocusMaskFile { get; init; }

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
        string? particles = null, truth = null, focus = null;
        string? cache = Path.Combine(outputDirectory, DefaultCacheFolder);
        SimulationRequest? simulation = null;
        string baseFolder = Path.GetDirectoryName(Path.GetFullPath(spec.SourcePath ?? ".")) ?? ".";
        foreach (var entry in block.Entries)
        {
            switch (entry.Key)
            {
                case "particles": particles = Resolve(Scalar(entry, errors, where), baseFolder); break;
                case "truth": truth = Resolve(Scalar(entry, errors, where), baseFolder); break;
                case "simulate": simulation = ReadSimulation(entry, errors, where, baseFolder); break;
                case "focus_mask":
                    focus = Resolve(Scalar(entry, errors, where), baseFolder);
                    if (focus is not null && !File.Exists(focus)) errors.Add($"{where(entry.Line)}: dataset.focus_mask: {focus} not found");
                    break;
                case "cache":
                    string? folder = Scalar(entry, errors, where);
                    cache = folder is null || folder.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Resolve(folder, baseFolder);
                    break;
                default: errors.Add($"{where(entry.Line)}: dataset.{entry.Key}: unknown key; expected particles, truth, simulate, focus_mask or cache"); break;
            }
        }
        if (particles is null && simulation is null) errors.Add($"{where(block.Line)}: dataset: give particles: FILE or simulate: {{...}}");
        if (particles is not null && simulation is not null) errors.Add($"{where(block.Line)}: dataset: give particles or simulate, not both");
        if (errors.Count > 0) throw new UserInputException(string.Join("\n", errors));
        if (simulation is not null)
        {
            string data = Path.Combine(outputDirectory, "data");
            return new SweepDataset(Path.Combine(data, SimulatedDatasetWriter.StarFileName), Path.Combine(data, SimulatedDatasetWriter.TruthFileName),
                simulation.Settings, simulation.PosesFrom) { CacheDirectory = cache, FocusMaskFile = focus };
        }
        if (!File.Exists(particles)) throw new UserInputException($"{where(block.Find("particles")!.Line)}: dataset.particles: {particles} not found");
        return new SweepDataset(particles!, truth, null) { CacheDirectory = cache, FocusMaskFile = focus };
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
        string wanted = Stamp();
        if (File.Exists(stamp) && File.ReadAllText(stamp) == wanted && File.Exists(ParticleFile)) return;
        var poses = PosesFrom is null ? null : SimulatorOptions.ReadPoses(PosesFrom, Simulation.Particles, "dataset.simulate.poses_from", "dataset.simulate.particles");
        log($"simulating {Simulation.Particles} particles into {folder}");
        using (Interruption.OnStop(() => SimulatedDatasetWriter.RemoveStaging(folder)))
            SimulatedDatasetWriter.Simulate(folder, Simulation, poses);
        AtomicFile.WriteAllText(stamp, wanted);
    }

    /// <summary>simulation.json: the settings, and with a poses file also its path, size and time, so a changed file
    /// is simulated again (without one, the text is the settings alone, as it always was).</summary>
    private string Stamp()
    {
        var settings = Simulation! with { Fractions = Simulation.EffectiveFractions.ToArray() };
        if (PosesFrom is null) return JsonSerializer.Serialize(settings);
        var node = JsonSerializer.SerializeToNode(settings)!.AsObject();
        var file = new FileInfo(PosesFrom);
        node["PosesFrom"] = string.Create(CultureInfo.InvariantCulture, $"{file.FullName} ({(file.Exists ? file.Length : -1)} bytes, {(file.Exists ? file.LastWriteTimeUtc.Ticks : 0)})");
        return node.ToJsonString();
    }

    private static string? Scalar(SpecEntry entry, List<string> errors, Func<int, string> where)
    {
        if (entry.Value is SpecScalar { Value.Kind: SettingKind.String } s) return s.Value.AsString;
        errors.Add($"{where(entry.Line)}: dataset.{entry.Key}: expected a file path");
        return null;
    }

    private static string? Resolve(string? path, string folder) => path is null ? null : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));

    private static SimulationRequest? ReadSimulation(SpecEntry entry, List<string> errors, Func<int, string> where, string baseFolder)
    {
        if (entry.Value is not SpecMap map) { errors.Add($"{where(entry.Line)}: dataset.simulate: expected a map of simulator options"); return null; }
        var (request, problems) = SimulatorOptions.Bind(map.Entries.Select(e => (e.Key, e.Value)));
        foreach (var (key, message) in problems) errors.Add($"{where(map.Find(key)?.Line ?? entry.Line)}: dataset.simulate.{key}: {message}");
        foreach (string problem in request.Settings.Validate()) errors.Add($"{where(entry.Line)}: dataset.simulate: {problem.Replace("--", "", StringComparison.Ordinal)}");
        if (request.PosesFrom is { } poses)
        {
            request = request with { PosesFrom = Resolve(poses, baseFolder) };
            if (!File.Exists(request.PosesFrom)) errors.Add($"{where(map.Find("poses_from")!.Line)}: dataset.simulate.poses_from: {request.PosesFrom} not found");
        }
        return request;
    }

    public override string ToString() => Simulation is null ? ParticleFile : string.Create(CultureInfo.InvariantCulture, $"simulated ({Simulation.Particles} particles) at {ParticleFile}");
}
