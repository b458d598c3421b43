using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// The submit-script template: <c>{{ name }}</c> placeholders replaced by values; a line where any placeholder
/// renders empty is left out, so an unset option (partition, GPUs, modules) removes its whole #SBATCH line instead
/// of leaving a broken one. The built-in template is Templates/slurm_submit.sh, embedded in the CLI.
/// </summary>
internal static partial class SlurmTemplate
{
    public const string ResourceName = "SweepLab.Cli.Templates.slurm_submit.sh";

    /// <summary>Every name a template may use; see the comments in Templates/slurm_submit.sh.</summary>
    public static readonly string[] Names =
        ["job_name", "partition", "account", "qos", "time", "memory", "cpus", "gpus", "modules", "setup", "log_file", "sweep_dir", "command"];

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex Placeholder();

    public static string BuiltIn()
    {
        using var stream = typeof(SlurmTemplate).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the built-in template {ResourceName} is missing from {Assembly.GetExecutingAssembly().Location}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Fills the template; <paramref name="source"/> names it in errors (every unknown placeholder at once).</summary>
    public static string Render(string template, string source, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        var errors = new List<string>();
        var output = new StringBuilder(template.Length + 256);
        string[] lines = template.ReplaceLineEndings("\n").Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0) lines = lines[..^1];
        for (int i = 0; i < lines.Length; i++)
        {
            bool empty = false;
            string rendered = Placeholder().Replace(lines[i], m =>
            {
                string name = m.Groups[1].Value;
                if (!Names.Contains(name)) { errors.Add($"{source}:{i + 1}: unknown placeholder {{{{ {name} }}}}; known: {string.Join(", ", Names)}"); return ""; }
                string value = values.TryGetValue(name, out var v) ? v : "";
                if (value.Length == 0) empty = true;
                return value;
            });
            if (!empty) output.Append(rendered).Append('\n');
        }
        if (!template.Contains("{{", StringComparison.Ordinal) || !Placeholder().Matches(template).Any(m => m.Groups[1].Value == "command"))
            errors.Add($"{source}: the template never uses {{{{ command }}}}, so its jobs would run nothing");
        if (errors.Count > 0) throw new UserInputException(string.Join("\n", errors));
        return output.ToString();
    }

    /// <summary>Quotes a word for bash (single quotes; embedded single quotes closed, escaped and reopened).</summary>
    public static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or '=' or ':' or ',' or '+')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
