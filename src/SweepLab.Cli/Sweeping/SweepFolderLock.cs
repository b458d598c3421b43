using System.Globalization;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// One sweep folder, one writer at a time. A local <c>sweeplab run</c> holds DIR/.sweeplab.lock exclusively while it
/// writes (two runs on one folder computed every run twice, and the second one's clean-up deleted the first one's
/// temporaries); SLURM workers of one submission share it, because they split the runs between them by task and each
/// writes its own journal. A second writer is refused at once with exit 2, naming the holder; nothing is written.
/// The lock is an OS file lock (flock, which Linux NFS maps to POSIX locks), so a crashed holder never leaves it held.
/// </summary>
internal sealed class SweepFolderLock : IDisposable
{
    public const string FileName = ".sweeplab.lock";

    private readonly FileStream _stream;

    private SweepFolderLock(FileStream stream) => _stream = stream;

    /// <param name="shared">True for SLURM workers (any number at once); false for a local run (alone).</param>
    public static SweepFolderLock Acquire(string folder, bool shared)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        FileStream stream;
        try
        {
            // .NET takes flock(LOCK_EX) for FileShare.None and flock(LOCK_SH) otherwise, without waiting.
            stream = shared
                ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (!DiskSpace.IsFull(e))
        {
            throw new UserInputException($"{folder}: in use by another sweeplab process ({Holder(path)}); wait for it to end, or give another --out");
        }
        if (!shared)
        {
            // The lock file itself cannot be read by others while it is held, so the holder is named next to it.
            File.WriteAllText(path + OwnerSuffix, string.Create(CultureInfo.InvariantCulture,
                $"sweeplab run, pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}\n"));
        }
        return new SweepFolderLock(stream);
    }

    private const string OwnerSuffix = ".owner";

    private static string Holder(string path)
    {
        try
        {
            string? line = File.Exists(path + OwnerSuffix) ? File.ReadLines(path + OwnerSuffix).FirstOrDefault() : null;
            return string.IsNullOrWhiteSpace(line) ? "SLURM workers or a run" : line.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "holder unknown";
        }
    }

    public void Dispose() => _stream.Dispose();
}
