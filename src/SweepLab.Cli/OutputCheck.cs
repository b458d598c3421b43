namespace SweepLab.Cli;

/// <summary>
/// Checks that an output folder can be written before any work: a path naming an existing file, or a folder (or its
/// nearest existing parent) that refuses a new file, was found only after a whole classification. Creates nothing:
/// a probe file is made and removed in the nearest existing folder.
/// </summary>
internal static class OutputCheck
{
    public static void EnsureWritable(string path, string label)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full)) throw new UserInputException($"{label} {path}: is a file, not a folder");
        string? existing = full;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) throw new UserInputException($"{label} {path}: {existing} is a file, not a folder");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null) throw new UserInputException($"{label} {path}: no existing parent folder");
        string probe = Path.Combine(existing, $".sweeplab-write-check-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (e is IOException io && DiskSpace.IsFull(io)) throw new UserInputException($"{label} {path}: no space left on device in {existing}");
            throw new UserInputException($"{label} {path}: cannot write in {existing} ({e.Message})");
        }
        DiskSpace.OutputFolder = full;
    }
}
