namespace SweepLab.Cli;

/// <summary>A full disk (ENOSPC, EDQUOT) is the user's to fix, not a crash: one line naming the folder and the free
/// space, exit 2; every output is atomic, so what was kept is whole and a rerun after freeing space resumes.</summary>
internal static class DiskSpace
{
    /// <summary>The folder an output goes to; set by commands so the message can name it and its free space.</summary>
    public static string? OutputFolder { get; set; }

    /// <summary>An estimate of the bytes the command still has to write, when it can tell; named in the message.</summary>
    public static Func<long?>? NeededBytes { get; set; }

    private const int ENOSPC = 28;
    private const int EDQUOT = 122;

    public static bool IsFull(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is IOException io && (io.HResult & 0xFFFF) is ENOSPC or EDQUOT) return true;
            if (x.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase) || x.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    public static string Describe(Exception e)
    {
        string where = OutputFolder ?? "the output folder";
        string free = "";
        try
        {
            if (OutputFolder is not null)
            {
                var drive = new DriveInfo(Path.GetFullPath(OutputFolder));
                free = $" ({drive.AvailableFreeSpace / (1 << 20)} MB free of {drive.TotalSize / (1 << 20)} MB)";
            }
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException or ArgumentException) { }
        _ = e;
        string needs = "";
        try
        {
            if (NeededBytes?.Invoke() is long bytes) needs = $", needs ~{Math.Max(1, (bytes + (1 << 20) - 1) >> 20)} MB more";
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException) { }
        return $"{where}: no space left on device{free}{needs}; free some space and run the same command again (what was written is whole and kept)";
    }
}
