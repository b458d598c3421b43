namespace SweepLab.Formats;

/// <summary>
/// The one exception every reader in SweepLab.Formats throws for bad input, so a user always learns which file,
/// and where in it, is at fault (a line of a STAR file, a particle of a .cs file, a section of an MRC stack).
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>The file that could not be read (or written), as the caller named it.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number in a text file, when the problem sits on one line.</summary>
    public int? LineNumber { get; }

    /// <summary>0-based particle (row of a table, section of a stack) the problem belongs to, when known.</summary>
    public long? ParticleIndex { get; }

    public DataFormatException(string filePath, string problem, int? lineNumber = null, long? particleIndex = null,
        Exception? innerException = null)
        : base(Compose(filePath, problem, lineNumber, particleIndex, "particle"), innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        ParticleIndex = particleIndex;
    }

    private DataFormatException(string filePath, string problem, long section, string indexLabel)
        : base(Compose(filePath, problem, null, section, indexLabel))
    {
        FilePath = filePath;
        ParticleIndex = section;
    }

    /// <summary>A problem in one section (image) of an MRC stack; the message says "section" rather than "particle".</summary>
    internal static DataFormatException ForSection(string filePath, long section, string problem) =>
        new(filePath, problem, section, "section");

    private static string Compose(string filePath, string problem, int? lineNumber, long? index, string indexLabel)
    {
        string where = filePath;
        if (lineNumber is int line) where += $", line {line}";
        if (index is long i) where += $", {indexLabel} {i} (0-based)";
        return $"{where}: {problem}";
    }
}
