using SweepLab.Core.IO;
using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace SweepLab.Formats.Mrc;

/// <summary>
/// MRC2014 volumes and image stacks, little-endian only. Reads modes 0, 1, 2, 6 and 12 as float32 and checks every
/// voxel is finite (a NaN in one particle would otherwise poison every class average); writes mode 2 (or 12)
/// atomically with a complete header (statistics, MAP, machine stamp 0x44 0x44, axis order 1 2 3).
/// </summary>
public static class MrcFile
{
    /// <summary>Reads and validates the header against the file's length.</summary>
    public static MrcHeader ReadHeader(string path)
    {
        using var handle = OpenForRead(path);
        return ReadHeader(handle, path);
    }

    /// <summary>Reads a whole file (volume or stack) as float32, z-major (x fastest).</summary>
    public static (MrcHeader Header, float[] Data) ReadVolume(string path)
    {
        using var reader = MrcStackReader.Open(path);
        var header = reader.Header;
        long total = header.SectionLength * header.Nz;
        if (total > Array.MaxLength)
            throw new DataFormatException(path, $"{header.Nx} x {header.Ny} x {header.Nz} voxels do not fit in one array; read it section by section");
        var data = new float[total];
        int section = (int)header.SectionLength;
        for (int z = 0; z < header.Nz; z++) reader.ReadSection(z, data.AsSpan(z * section, section));
        return (header, data);
    }

    /// <summary>Reads one section (0-based) of a stack, opening and closing the file; prefer an open
    /// <see cref="MrcStackReader"/> when reading many.</summary>
    public static void ReadSection(string path, int index, Span<float> destination)
    {
        using var reader = MrcStackReader.Open(path);
        reader.ReadSection(index, destination);
    }

    /// <summary>Reads one section (0-based) through an open reader.</summary>
    public static void ReadSection(MrcStackReader reader, int index, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(reader);
        reader.ReadSection(index, destination);
    }

