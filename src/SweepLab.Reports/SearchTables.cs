using System.Globalization;
using CsvHelper;
using SweepLab.Formats;

namespace SweepLab.Reports;

/// <summary>
/// One line of a boundary search (boundary.csv): a configuration and seed, how bisection ended (found, no_flip,
/// failed, incomplete), the last bracket [<see cref="Low"/>, <see cref="High"/>] of the searched axis with the outcome
/// at each side, its midpoint (found lines only), and the runs evaluated at the two sides (empty where none).
/// </summary>
public sealed record BoundaryLine(
    string ConfigId,
    int Repeat,
    long Seed,
    IReadOnlyDictionary<string, string> Settings,
    string Status,
    string Axis,
    double Low,
    double High,
    double Estimate,
    bool? OutcomeAtLow,
    bool? OutcomeAtHigh,
    int Evaluations,
    string LowRunId,
    string HighRunId)
{
    public bool Found => Status == "found";
}

/// <summary>
/// One configuration at one rung of successive halving (halving.csv): its score (mean metric over seeds; NaN when it
/// has none), whether it could be ranked, its rank and whether it was promoted, and the config id its runs carry in
/// results.csv (<see cref="RunsConfigId"/>: the configuration with the budget setting).
/// </summary>
public sealed record HalvingRow(
    string ConfigId,
    IReadOnlyDictionary<string, string> Settings,
    int Rung,
    long Budget,
    double Score,
    bool Eligible,
    int Rank,
    bool Promoted,
    string RunsConfigId);

/// <summary>Readers of the adaptive searches' tables (written by SweepLab.Sweeps.ResultTables); errors name file and line.</summary>
public static class SearchTables
{
    public const string BoundaryFile = "boundary.csv";
    public const string HalvingFile = "halving.csv";

    private static readonly string[] BoundaryResultColumns =
        ["status", "axis", "low", "high", "estimate", "outcome_at_low", "outcome_at_high", "evaluations", "low_run_id", "high_run_id"];

    private static readonly string[] HalvingResultColumns = ["rung", "budget", "score", "eligible", "rank", "promoted", "runs_config_id"];

    /// <param name="axis">The searched axis from sweep.json, for tables written before boundary.csv named it.</param>
    public static IReadOnlyList<BoundaryLine> ReadBoundary(string path, string? axis = null)
    {
        string[] required = ["config_id", "repeat", "seed", "status", "low", "high"];
        return Read(path, required, ["config_id", "repeat", "seed", .. BoundaryResultColumns], (row, settings) => new BoundaryLine(
            row.Text("config_id"), (int)row.Integer("repeat"), row.Integer("seed"), settings, row.Text("status"),
            row.OptionalText("axis") is { Length: > 0 } a ? a : axis ?? "", row.Real("low"), row.Real("high"), row.Real("estimate"),
            row.Flag("outcome_at_low"), row.Flag("outcome_at_high"), (int)row.OptionalInteger("evaluations"),
            row.OptionalText("low_run_id"), row.OptionalText("high_run_id")));
    }

    public static IReadOnlyList<HalvingRow> ReadHalving(string path)
    {
        string[] required = ["config_id", "rung", "budget", "score", "eligible", "promoted"];
        return Read(path, required, ["config_id", .. HalvingResultColumns], (row, settings) => new HalvingRow(
            row.Text("config_id"), settings, (int)row.Integer("rung"), row.Integer("budget"), row.Real("score"),
            row.Flag("eligible") == true, (int)row.OptionalInteger("rank"), row.Flag("promoted") == true, row.OptionalText("runs_config_id")));
    }

    private sealed class Row(string path, int line, IReadOnlyList<string> header, Func<int, string> field)
    {
        private int Index(string column) => header is List<string> l ? l.IndexOf(column) : header.ToList().IndexOf(column);

        public string Text(string column) => field(Index(column));

        public string OptionalText(string column) => Index(column) is int i and >= 0 ? field(i) : "";

        public double Real(string column)
        {
            string text = OptionalText(column);
            if (text.Length == 0) return double.NaN;
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new DataFormatException(path, $"column '{column}': '{text}' is not a number", line);
        }

        public long Integer(string column)
        {
            string text = Text(column);
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
                : throw new DataFormatException(path, $"column '{column}': '{text}' is not an integer", line);
        }

        public long OptionalInteger(string column) => OptionalText(column).Length == 0 ? 0 : Integer(column);

        public bool? Flag(string column) => OptionalText(column) switch
        {
            "true" => true,
            "false" => false,
            "" => null,
            var t => throw new DataFormatException(path, $"column '{column}': '{t}' is not true or false", line),
        };
    }

    /// <summary>Rows of a search table; columns other than <paramref name="known"/> are the configuration's settings.</summary>
    private static List<T> Read<T>(string path, string[] required, string[] known, Func<Row, IReadOnlyDictionary<string, string>, T> make)
    {
        using var csv = CsvFiles.Open(path);
        var rows = new List<T>();
        List<string>? header = null;
        List<(string Name, int Index)> settingColumns = [];
        while (CsvFiles.Read(csv, path))
        {
            if (header is null)
            {
                header = csv.Headers.ToList();
                foreach (string c in required)
                    if (!header.Contains(c)) throw new DataFormatException(path, $"missing column '{c}'", 1);
                // A setting that clashed with a result column was written as setting_<name> (ResultTables.Header).
                settingColumns = header.Select((h, i) => (Name: h.StartsWith("setting_", StringComparison.Ordinal) && known.Contains(h["setting_".Length..]) ? h["setting_".Length..] : h, Index: i))
                    .Where((c, i) => !known.Contains(header[i])).ToList();
            }
            int line = (int)csv.LineNumber;
            if (csv.FieldCount != header.Count) throw new DataFormatException(path, $"{csv.FieldCount} fields, header has {header.Count}", line);
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, index) in settingColumns) settings[name] = csv.GetString(index);
            var reader = csv;
            rows.Add(make(new Row(path, line, header, i => reader.GetString(i)), settings));
        }
        return rows;
    }
}
