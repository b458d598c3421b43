using System.Globalization;
using CsvHelper;
using SweepLab.Core.IO;
using SweepLab.Formats;

namespace SweepLab.Reports;

/// <summary>
/// One baseline program's result on the sweep's dataset (a row of baselines.csv): its classes, seed, accuracy against
/// the truth (NaN without truth), split ratio (smallest over largest class fraction), smallest class fraction, wall
/// time, and the exact command that made it (which also keys resume: the same command is not run again).
/// </summary>
public sealed record BaselineRow(string Baseline, int Classes, long Seed, double Accuracy, double SplitRatio,
    double SmallestClassFraction, double WallSeconds, string Command);

/// <summary>baselines.csv: written by the CLI after a sweep's runs, read by the report (which never runs anything).</summary>
public static class BaselineTable
{
    public const string FileName = "baselines.csv";

    public static readonly string[] Columns = ["baseline", "classes", "seed", "accuracy", "split_ratio", "smallest_class_fraction", "wall_seconds", "command"];

    private static readonly CsvWriterOptions CsvOptions = CsvWriterOptions.Default with { NewLine = "\n" };

    /// <summary>The rows of DIR/baselines.csv; empty when the file is absent.</summary>
    /// <exception cref="DataFormatException">A missing column or a field that is not a number, naming the line.</exception>
    public static IReadOnlyList<BaselineRow> Read(string sweepDir)
    {
        string path = Path.Combine(sweepDir, FileName);
        if (!File.Exists(path)) return [];
        using var csv = CsvFiles.Open(path);
        var rows = new List<BaselineRow>();
        int[]? index = null;
        while (CsvFiles.Read(csv, path))
        {
            if (index is null)
            {
                var header = csv.Headers.ToList();
                index = Columns.Select(c => header.IndexOf(c) is int i and >= 0 ? i : throw new DataFormatException(path, $"missing column '{c}'", 1)).ToArray();
            }
            CsvFiles.CheckWidth(csv, path, csv.Headers.Count);
            int line = (int)csv.LineNumber;
            var reader = csv;
            string Text(int column) => reader.GetString(index[column]);
            double Real(int column) => double.TryParse(Text(column), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
                : throw new DataFormatException(path, $"column '{Columns[column]}': '{Text(column)}' is not a number", line);
            long Whole(int column) => long.TryParse(Text(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
                : throw new DataFormatException(path, $"column '{Columns[column]}': '{Text(column)}' is not an integer", line);
            rows.Add(new BaselineRow(Text(0), (int)Whole(1), Whole(2), Real(3), Real(4), Real(5), Real(6), Text(7)));
        }
        return rows;
    }

    /// <summary>Writes DIR/baselines.csv atomically (whole or absent).</summary>
    public static void Write(string sweepDir, IEnumerable<BaselineRow> rows)
    {
        static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var writer = CsvWriter.Create(buffer, CsvOptions, leaveOpen: true))
        {
            writer.WriteRecord(Columns);
            foreach (var r in rows)
                writer.WriteRecord([r.Baseline, r.Classes.ToString(CultureInfo.InvariantCulture), r.Seed.ToString(CultureInfo.InvariantCulture),
                    R(r.Accuracy), R(r.SplitRatio), R(r.SmallestClassFraction), R(r.WallSeconds), r.Command]);
        }
        AtomicFile.WriteAllBytes(Path.Combine(sweepDir, FileName), buffer.ToArray());
    }
}
