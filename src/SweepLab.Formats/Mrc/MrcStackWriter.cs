using SweepLab.Core.IO;
namespace SweepLab.Formats.Mrc;

/// <summary>
/// Writes an MRC image stack one section at a time (for simulated datasets larger than memory). Sections go to a
/// temporary file; <see cref="Complete"/> writes the header with the final statistics and renames it into place.
/// Disposing without completing deletes the temporary and leaves any earlier file at the path untouched.
/// </summary>
public sealed class MrcStackWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly FileStream _stream;
    private readonly int _nx, _ny;
    private readonly double _pixelSizeAngstrom;
    private readonly MrcMode _mode;
    private readonly byte[] _buffer;
    private MrcStatistics _stats;
    private bool _done;

    public int Count { get; private set; }

    public MrcStackWriter(string path, int nx, int ny, double pixelSizeAngstrom, MrcMode mode = MrcMode.Float32)
    {
        MrcFile.ValidateWriteArguments(nx, ny, 1, pixelSizeAngstrom, mode);
        _path = path;
        _nx = nx;
        _ny = ny;
        _pixelSizeAngstrom = pixelSizeAngstrom;
        _mode = mode;
        _buffer = new byte[(long)nx * ny * MrcHeader.BytesPerVoxelOf(mode)];
        (_tempPath, _stream) = AtomicFile.Begin(path);
        _stream.Write(new byte[MrcHeader.HeaderBytes]);
    }

    /// <summary>Appends one section of NX * NY finite floats.</summary>
    public void Append(ReadOnlySpan<float> section)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (section.Length != _nx * _ny)
            throw new ArgumentException($"section holds {section.Length} values; {_nx} x {_ny} expected", nameof(section));
        MrcFile.Encode(section, _mode, _buffer, ref _stats, (long)Count * section.Length);
        _stream.Write(_buffer);
        Count++;
    }

    /// <summary>Writes the header and moves the stack to its path.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (Count == 0) throw new InvalidOperationException($"{_path}: a stack needs at least one section");
        var header = MrcFile.BuildHeader(_nx, _ny, Count, _pixelSizeAngstrom, isStack: true, _mode, _stats);
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _done = true;
        try
        {
            File.Move(_tempPath, Path.GetFullPath(_path), overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(_tempPath);
            throw;
        }
    }

    public void Dispose()
    {
        if (_done) return;
        _done = true;
        _stream.Dispose();
        AtomicFile.TryDelete(_tempPath);
    }
}
