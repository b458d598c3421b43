using System.Text;

namespace SweepLab.Core.IO;

/// <summary>
/// Whole-file writes a crash cannot leave half-done: the content goes to a temporary file beside the target (so the
/// rename stays on one file system), is flushed to the disk, and is renamed over the target, which readers see either
/// as the old file or the new one. The one durability primitive every layer that writes results uses (formats,
/// sweep store, tables, reports); it knows nothing of what the bytes mean.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8NoBom.GetBytes(text));

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>Writes through <paramref name="write"/> into a temporary file, then replaces <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var section = ExitGate.Enter();
        var (temporary, stream) = Begin(path);
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path.GetFullPath(path), overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>The temporary file for a writer that streams over time (an MRC stack); the caller flushes and renames.</summary>
    /// <summary>
    /// Writes several files as one set: every file goes to a temporary name and is flushed first, and only then are
    /// all renamed into place, so a failure (a full disk) leaves the previous set (or none) and no temporaries.
    /// </summary>
    public static void WriteSet(IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var section = ExitGate.Enter();
        var temporaries = new List<string>(files.Count);
        try
        {
            foreach (var (path, bytes) in files)
            {
                var (temporary, stream) = Begin(path);
                temporaries.Add(temporary);
                using (stream)
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }
            }
        }
        catch
        {
            foreach (string temporary in temporaries) TryDelete(temporary);
            throw;
        }
        for (int i = 0; i < files.Count; i++) File.Move(temporaries[i], Path.GetFullPath(files[i].Path), overwrite: true);
    }

    public static (string TempPath, FileStream Stream) Begin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no folder", nameof(path));
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.tmp-{Guid.NewGuid():N}");
        return (temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16));
    }

    /// <summary>Removes a temporary; failing to is harmless, since the target was never touched.</summary>
    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
