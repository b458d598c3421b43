using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SweepLab.Formats.Mrc;

/// <summary>
/// An open MRC stack read one section at a time: the file stays open, each read is a positioned read (no shared
/// file pointer, so several threads may read sections at once), and the stack is never loaded whole.
/// </summary>
public sealed class MrcStackReader : IDisposable
{
    private readonly SafeFileHandle _handle;

    public string Path { get; }
    public MrcHeader Header { get; }

    /// <summary>Number of sections (images).</summary>
    public int Count => Header.Nz;

    /// <summary>Floats in one section: NX * NY.</summary>
    public int SectionLength => (int)Header.SectionLength;

    private MrcStackReader(string path, SafeFileHandle handle, MrcHeader header)
    {
        Path = path;
        _handle = handle;
        Header = header;
    }

    public static MrcStackReader Open(string path)
    {
        var handle = MrcFile.OpenForRead(path);
        try
        {
            var header = MrcFile.ReadHeader(handle, path);
            if (header.MapC != 1 || header.MapR != 2 || header.MapS != 3)
                throw new DataFormatException(path,
                    $"axis order MAPC/MAPR/MAPS = {header.MapC} {header.MapR} {header.MapS}; SweepLab reads only 1 2 3 (x fastest)");
            if (header.SectionLength > Array.MaxLength / 4)
                throw new DataFormatException(path, $"sections of {header.Nx} x {header.Ny} are too large");
            return new MrcStackReader(path, handle, header);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads section <paramref name="index"/> (0-based) into <paramref name="destination"/> (NX * NY floats)
    /// and checks every value is finite.</summary>
    public void ReadSection(int index, Span<float> destination)
    {
        if (index < 0 || index >= Header.Nz)
            throw DataFormatException.ForSection(Path, index, $"index past the end of the stack ({Header.Nz} sections)");
        if (destination.Length != SectionLength)
            throw new ArgumentException($"destination holds {destination.Length} floats; a section has {SectionLength}", nameof(destination));
        long offset = Header.DataOffset + index * Header.SectionBytes;
        if (Header.Mode == MrcMode.Float32 && BitConverter.IsLittleEndian)
        {
            MrcFile.ReadExactly(_handle, MemoryMarshal.AsBytes(destination), offset, Path);
        }
        else
        {
            byte[] buffer = MrcFile.RentBuffer(Header.SectionBytes);
            try
            {
                var bytes = buffer.AsSpan(0, (int)Header.SectionBytes);
                MrcFile.ReadExactly(_handle, bytes, offset, Path);
                MrcFile.Decode(bytes, Header.Mode, destination);
            }
            finally
            {
                MrcFile.ReturnBuffer(buffer);
            }
        }
        for (int i = 0; i < destination.Length; i++)
        {
            if (!float.IsFinite(destination[i]))
                throw DataFormatException.ForSection(Path, index,
                    $"pixel ({i % Header.Nx}, {i / Header.Nx}) is {destination[i]}; every pixel must be finite");
        }
    }

    public void Dispose() => _handle.Dispose();
}
