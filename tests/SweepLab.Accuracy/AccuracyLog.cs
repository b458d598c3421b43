using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SweepLab.Accuracy;

/// <summary>One measured run: the oracle (no seed), RELION or SweepLab on one corpus level.</summary>
/// <param name="Corpus">Short hash of the level's canonical settings: rows of other builds of a level never mix.</param>
/// <param name="Fractions">Hard class fractions, in the program's class order.</param>
/// <param name="MeanEss">Mean per-particle ESS (SweepLab only; NaN otherwise).</param>
/// <param name="WallSeconds">The classification's wall time (for SweepLab, engine.Run only: the particles are
/// loaded and uploaded once per level; for RELION the whole relion_refine process).</param>
public sealed record AccuracyRow(
    string Level,
    string Corpus,
    int Particles,
    double Snr,
    string Program,
    string Label,
    string Settings,
    int? Seed,
    double Accuracy,
    IReadOnlyList<double> Fractions,
    double MeanEss,
    double WallSeconds,
    DateTime TimeUtc);

/// <summary>
/// accuracy.csv: one row per run, appended as soon as it finishes (so an interrupted table keeps what it measured),
/// invariant culture, RFC 4180 quoting. Tables read it back for RELION rows measured earlier.
/// </summary>
public static class AccuracyLog
{
    public const string FileName = "accuracy.csv";
    public const string OracleProgram = "oracle", RelionProgram = "relion", SweepLabProgram = "sweeplab";

    private static readonly string[] Header =
        ["level", "corpus", "particles", "snr", "program", "label", "settings", "seed", "accuracy", "fractions", "mean_ess", "wall_s", "time_utc"];

    public static string CorpusId(CorpusLevel level) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(level.Canonical)))[..10];

    public static void Append(string path, AccuracyRow row)
    {
        var c = CultureInfo.InvariantCulture;
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        var line = new StringBuilder();
        if (fresh) line.Append(string.Join(',', Header)).Append('\n');
        string[] cells =
        [
            row.Level, row.Corpus, row.Particles.ToString(c), row.Snr.ToString("R", c), row.Program, row.Label, row.Settings,
            row.Seed?.ToString(c) ?? "", row.Accuracy.ToString("0.######", c),
            string.Join('/', row.Fractions.Select(f => f.ToString("0.####", c))),
            double.IsNaN(row.MeanEss) ? "" : row.MeanEss.ToString("0.####", c), row.WallSeconds.ToString("0.###", c),
            row.TimeUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", c),
        ];
        line.Append(string.Join(',', cells.Select(Quote))).Append('\n');
        File.AppendAllText(path, line.ToString(), new UTF8Encoding(false));
    }

    public static IReadOnlyList<AccuracyRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        var c = CultureInfo.InvariantCulture;
        var rows = new List<AccuracyRow>();
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return rows;
        var columns = Split(lines[0]);
        int Col(string name) => columns.IndexOf(name) is var i and >= 0 ? i : throw new InvalidDataException($"{path}: no column {name}");
        int level = Col("level"), corpus = Col("corpus"), particles = Col("particles"), snr = Col("snr"), program = Col("program"),
            label = Col("label"), settings = Col("settings"), seed = Col("seed"), accuracy = Col("accuracy"), fractions = Col("fractions"),
            ess = Col("mean_ess"), wall = Col("wall_s"), time = Col("time_utc");
        for (int l = 1; l < lines.Length; l++)
        {
            if (lines[l].Length == 0 || lines[l] == lines[0]) continue;
            var v = Split(lines[l]);
            if (v.Count != columns.Count) throw new InvalidDataException($"{path} line {l + 1}: {v.Count} cells, {columns.Count} columns");
            rows.Add(new AccuracyRow(v[level], v[corpus], int.Parse(v[particles], c), double.Parse(v[snr], c), v[program], v[label], v[settings],
                v[seed].Length == 0 ? null : int.Parse(v[seed], c), double.Parse(v[accuracy], c),
                v[fractions].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(f => double.Parse(f, c)).ToList(),
                v[ess].Length == 0 ? double.NaN : double.Parse(v[ess], c), double.Parse(v[wall], c),
                DateTime.Parse(v[time], c, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)));
        }
        return rows;
    }

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
