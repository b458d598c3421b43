using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SweepLab.Reports;

/// <summary>
/// A sweep file that reruns one configuration: the original file's <c>dataset</c> and <c>seed</c> blocks (copied as
/// written), every setting of the configuration under <c>base</c>, and <c>repeats</c> equal to the original number of
/// seeds, so the planner derives the same seeds (they depend on the base seed and the repeat index only).
/// </summary>
public static partial class ReproduceYaml
{
    public static string For(SweepInfo info, ConfigSummary config)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(config);
        var c = CultureInfo.InvariantCulture;
        var blocks = TopLevelBlocks(info.Yaml);
        var text = new StringBuilder();
        text.Append(c, $"# configuration {config.ConfigId} (rank {config.Rank}) of sweep '{info.Name}'; seeds of its runs: ");
        text.Append(string.Join(", ", config.Runs.OrderBy(r => r.Repeat).Select(r => r.Seed.ToString(c)))).Append('\n');
        text.Append("name: ").Append(Scalar($"{info.Name}-{config.ConfigId}")).Append('\n');
        if (blocks.TryGetValue("dataset", out var dataset)) text.Append(dataset);
        text.Append("base:\n");
        foreach (string key in info.Settings)
        {
            if (!config.Settings.TryGetValue(key, out var value)) continue;
            if (value is "" or "null") text.Append($"  # {key}: unset\n");
            else text.Append($"  {key}: {Scalar(value)}\n");
        }
        // Seeds depend on the repeat index, so repeats must reach the highest index among the runs (an adaptive
        // search can evaluate a configuration at one seed only, say repeat 3).
        int repeats = config.Runs.Count == 0 ? 1 : config.Runs.Max(r => r.Repeat) + 1;
        if (repeats > config.Runs.Count) text.Append(c, $"# this configuration's runs are repeats {string.Join(", ", config.Runs.Select(r => r.Repeat).Order())} of these\n");
        text.Append(c, $"repeats: {repeats}\n");
        if (blocks.TryGetValue("seed", out var seed)) text.Append(seed);
        return text.ToString();
    }

    /// <summary>
    /// A sweep file that reruns both sides of one boundary-search bracket: the line's configuration under <c>base</c>,
    /// the searched axis as a grid of the bracket's two values, and repeats up to the line's repeat index (its seed is
    /// the last of them), with the original dataset and seed blocks.
    /// </summary>
    public static string ForBracket(SweepInfo info, BoundaryLine line)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(line);
        var c = CultureInfo.InvariantCulture;
        var blocks = TopLevelBlocks(info.Yaml);
        var text = new StringBuilder();
        text.Append(c, $"# both sides of the {line.Axis} bracket [{line.Low:R}, {line.High:R}] of configuration {line.ConfigId}, seed {line.Seed} (repeat {line.Repeat}), sweep '{info.Name}'\n");
        text.Append("name: ").Append(Scalar($"{info.Name}-{line.ConfigId}-r{line.Repeat}-bracket")).Append('\n');
        if (blocks.TryGetValue("dataset", out var dataset)) text.Append(dataset);
        text.Append("base:\n");
        foreach (string key in info.Settings)
        {
            if (key == line.Axis || !line.Settings.TryGetValue(key, out var value)) continue;
            if (value is "" or "null") text.Append($"  # {key}: unset\n");
            else text.Append($"  {key}: {Scalar(value)}\n");
        }
        text.Append(c, $"grid:\n  {line.Axis}: [{line.Low:R}, {line.High:R}]\n");
        if (line.Repeat > 0) text.Append(c, $"# the line's seed is repeat {line.Repeat}, the last of these\n");
        text.Append(c, $"repeats: {line.Repeat + 1}\n");
        if (blocks.TryGetValue("seed", out var seed)) text.Append(seed);
        return text.ToString();
    }

    /// <summary>A YAML 1.2 core-schema scalar: numbers and booleans plain, anything else double-quoted.</summary>
    public static string Scalar(string value)
    {
        if (value is "true" or "false" || NumberPattern().IsMatch(value)) return value;
        var quoted = new StringBuilder("\"");
        foreach (char ch in value)
            quoted.Append(ch switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(ch) => $"\\u{(int)ch:x4}",
                _ => ch.ToString(),
            });
        return quoted.Append('"').ToString();
    }

    /// <summary>Top-level keys of a YAML text with their lines (the key's line and the indented, blank or comment
    /// lines under it), as written. Enough to copy blocks; the CLI's parser checks the result.</summary>
    internal static Dictionary<string, string> TopLevelBlocks(string yaml)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        var current = new StringBuilder();
        foreach (string raw in yaml.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var m = TopKeyPattern().Match(raw);
            if (m.Success)
            {
                if (key is not null) blocks[key] = Trim(current);
                key = m.Groups[1].Value;
                current.Clear().Append(raw).Append('\n');
            }
            else if (key is not null && (raw.Length == 0 || raw[0] is ' ' or '\t' or '#')) current.Append(raw).Append('\n');
            else if (key is not null)
            {
                blocks[key] = Trim(current);
                key = null;
            }
        }
        if (key is not null) blocks[key] = Trim(current);
        return blocks;
    }

    private static string Trim(StringBuilder block) => block.ToString().TrimEnd('\n', ' ', '\t') + "\n";

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)\s*:")]
    private static partial Regex TopKeyPattern();
}
