using System.Text;
using SweepLab.Engine.Configuration;

namespace SweepLab.Cli;

/// <summary>
/// The engine knobs of <c>classify</c>, read from the command line by their <see cref="Knobs"/> declarations rather than
/// by a property per knob, so a new knob reaches the CLI (and its help) with no CLI edit. Program takes them out of
/// the arguments before Cocona sees the rest.
/// </summary>
internal static class KnobArguments
{
    /// <summary>The command whose arguments carry knobs.</summary>
    public const string Command = "classify";

    /// <summary>Option name (without dashes) to setting key: every knob's option and <c>--algorithm</c>.</summary>
    private static readonly Dictionary<string, Knob?> Options = Knobs.All
        .ToDictionary(k => k.Option, k => (Knob?)k, StringComparer.Ordinal)
        .Append(new KeyValuePair<string, Knob?>(ConfigSettings.AlgorithmKey, null))
        .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Splits the knob options (<c>--name value</c> or <c>--name=value</c>) from the others.</summary>
    /// <returns>The remaining arguments, and the knob settings in the order given.</returns>
    /// <exception cref="UserInputException">A knob option without a value, given twice, or with a value of the wrong form.</exception>
    public static (string[] Remaining, List<KeyValuePair<string, string>> Settings) Extract(IReadOnlyList<string> args)
    {
        var rest = new List<string>();
        var settings = new List<KeyValuePair<string, string>>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) { rest.Add(arg); continue; }
            int eq = arg.IndexOf('=');
            string name = eq < 0 ? arg[2..] : arg[2..eq];
            if (!Options.TryGetValue(name, out var knob)) { rest.Add(arg); continue; }
            string key = knob?.Key ?? ConfigSettings.AlgorithmKey;
            string? value = eq >= 0 ? arg[(eq + 1)..]
                : i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal)) ? args[++i]
                : knob?.IsFlag == true ? "true"
                : null;
            if (value is null) throw new UserInputException($"--{name}: needs a value ({knob?.Values ?? string.Join(" | ", ConfigSettings.Algorithms.Keys)})");
            if (settings.Any(s => s.Key == key)) throw new UserInputException($"--{name}: given twice");
            // a value of the wrong form is named by its option here (ranges are checked with the data, by key)
            if (knob is not null)
            {
                try { knob.Parse(new ClassificationConfig(), value.Trim()); }
                catch (FormatException e) { throw new UserInputException($"--{name} ({key}): {e.Message}"); }
            }
            settings.Add(new(key, value));
        }
        return ([.. rest], settings);
    }

    /// <summary>The knob options for <c>classify --help</c>, one per line, from the declarations.</summary>
    public static string Help()
    {
        var text = new StringBuilder();
        text.AppendLine("Engine settings (sweep-file key in brackets; unset options keep the default shown):");
        text.AppendLine($"  --{ConfigSettings.AlgorithmKey} <{string.Join("|", ConfigSettings.Algorithms.Keys)}>  [{ConfigSettings.AlgorithmKey}] {ConfigSettings.AlgorithmDescription}");
        foreach (var k in Knobs.All)
            text.AppendLine($"  --{k.Option} <{k.Values}>  [{k.Key}, default {k.DefaultText}] {k.Description}");
        return text.ToString();
    }
}
