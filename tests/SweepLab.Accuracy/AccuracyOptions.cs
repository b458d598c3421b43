using SweepLab.TestSupport.Relion;
using System.Globalization;
using SweepLab.Compute;

namespace SweepLab.Accuracy;

/// <summary>
/// Command line: <c>corpus --out DIR [--level NAME]... [--particles N]</c> or <c>table --out DIR [--level NAME]...
/// [--particles N] [--seeds 1,2,3] [--relion] [--set key=value]... [--label TEXT] [--focus-from-truth] [--device auto|cuda|opencl|pocl|cpu]</c>.
/// No --level means every standard level.
/// </summary>
public sealed record AccuracyOptions
{
    public const string Usage =
        "usage: SweepLab.Accuracy corpus --out DIR [--level NAME]... [--particles N]\n" +
        "       SweepLab.Accuracy table --out DIR [--level NAME]... [--particles N] [--seeds 1,2,3] [--relion]\n" +
        "                               [--set key=value]... [--label TEXT] [--focus-from-truth] [--device auto|cuda|opencl|pocl|cpu]\n" +
        "levels: easy, medium, k3, hard, medium128 (default: all); --set takes the engine's snake_case keys (as in sweeps.yaml)";

    public required string Command { get; init; }
    public required string OutputDirectory { get; init; }
    public IReadOnlyList<CorpusLevel> Levels { get; init; } = CorpusLevel.Standard;
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
    public bool Relion { get; init; }
    /// <summary>Engine settings applied over the defaults, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];
    public string? Label { get; init; }
    /// <summary>Classify with a focus mask drawn around where the true maps differ (as a user masks the region they
    /// suspect varies): <see cref="RelionFocus.WriteFocusMask"/>; RELION runs its focused classification with it.</summary>
    public bool FocusFromTruth { get; init; }
    public ComputeBackend Device { get; init; } = ComputeBackend.Auto;

    public static AccuracyOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is not ("corpus" or "table")) throw new ArgumentException(Usage);
        string command = args[0];
        string? output = null, label = null;
        int? particles = null;
        var levels = new List<CorpusLevel>();
        var settings = new List<KeyValuePair<string, string>>();
        IReadOnlyList<int> seeds = [1, 2, 3];
        bool relion = false, focus = false;
        var device = ComputeBackend.Auto;
        for (int i = 1; i < args.Count; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{a} needs a value\n{Usage}");
            switch (a)
            {
                case "--out": output = Next(); break;
                case "--level": levels.Add(CorpusLevel.Named(Next())); break;
                case "--particles":
                    string count = Next();
                    particles = int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p >= 10 ? p
                        : throw new ArgumentException($"--particles {count}: must be a whole number >= 10");
                    break;
                case "--seeds" when command == "table":
                    string list = Next();
                    seeds = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
                        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int seed) ? seed
                            : throw new ArgumentException($"--seeds {list}: '{s}' is not a non-negative whole number")).ToList();
                    if (seeds.Count == 0) throw new ArgumentException("--seeds: give at least one seed");
                    break;
                case "--relion" when command == "table": relion = true; break;
                case "--set" when command == "table":
                    string setting = Next();
                    int eq = setting.IndexOf('=');
                    if (eq <= 0) throw new ArgumentException($"--set {setting}: expected key=value");
                    string key = setting[..eq].Trim();
                    if (key == "seed") throw new ArgumentException("--set seed=...: give seeds with --seeds");
                    settings.Add(new(key, setting[(eq + 1)..].Trim()));
                    break;
                case "--label" when command == "table": label = Next(); break;
                case "--focus-from-truth" when command == "table": focus = true; break;
                case "--device" when command == "table":
                    string name = Next();
                    device = Enum.TryParse(name, ignoreCase: true, out ComputeBackend b) && Enum.IsDefined(b) ? b
                        : throw new ArgumentException($"--device {name}: must be auto, cuda, opencl, pocl or cpu");
                    break;
                default: throw new ArgumentException($"unknown argument '{a}' for {command}\n{Usage}");
            }
        }
        if (output is null) throw new ArgumentException($"--out DIR is required\n{Usage}");
        IReadOnlyList<CorpusLevel> chosen = levels.Count > 0 ? levels.DistinctBy(l => l.Name).ToList() : CorpusLevel.Standard;
        if (particles is int n) chosen = chosen.Select(l => l with { Particles = n }).ToList();
        return new AccuracyOptions
        {
            Command = command, OutputDirectory = output, Levels = chosen, Seeds = seeds, Relion = relion, Settings = settings,
            Label = label, Device = device, FocusFromTruth = focus,
        };
    }

    /// <summary>The settings as one text (key=value;...), "defaults" when none.</summary>
    public string SettingsText => string.Join(';', (Settings.Count == 0 && !FocusFromTruth ? ["defaults"] : Settings.Select(p => $"{p.Key}={p.Value}"))
        .Concat(FocusFromTruth ? ["focus_mask=true difference"] : []));

    /// <summary>A level's folder: its name, with the particle count when it is not the standard one.</summary>
    public string LevelFolder(CorpusLevel level)
    {
        var standard = CorpusLevel.Named(level.Name);
        string name = level.Particles == standard.Particles ? level.Name : $"{level.Name}-{level.Particles}";
        return Path.Combine(OutputDirectory, name);
    }
}
