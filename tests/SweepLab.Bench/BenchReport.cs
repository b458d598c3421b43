using System.Globalization;
using System.Text;

namespace SweepLab.Bench;

/// <summary>One measured figure: which section, what, the value with its unit, and how it was measured.</summary>
public sealed record BenchRow(string Section, string Metric, double Value, string Unit, string Note = "");

/// <summary>An issue target and whether this run met it; <see cref="Met"/> is null when its inputs were not measured.</summary>
/// <param name="Shortfall">"by X" text when missed (how far from the target), empty otherwise.</param>
public sealed record BenchTarget(string Name, string Goal, string Measured, bool? Met, string Shortfall = "")
{
    public string Verdict => Met switch
    {
        true => "MET",
        false => $"MISSED by {Shortfall}",
        null => "NOT RUN",
    };
}

/// <summary>
/// Everything one bench run measured, written as a culture-invariant CSV (machine-read) and a short Markdown page
/// (the README's performance section), with the machine described, so that the figures and their ratios always
/// come from the same machine and the same process.
/// </summary>
public sealed class BenchReport(MachineInfo machine, string mode)
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private readonly List<BenchRow> _rows = new();
    private readonly List<BenchTarget> _targets = new();
    private readonly List<(string Section, string Text)> _notes = new();
    private readonly Dictionary<string, List<string[]>> _tables = new();
    private readonly Dictionary<string, string[]> _tableHeaders = new();

    public MachineInfo Machine { get; } = machine;
    public string Mode { get; } = mode;
    public IReadOnlyList<BenchRow> Rows => _rows;
    public IReadOnlyList<BenchTarget> Targets => _targets;

    public void Add(string section, string metric, double value, string unit, string note = "")
    {
        _rows.Add(new BenchRow(section, metric, value, unit, note));
        Console.WriteLine($"  {section,-10} {metric,-52} {Format(value),14} {unit,-12} {note}");
    }

    /// <summary>The value of a metric recorded earlier in this run, or null.</summary>
    public double? Value(string section, string metric) =>
        _rows.LastOrDefault(r => r.Section == section && r.Metric == metric)?.Value;

    public void Note(string section, string text)
    {
        _notes.Add((section, text));
        Console.WriteLine($"  {section,-10} note: {text}");
    }

    /// <summary>A Markdown table shown in the section (the rows are also in the CSV one metric at a time).</summary>
    public void Table(string section, string[] header, IEnumerable<string[]> rows)
    {
        _tableHeaders[section] = header;
        _tables[section] = rows.ToList();
    }

    public void Target(BenchTarget target)
    {
        _targets.Add(target);
        Console.WriteLine($"  target: {target.Name}: {target.Verdict} ({target.Measured}; goal {target.Goal})");
    }

    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        double a = Math.Abs(value);
        string format = a == 0 ? "0" : a >= 1000 ? "#,0" : a >= 100 ? "0.0" : a >= 1 ? "0.00" : "0.000";
        return value.ToString(format, C);
    }

    public void WriteCsv(string path)
    {
        var text = new StringBuilder("section,metric,value,unit,note\n");
        foreach (var r in _rows)
            text.Append(string.Join(',', Csv(r.Section), Csv(r.Metric), r.Value.ToString("R", C), Csv(r.Unit), Csv(r.Note))).Append('\n');
        foreach (var t in _targets)
            text.Append(string.Join(',', "target", Csv(t.Name), t.Met switch { true => "1", false => "0", null => "" }, "met", Csv($"{t.Verdict}; {t.Measured}; goal {t.Goal}"))).Append('\n');
        WriteAtomically(path, text.ToString());
    }

    public void WriteMarkdown(string path, IReadOnlyList<string> sectionOrder)
    {
        var md = new StringBuilder();
        md.Append("### Benchmarks\n\n");
        md.Append($"Measured by `scripts/bench.sh {Mode}` in one process on one machine, {DateTime.UtcNow:yyyy-MM-dd} (UTC).\n\n");
        md.Append("| machine | |\n|---|---|\n");
        foreach (var (key, value) in Machine.Describe()) md.Append($"| {key} | {value} |\n");
        md.Append('\n');
        if (_targets.Count > 0)
        {
            md.Append("| target | goal | measured | verdict |\n|---|---|---|---|\n");
            foreach (var t in _targets) md.Append($"| {t.Name} | {t.Goal} | {t.Measured} | {t.Verdict} |\n");
            md.Append('\n');
        }
        foreach (string section in sectionOrder)
        {
            var rows = _rows.Where(r => r.Section == section).ToList();
            if (rows.Count == 0 && !_notes.Any(n => n.Section == section)) continue;
            md.Append($"#### {section}\n\n");
            if (_tables.TryGetValue(section, out var table))
            {
                var header = _tableHeaders[section];
                md.Append("| ").Append(string.Join(" | ", header)).Append(" |\n|");
                md.Append(string.Concat(Enumerable.Repeat("---|", header.Length))).Append('\n');
                foreach (var row in table) md.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
                md.Append('\n');
            }
            else if (rows.Count > 0)
            {
                md.Append("| metric | value | unit | how |\n|---|---|---|---|\n");
                foreach (var r in rows) md.Append($"| {r.Metric} | {Format(r.Value)} | {r.Unit} | {r.Note} |\n");
                md.Append('\n');
            }
            foreach (var (s, text) in _notes.Where(n => n.Section == section)) md.Append($"- {text}\n");
            md.Append('\n');
        }
        WriteAtomically(path, md.ToString());
    }

    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    private static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }
}
