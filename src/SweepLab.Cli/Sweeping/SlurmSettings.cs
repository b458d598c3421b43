using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// The SLURM executor's options, from the sweep file's <c>execution.slurm</c> block (every key optional):
/// <code>
/// execution:
///   executor: slurm
///   slurm:
///     tasks: 8              # array tasks for the missing runs (default: one per group_size runs)
///     throttle: 4           # at most this many tasks run at once (--array=...%4); 0 = no limit (default)
///     max_array_size: 1000  # cap below the cluster's MaxArraySize (default: scontrol show config)
///     max_requeue: 2        # with --wait: resubmissions of tasks that ended with runs missing (default 2)
///     poll_seconds: 10      # with --wait: squeue interval (default 10)
///     template: site.sh     # submit-script template, relative to the sweep file (default: the built-in one)
///     partition: gpu        # the template's placeholders (see Templates/slurm_submit.sh)
///     account: lab
///     qos: normal
///     time: "04:00:00"
///     memory: 16G
///     cpus: 4
///     gpus: 1
///     modules: [cuda/12.4, dotnet/10]   # or one string
///     setup: ["source ~/venv/bin/activate"]
/// </code>
/// Errors are collected and reported together as <c>file:line: execution.slurm.key: message</c>.
/// </summary>
internal sealed record SlurmSettings
{
    public string? TemplatePath { get; init; }
    public int? Tasks { get; init; }
    public int Throttle { get; init; }
    public int? MaxArraySize { get; init; }
    public int MaxRequeue { get; init; } = 2;
    public double PollSeconds { get; init; } = 10;
    public string? Partition { get; init; }
    public string? Account { get; init; }
    public string? Qos { get; init; }
    public string? Time { get; init; }
    public string? Memory { get; init; }
    public int Cpus { get; init; } = 1;
    public int Gpus { get; init; }
    public IReadOnlyList<string> Modules { get; init; } = [];
    public IReadOnlyList<string> Setup { get; init; } = [];

    private static readonly string[] Keys =
        ["tasks", "throttle", "max_array_size", "max_requeue", "poll_seconds", "template", "partition", "account", "qos", "time", "memory", "cpus", "gpus", "modules", "setup"];

    /// <summary>Reads <c>execution.slurm</c> from sweep YAML; <paramref name="path"/> labels errors and anchors a relative template.</summary>
    public static SlurmSettings Parse(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new UserInputException($"{path}:{e.Start.Line}: not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root) return new SlurmSettings();
        if (Child(root, "execution") is not YamlMappingNode execution || Child(execution, "slurm") is not { } block) return new SlurmSettings();
        var errors = new List<string>();
        if (block is not YamlMappingNode map) throw new UserInputException($"{path}:{block.Start.Line}: execution.slurm: expected a map of options ({string.Join(", ", Keys)})");

        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        var s = new SlurmSettings();
        foreach (var (keyNode, value) in map.Children)
        {
            string key = keyNode is YamlScalarNode k ? k.Value ?? "" : "";
            string at = $"{path}:{value.Start.Line}: execution.slurm.{key}";
            switch (key)
            {
                case "tasks": s = s with { Tasks = Int(value, at, errors, 1, 100_000) }; break;
                case "throttle": s = s with { Throttle = Int(value, at, errors, 0, 100_000) ?? 0 }; break;
                case "max_array_size": s = s with { MaxArraySize = Int(value, at, errors, 1, 4_000_000) }; break;
                case "max_requeue": s = s with { MaxRequeue = Int(value, at, errors, 0, 100) ?? 2 }; break;
                case "poll_seconds":
                    if (Text(value, at, errors) is { } p)
                    {
                        if (double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is >= 0.1 and <= 3600) s = s with { PollSeconds = seconds };
                        else errors.Add($"{at}: expected seconds between 0.1 and 3600, got '{p}'");
                    }
                    break;
                case "template":
                    if (Text(value, at, errors) is { } t) s = s with { TemplatePath = Path.IsPathRooted(t) ? t : Path.GetFullPath(Path.Combine(folder, t)) };
                    break;
                case "partition": s = s with { Partition = Directive(value, at, errors) }; break;
                case "account": s = s with { Account = Directive(value, at, errors) }; break;
                case "qos": s = s with { Qos = Directive(value, at, errors) }; break;
                case "time": s = s with { Time = Directive(value, at, errors) }; break;
                case "memory": s = s with { Memory = Directive(value, at, errors) }; break;
                case "cpus": s = s with { Cpus = Int(value, at, errors, 1, 100_000) ?? 1 }; break;
                case "gpus": s = s with { Gpus = Int(value, at, errors, 0, 1_000) ?? 0 }; break;
                case "modules": s = s with { Modules = Lines(value, at, errors) }; break;
                case "setup": s = s with { Setup = Lines(value, at, errors) }; break;
                default: errors.Add($"{at}: unknown key; expected one of {string.Join(", ", Keys)}"); break;
            }
        }
        if (errors.Count > 0) throw new UserInputException(string.Join("\n", errors));
        return s;
    }

    public static SlurmSettings Load(string path) => Parse(File.ReadAllText(path), path);

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var v } && v == key).Value;

    private static string? Text(YamlNode node, string at, List<string> errors)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } v }) return v;
        errors.Add($"{at}: expected a single non-empty value");
        return null;
    }

    /// <summary>A value pasted into an #SBATCH line: one line, no spaces, so it cannot inject further directives.</summary>
    private static string? Directive(YamlNode node, string at, List<string> errors)
    {
        string? v = Text(node, at, errors);
        if (v is not null && v.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add($"{at}: '{v}' holds white space; SLURM options are single words");
            return null;
        }
        return v;
    }

    private static int? Int(YamlNode node, string at, List<string> errors, int min, int max)
    {
        string? v = Text(node, at, errors);
        if (v is null) return null;
        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= min && i <= max) return i;
        errors.Add($"{at}: expected an integer from {min} to {max}, got '{v}'");
        return null;
    }

    private static IReadOnlyList<string> Lines(YamlNode node, string at, List<string> errors)
    {
        if (node is YamlScalarNode) return Text(node, at, errors) is { } one ? [one] : [];
        if (node is YamlSequenceNode list)
        {
            var items = new List<string>();
            foreach (var item in list.Children)
            {
                if (item is YamlScalarNode { Value: { Length: > 0 } v } && !v.Contains('\n', StringComparison.Ordinal)) items.Add(v);
                else errors.Add($"{at}: expected a list of single-line strings (line {item.Start.Line})");
            }
            return items;
        }
        errors.Add($"{at}: expected a string or a list of strings");
        return [];
    }
}