    /// <summary>
    /// Writes a volume (<paramref name="isStack"/> false: space group 1, MZ = NZ) or an image stack (space group 0,
    /// MZ = 1 as MRC2014 asks) through a temporary file renamed over <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<float> data, int nx, int ny, int nz, double pixelSizeAngstrom,
        bool isStack, MrcMode mode = MrcMode.Float32)
    {
        ValidateWriteArguments(nx, ny, nz, pixelSizeAngstrom, mode);
        if (data.Length != (long)nx * ny * nz)
            throw new ArgumentException($"data holds {data.Length} values; {nx} x {ny} x {nz} = {(long)nx * ny * nz} expected", nameof(data));
        var stats = new MrcStatistics();
        var encoded = new byte[(long)data.Length * MrcHeader.BytesPerVoxelOf(mode)];
        Encode(data, mode, encoded, ref stats, 0);
        var header = BuildHeader(nx, ny, nz, pixelSizeAngstrom, isStack, mode, stats);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(encoded);
        });
    }

    internal static void ValidateWriteArguments(int nx, int ny, int nz, double pixelSizeAngstrom, MrcMode mode)
    {
        if (nx <= 0 || ny <= 0 || nz <= 0)
            throw new ArgumentOutOfRangeException(nameof(nx), $"dimensions must be positive, got {nx} x {ny} x {nz}");
        if (!(pixelSizeAngstrom > 0) || !double.IsFinite(pixelSizeAngstrom))
            throw new ArgumentOutOfRangeException(nameof(pixelSizeAngstrom), pixelSizeAngstrom, "pixel size must be a positive number of Angstrom");
        if (mode is not (MrcMode.Float32 or MrcMode.Float16))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "SweepLab writes mode 2 (float32) or 12 (float16)");
    }

    /// <summary>Converts floats to the file's bytes and accumulates statistics of the values as stored.</summary>
    internal static void Encode(ReadOnlySpan<float> values, MrcMode mode, Span<byte> destination, ref MrcStatistics stats, long firstIndex)
    {
        if (mode == MrcMode.Float32)
        {
            for (int i = 0; i < values.Length; i++)
            {
                float v = values[i];
                if (!float.IsFinite(v))
                    throw new ArgumentException($"value {firstIndex + i} is {v}; MRC output must be finite", nameof(values));
                stats.Add(v);
            }
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(destination);
            else
                for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], values[i]);
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                float v = values[i];
                var h = (Half)v;
                if (!Half.IsFinite(h))
                    throw new ArgumentException($"value {firstIndex + i} is {v}, outside the float16 range (|v| <= 65504) or not finite", nameof(values));
                stats.Add((float)h);
                BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], BitConverter.HalfToUInt16Bits(h));
            }
        }
    }

    internal static byte[] BuildHeader(int nx, int ny, int nz, double pixelSizeAngstrom, bool isStack, MrcMode mode, MrcStatistics stats)
    {
        var h = new byte[MrcHeader.HeaderBytes];
        var s = h.AsSpan();
        int mz = isStack ? 1 : nz;
        WriteInt(s, 0, nx); WriteInt(s, 1, ny); WriteInt(s, 2, nz);
        WriteInt(s, 3, (int)mode);
        // NXSTART, NYSTART, NZSTART stay 0.
        WriteInt(s, 7, nx); WriteInt(s, 8, ny); WriteInt(s, 9, mz);
        WriteFloat(s, 10, (float)(nx * pixelSizeAngstrom));
        WriteFloat(s, 11, (float)(ny * pixelSizeAngstrom));
        WriteFloat(s, 12, (float)(mz * pixelSizeAngstrom));
        WriteFloat(s, 13, 90f); WriteFloat(s, 14, 90f); WriteFloat(s, 15, 90f);
        WriteInt(s, 16, 1); WriteInt(s, 17, 2); WriteInt(s, 18, 3);
        WriteFloat(s, 19, stats.Minimum);
        WriteFloat(s, 20, stats.Maximum);
        WriteFloat(s, 21, (float)stats.Mean);
        WriteInt(s, 22, isStack ? 0 : 1);
        WriteInt(s, 23, 0); // NSYMBT: no extended header
        WriteInt(s, 27, 0); // EXTTYP empty
        WriteInt(s, 28, 20140); // NVERSION
        // ORIGIN (words 50-52) stays 0.
        "MAP "u8.CopyTo(s[208..]);
        s[212] = 0x44; s[213] = 0x44; // little-endian machine stamp
        WriteFloat(s, 54, (float)stats.Rms);
        WriteInt(s, 55, 1);
        Encoding.ASCII.GetBytes("SweepLab").CopyTo(s[224..]);
        return h;
    }

    private static void WriteInt(Span<byte> header, int word, int value) =>
        BinaryPrimitives.WriteInt32LittleEndian(header[(4 * word)..], value);

    private static void WriteFloat(Span<byte> header, int word, float value) =>
        BinaryPrimitives.WriteSingleLittleEndian(header[(4 * word)..], value);

    internal static Microsoft.Win32.SafeHandles.SafeFileHandle OpenForRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, "file not found", innerException: e);
        }
    }

    internal static MrcHeader ReadHeader(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path)
    {
        long length = RandomAccess.GetLength(handle);
        if (length < MrcHeader.HeaderBytes)
            throw new DataFormatException(path, $"truncated: {length} bytes, shorter than the 1024-byte MRC header");
        var h = new byte[MrcHeader.HeaderBytes];
        ReadExactly(handle, h, 0, path);

        if (h[212] == 0x11 && h[213] == 0x11)
            throw new DataFormatException(path, "big-endian MRC file (machine stamp 0x11 0x11); convert it to little-endian first");
        int Int(int word) => BinaryPrimitives.ReadInt32LittleEndian(h.AsSpan(4 * word));
        float Float(int word) => BinaryPrimitives.ReadSingleLittleEndian(h.AsSpan(4 * word));

        int nx = Int(0), ny = Int(1), nz = Int(2), modeValue = Int(3);
        if (nx <= 0 || ny <= 0 || nz <= 0)
            throw new DataFormatException(path, $"header dimensions {nx} x {ny} x {nz} are not positive (not an MRC file, or big-endian)");
        if (!Enum.IsDefined(typeof(MrcMode), modeValue))
            throw new DataFormatException(path, $"unknown or unsupported MRC mode {modeValue} (SweepLab reads modes 0, 1, 2, 6, 12)");
        int nsymbt = Int(23);
        if (nsymbt < 0)
            throw new DataFormatException(path, $"negative extended header size NSYMBT = {nsymbt}");
        int nlabl = Math.Clamp(Int(55), 0, 10);
        var labels = new string[nlabl];
        for (int i = 0; i < nlabl; i++)
            labels[i] = Encoding.ASCII.GetString(h, 224 + 80 * i, 80).TrimEnd('\0', ' ');

        var header = new MrcHeader(
            nx, ny, nz, (MrcMode)modeValue,
            Int(4), Int(5), Int(6),
            Int(7), Int(8), Int(9),
            Float(10), Float(11), Float(12),
            Int(16), Int(17), Int(18),
            Float(19), Float(20), Float(21), Float(54),
            Int(22), nsymbt,
            Encoding.ASCII.GetString(h, 104, 4).TrimEnd('\0', ' '),
            Int(28),
            Float(49), Float(50), Float(51),
            labels);

        long expected = header.ExpectedFileLength;
        if (length < expected)
            throw new DataFormatException(path,
                $"truncated: the header ({nx} x {ny} x {nz}, mode {modeValue}, {nsymbt}-byte extended header) needs {expected} bytes, the file has {length}");
        if (length > expected)
            throw new DataFormatException(path,
                $"the header ({nx} x {ny} x {nz}, mode {modeValue}, {nsymbt}-byte extended header) accounts for {expected} bytes, the file has {length}");
        return header;
    }

    internal static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (n == 0)
                throw new DataFormatException(path, $"truncated: expected {buffer.Length} bytes at offset {offset}, the file ended after {done}");
            done += n;
        }
    }

    /// <summary>Converts one section's bytes to float32 in place order (x fastest).</summary>
    internal static void Decode(ReadOnlySpan<byte> source, MrcMode mode, Span<float> destination)
    {
        switch (mode)
        {
            case MrcMode.Float32:
                if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                else for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                break;
            case MrcMode.Int8:
                for (int i = 0; i < destination.Length; i++) destination[i] = (sbyte)source[i];
                break;
            case MrcMode.Int16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]);
                break;
            case MrcMode.UInt16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]);
                break;
            case MrcMode.Float16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unsupported MRC mode");
        }
    }

    internal static byte[] RentBuffer(long bytes) => ArrayPool<byte>.Shared.Rent(checked((int)bytes));

    internal static void ReturnBuffer(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}

/// <summary>Running min / max / mean / RMS deviation of the values written, in a fixed order (deterministic).</summary>
internal struct MrcStatistics
{
    private long _count;
    private double _sum, _sumSquares;
    public float Minimum { get; private set; }
    public float Maximum { get; private set; }

    public void Add(float v)
    {
        if (_count == 0) { Minimum = v; Maximum = v; }
        else
        {
            if (v < Minimum) Minimum = v;
            if (v > Maximum) Maximum = v;
        }
        _count++;
        _sum += v;
        _sumSquares += (double)v * v;
    }

    public readonly double Mean => _count == 0 ? 0 : _sum / _count;

    /// <summary>MRC2014's RMS: deviation from the mean.</summary>
    public readonly double Rms => _count == 0 ? 0 : Math.Sqrt(Math.Max(0, _sumSquares / _count - Mean * Mean));
}
