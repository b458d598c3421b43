namespace SweepLab.Formats;

/// <summary>
/// One particle image: a section of an MRC stack. RELION writes "000123@Extract/job007/stack.mrcs" with a 1-based
/// index; SweepLab stores <see cref="Index"/> 0-based. A name without "@" means the whole file (one image).
/// </summary>
public readonly record struct ImageReference(int Index, string Path, bool HasIndex = true)
{
    /// <summary>Parses RELION's "index@path"; <paramref name="sourceFile"/> and <paramref name="lineNumber"/> only
    /// feed the error message.</summary>
    public static ImageReference Parse(string text, string? sourceFile = null, int? lineNumber = null, long? particleIndex = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string where = sourceFile ?? "<image name>";
        int at = text.IndexOf('@');
        if (at < 0)
        {
            if (text.Length == 0) throw new DataFormatException(where, "empty image name", lineNumber, particleIndex);
            return new ImageReference(0, text, HasIndex: false);
        }
        var number = text.AsSpan(0, at);
        string path = text[(at + 1)..];
        if (!int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int oneBased) || oneBased < 1)
            throw new DataFormatException(where, $"image name '{text}': '{number}' is not a 1-based image number", lineNumber, particleIndex);
        if (path.Length == 0)
            throw new DataFormatException(where, $"image name '{text}' has no file after '@'", lineNumber, particleIndex);
        return new ImageReference(oneBased - 1, path);
    }

    /// <summary>RELION's spelling: six-digit 1-based index, '@', path.</summary>
    public override string ToString() =>
        HasIndex ? $"{(Index + 1).ToString("D6", System.Globalization.CultureInfo.InvariantCulture)}@{Path}" : Path;

    /// <summary>
    /// Finds the image file. RELION resolves relative names against its project directory (the working directory
    /// it runs in); users also move STAR files next to their stacks. So: absolute paths as they are, then the folder
    /// of the metadata file, then <paramref name="projectDirectory"/> (the working directory when null).
    /// </summary>
    public string Resolve(string metadataFilePath, string? projectDirectory = null) =>
        ResolveAmong(metadataFilePath, [projectDirectory ?? Directory.GetCurrentDirectory()]);

    /// <summary>Looks in the metadata file's folder, then each of <paramref name="directories"/> in order.</summary>
    internal string ResolveAmong(string metadataFilePath, IEnumerable<string> directories)
    {
        if (System.IO.Path.IsPathRooted(Path))
        {
            if (File.Exists(Path)) return Path;
            throw new DataFormatException(metadataFilePath, $"image file '{Path}' not found");
        }
        string metadataFolder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(metadataFilePath)) ?? ".";
        var tried = new List<string> { metadataFolder };
        string candidate = System.IO.Path.Combine(metadataFolder, Path);
        if (File.Exists(candidate)) return candidate;
        foreach (var d in directories)
        {
            string folder = System.IO.Path.GetFullPath(d);
            candidate = System.IO.Path.Combine(folder, Path);
            if (File.Exists(candidate)) return candidate;
            tried.Add(folder);
        }
        throw new DataFormatException(metadataFilePath,
            $"image file '{Path}' not found; looked in {string.Join(", ", tried.Distinct().Select(t => $"'{t}'"))}");
    }
}
