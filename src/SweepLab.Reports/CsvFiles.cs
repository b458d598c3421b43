using CsvHelper;
using SweepLab.Formats;

namespace SweepLab.Reports;

/// <summary>
/// How the report reads a sweep folder's CSV tables: lines counted, broken quoting refused rather than silently
/// repaired, and every problem raised as a <see cref="DataFormatException"/> naming the file and line.
/// </summary>
internal static class CsvFiles
{
    private static readonly CsvReaderOptions Options = CsvReaderOptions.Default with
    {
        TrackLineNumbers = true, MalformedData = CsvMalformedDataHandling.Throw,
    };

    public static CsvReader Open(string path) => CsvReader.FromFile(path, Options);

    /// <summary><see cref="CsvReader.Read"/>, with malformed input reported against the file and line.</summary>
    public static bool Read(CsvReader csv, string path)
    {
        try
        {
            return csv.Read();
        }
        catch (CsvFormatException e)
        {
            throw new DataFormatException(path, $"malformed CSV: {e.Message}", e.LineNumber > 0 ? (int)e.LineNumber : null, innerException: e);
        }
    }

    /// <summary>Refuses a record whose width differs from the header's (a short record would read as empty cells).</summary>
    public static void CheckWidth(CsvReader csv, string path, int headerCount)
    {
        if (csv.FieldCount != headerCount)
            throw new DataFormatException(path, $"{csv.FieldCount} fields, header has {headerCount}", (int)csv.LineNumber);
    }
}
