using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SweepLab.Reports;

/// <summary>
/// A sweep file that reruns one configuration: the original file's <c>dataset</c> and <c>seed</c> blocks (as the CLI
/// serialised them into sweep.json's <c>reproduce</c>; this class assembles text and never reads YAML), every setting
/// of the configuration under <c>base</c>, and <c>repeats</c> equal to the original number of seeds, so the planner
/// derives the same seeds (they depend on the base seed and the repeat index only).
/// </summary>
public static partial class ReproduceYaml
{
    public static string For(SweepInfo info, ConfigSummary config)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(config);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"# configuration {config.ConfigId} (rank {config.Rank}) of sweep '{info.Name}'; seeds of its runs: ");
        text.Append(string.Join(", ", config.Runs.OrderBy(r => r.Repeat).Select(r => r.Seed.ToString(c)))).Append('\n');
        text.Append("name: ").Append(Scalar($"{info.Name}-{config.ConfigId}")).Append('\n');
        Block(text, info.Reproduce, "dataset");
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
        Block(text, info.Reproduce, "seed");
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
        var text = new StringBuilder();
        text.Append(c, $"# both sides of the {line.Axis} bracket [{line.Low:R}, {line.High:R}] of configuration {line.ConfigId}, seed {line.Seed} (repeat {line.Repeat}), sweep '{info.Name}'\n");
        text.Append("name: ").Append(Scalar($"{info.Name}-{line.ConfigId}-r{line.Repeat}-bracket")).Append('\n');
        Block(text, info.Reproduce, "dataset");
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
        Block(text, info.Reproduce, "seed");
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

    /// <summary>A block as serialised, nothing when the sweep file had none, or a note when sweep.json predates the
    /// blocks (only the CLI can take them from the copied sweep file).</summary>
    private static void Block(StringBuilder text, ReproduceBlocks? blocks, string key)
    {
        if (blocks is null)
        {
            text.Append(CultureInfo.InvariantCulture, $"# {key}: as in the original sweep file, if it has one (this sweep.json predates its 'reproduce' blocks)\n");
            return;
        }
        string? block = key == "dataset" ? blocks.Dataset : blocks.Seed;
        if (string.IsNullOrEmpty(block)) return;
        text.Append(block);
        if (block[^1] != '\n') text.Append('\n');
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberPattern();
}
