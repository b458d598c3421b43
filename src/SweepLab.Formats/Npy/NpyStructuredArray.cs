using SweepLab.Core.IO;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SweepLab.Formats.Npy;

/// <summary>
/// One field of a structured dtype: a name, an element type (NumPy kind 'b', 'i', 'u', 'f', 'S', 'U' or 'V' and
/// its size in bytes), an optional sub-array shape, and the byte offset inside a record.
/// </summary>
public sealed record NpyField(string Name, char Kind, int ElementSize, IReadOnlyList<int> Shape, int Offset)
{
    /// <summary>Elements per record: the product of <see cref="Shape"/> (1 for a scalar field).</summary>
    public int ElementCount => Shape.Aggregate(1, (a, b) => a * b);

    public int Size => ElementSize * ElementCount;

    /// <summary>NumPy's type string ('&lt;f4', '|S64', '&lt;U8', ...), as written into a header.</summary>
    public string TypeString => Kind switch
    {
        'U' => $"<U{ElementSize / 4}",
        'S' or 'V' or 'b' => $"|{Kind}{ElementSize}",
        _ => ElementSize == 1 ? $"|{Kind}1" : $"<{Kind}{ElementSize}",
    };
}

/// <summary>A field to create with <see cref="NpyStructuredArray.Create"/>: name, NumPy type string, optional shape.</summary>
public sealed record NpyFieldSpec(string Name, string TypeString, params int[] Shape);

/// <summary>
/// A 1-D NumPy structured array (.npy, format versions 1-3, C order, little-endian), the layout of cryoSPARC's .cs
/// files: records of packed fields, strings as fixed-length bytes ('S'). Object fields ('O', pickled Python) and
/// big-endian types are refused with a <see cref="DataFormatException"/>.
/// </summary>
public sealed class NpyStructuredArray
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private readonly byte[] _data;
    private readonly Dictionary<string, NpyField> _byName = new(StringComparer.Ordinal);

    /// <summary>The file it was read from, or "&lt;new array&gt;"; errors name it.</summary>
    public string Path { get; }
    public IReadOnlyList<NpyField> Fields { get; }
    public int Count { get; }
    public int ItemSize { get; }

    private NpyStructuredArray(string path, IReadOnlyList<NpyField> fields, int count, int itemSize, byte[] data)
    {
        Path = path;
        Fields = fields;
        Count = count;
        ItemSize = itemSize;
        _data = data;
        foreach (var f in fields)
            if (f.Name.Length > 0 && !_byName.TryAdd(f.Name, f))
                throw new DataFormatException(path, $"field '{f.Name}' appears twice in the dtype");
    }

    public bool HasField(string name) => _byName.ContainsKey(name);

    public NpyField? FindField(string name) => _byName.GetValueOrDefault(name);

    public NpyField Field(string name) =>
        _byName.TryGetValue(name, out var f) ? f : throw new DataFormatException(Path, $"no field '{name}'");

    /// <summary>A new zero-filled array, to be filled with the setters and written with <see cref="Write"/>.</summary>
    public static NpyStructuredArray Create(IReadOnlyList<NpyFieldSpec> fields, int count)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        const string path = "<new array>";
        var list = new List<NpyField>();
        int offset = 0;
        foreach (var spec in fields)
        {
            if (spec.Name.Any(c => c > 126 || c < 32 || c == '\'' || c == '\\'))
                throw new ArgumentException($"field name '{spec.Name}' must be printable ASCII without quotes or backslashes", nameof(fields));
            var (kind, size) = ParseType(spec.TypeString, path, spec.Name);
            if (spec.Shape.Any(s => s <= 0)) throw new ArgumentException($"field '{spec.Name}' has a non-positive dimension", nameof(fields));
            var field = new NpyField(spec.Name, kind, size, spec.Shape.ToArray(), offset);
            list.Add(field);
            offset += field.Size;
        }
        if ((long)offset * count > Array.MaxLength) throw new ArgumentException($"{count} records of {offset} bytes do not fit in one array");
        return new NpyStructuredArray(path, list, count, offset, new byte[(long)offset * count]);
    }

    /// <summary>
    /// A copy with <paramref name="added"/> appended (a field of the same name is replaced) and every other field's
    /// bytes kept as they are: uids and fields SweepLab does not know survive, so cryoSPARC can join the result back.
    /// </summary>
    public NpyStructuredArray WithFields(IReadOnlyList<NpyFieldSpec> added)
    {
        ArgumentNullException.ThrowIfNull(added);
        var replaced = added.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var kept = Fields.Where(f => !replaced.Contains(f.Name)).ToList();
        var copy = Create([.. kept.Select(f => new NpyFieldSpec(f.Name, f.TypeString, [.. f.Shape])), .. added], Count);
        for (int row = 0; row < Count; row++)
            for (int i = 0; i < kept.Count; i++)
                _data.AsSpan(row * ItemSize + kept[i].Offset, kept[i].Size).CopyTo(copy._data.AsSpan(row * copy.ItemSize + copy.Fields[i].Offset));
        return copy;
    }

    public static NpyStructuredArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, "file not found", innerException: e);
        }
        using (handle)
        {
            long length = RandomAccess.GetLength(handle);
            var prefix = new byte[12];
            int got = ReadAt(handle, prefix, 0);
            if (got >= 6 && prefix[0] == 0x94 && Encoding.ASCII.GetString(prefix, 1, 5) == "CSDAT")
                throw new DataFormatException(path,
                    "a compressed cryoSPARC dataset (CSDAT), not a NumPy .cs file; save it in NumPy format with cryosparc-tools");
            if (got < 10 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
                throw new DataFormatException(path, "not a NumPy .npy/.cs file (the magic bytes \\x93NUMPY are missing)");
            int major = prefix[6];
            if (major is < 1 or > 3)
                throw new DataFormatException(path, $"NumPy format version {major}.{prefix[7]} is not supported (1, 2 and 3 are)");
            long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8));
            int prefixLength = major == 1 ? 10 : 12;
            if (prefixLength + headerLength > length)
                throw new DataFormatException(path, $"truncated: the header claims {headerLength} bytes, the file has {length}");
            var headerBytes = new byte[headerLength];
            ReadAt(handle, headerBytes, prefixLength);
            string header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
            var (fields, count, itemSize) = ParseHeader(header, path);
            long dataOffset = prefixLength + headerLength;
            long expected = dataOffset + (long)count * itemSize;
            if (length < expected)
                throw new DataFormatException(path, $"truncated: {count} records of {itemSize} bytes need {expected} bytes, the file has {length}");
            if (length > expected)
                throw new DataFormatException(path, $"{length - expected} bytes after the last of {count} records of {itemSize} bytes");
            if ((long)count * itemSize > Array.MaxLength)
                throw new DataFormatException(path, $"{count} records of {itemSize} bytes are too large to load");
            var data = new byte[(long)count * itemSize];
            if (ReadAt(handle, data, dataOffset) != data.Length)
                throw new DataFormatException(path, "truncated while reading the records");
            return new NpyStructuredArray(path, fields, count, itemSize, data);
        }
    }

    private static int ReadAt(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] buffer, long offset)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer.AsSpan(done), offset + done);
            if (n == 0) break;
            done += n;
        }
        return done;
    }

    private static (List<NpyField> Fields, int Count, int ItemSize) ParseHeader(string header, string path)
    {
        if (PythonLiteral.Parse(header.TrimEnd('\n', ' ', '\0'), path) is not Dictionary<string, object> dict)
            throw new DataFormatException(path, "NumPy header is not a dict");
        if (!dict.TryGetValue("descr", out var descr) || !dict.TryGetValue("shape", out var shapeValue))
            throw new DataFormatException(path, "NumPy header lacks 'descr' or 'shape'");
        if (descr is not List<object> entries)
            throw new DataFormatException(path, $"dtype '{descr}' is not a structured array (expected a list of named fields)");
        if (shapeValue is not List<object> shape || shape.Count != 1 || shape[0] is not long count || count < 0 || count > int.MaxValue)
            throw new DataFormatException(path, "only 1-D arrays (shape (N,)) are supported");
        if (dict.TryGetValue("fortran_order", out var fo) && fo is not bool)
            throw new DataFormatException(path, "NumPy header 'fortran_order' is not a boolean");
        // With a 1-D shape, Fortran and C order store the records identically.

        var fields = new List<NpyField>();
        int offset = 0;
        foreach (var entry in entries)
        {
            if (entry is not List<object> tuple || tuple.Count is < 2 or > 3)
                throw new DataFormatException(path, "dtype entry is not a (name, type[, shape]) tuple");
            if (tuple[0] is not string name)
                throw new DataFormatException(path, "dtype field name is not a string (titled fields are not supported)");
            if (tuple[1] is not string type)
                throw new DataFormatException(path, $"field '{name}' has a nested structured type, which is not supported");
            var (kind, size) = ParseType(type, path, name);
            var dims = new List<int>();
            if (tuple.Count == 3)
            {
                var s = tuple[2] switch
                {
                    List<object> l => l,
                    long single => [single],
                    _ => throw new DataFormatException(path, $"field '{name}' has an unreadable shape"),
                };
                foreach (var d in s)
                {
                    if (d is not long v || v <= 0 || v > int.MaxValue)
                        throw new DataFormatException(path, $"field '{name}' has a non-positive or huge dimension");
                    dims.Add((int)v);
                }
            }
            var field = new NpyField(name, kind, size, dims, offset);
            fields.Add(field);
            offset = checked(offset + field.Size);
        }
        return (fields, (int)count, offset);
    }

    private static (char Kind, int Size) ParseType(string type, string path, string field)
    {
        if (type.Length < 2) throw new DataFormatException(path, $"field '{field}': type '{type}' is not a NumPy type string");
        char order = type[0];
        int start = order is '<' or '>' or '|' or '=' ? 1 : 0;
        char kind = type[start];
        if (kind == 'a') kind = 'S';
        if (kind == 'O')
            throw new DataFormatException(path, $"field '{field}' holds Python objects ('{type}'), which cannot be read without unpickling; save strings as fixed-length bytes");
        if (!int.TryParse(type.AsSpan(start + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n <= 0)
            throw new DataFormatException(path, $"field '{field}': type '{type}' is not a NumPy type string");
        int size = kind == 'U' ? checked(4 * n) : n;
        bool ok = kind switch
        {
            'b' => n == 1,
            'i' or 'u' => n is 1 or 2 or 4 or 8,
            'f' => n is 2 or 4 or 8,
            'S' or 'U' or 'V' => true,
            _ => false,
        };
        if (!ok) throw new DataFormatException(path, $"field '{field}': type '{type}' is not supported");
        if (order == '>' && size > 1 && kind is not ('S' or 'V'))
            throw new DataFormatException(path, $"field '{field}' is big-endian ('{type}'); only little-endian is supported");
        return (kind, size);
    }

    private Span<byte> Cell(NpyField f, int row, int element)
    {
        if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(row), row, $"{Path} has {Count} records");
        if ((uint)element >= (uint)f.ElementCount) throw new ArgumentOutOfRangeException(nameof(element), element, $"field '{f.Name}' has {f.ElementCount} elements");
        return _data.AsSpan(row * ItemSize + f.Offset + element * f.ElementSize, f.ElementSize);
    }

    /// <summary>A numeric element as double (element indexes a sub-array field in C order).</summary>
    public double GetDouble(NpyField f, int row, int element = 0)
    {
        var b = Cell(f, row, element);
        return (f.Kind, f.ElementSize) switch
        {
            ('f', 4) => BinaryPrimitives.ReadSingleLittleEndian(b),
            ('f', 8) => BinaryPrimitives.ReadDoubleLittleEndian(b),
            ('f', 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
            ('i', 1) => (sbyte)b[0],
            ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(b),
            ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(b),
            ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(b),
            ('u', 1) or ('b', 1) => b[0],
            ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(b),
            ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(b),
            ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(b),
            _ => throw new DataFormatException(Path, $"field '{f.Name}' ({f.TypeString}) is not numeric"),
        };
    }

    /// <summary>An integer element exactly (double loses uids above 2^53).</summary>
    public ulong GetUInt64(NpyField f, int row, int element = 0)
    {
        var b = Cell(f, row, element);
        return (f.Kind, f.ElementSize) switch
        {
            ('u', 1) or ('b', 1) => b[0],
            ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(b),
            ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(b),
            ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(b),
            ('i', _) => SignedAt(b) is var v && v >= 0 ? (ulong)v
                : throw new DataFormatException(Path, $"field '{f.Name}' holds the negative value {v} where a count or index is expected", particleIndex: row),
            _ => throw new DataFormatException(Path, $"field '{f.Name}' ({f.TypeString}) is not an integer", particleIndex: row),
        };
    }

    private static long SignedAt(ReadOnlySpan<byte> b) => b.Length switch
    {
        1 => (sbyte)b[0],
        2 => BinaryPrimitives.ReadInt16LittleEndian(b),
        4 => BinaryPrimitives.ReadInt32LittleEndian(b),
        _ => BinaryPrimitives.ReadInt64LittleEndian(b),
    };

    /// <summary>A string field: 'S' bytes up to the first NUL as UTF-8, or 'U' UTF-32.</summary>
    public string GetString(NpyField f, int row)
    {
        var b = Cell(f, row, 0);
        if (f.Kind == 'S')
        {
            int end = b.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? b : b[..end]);
        }
        if (f.Kind == 'U')
        {
            int chars = 0;
            while (chars < b.Length / 4 && BinaryPrimitives.ReadUInt32LittleEndian(b[(4 * chars)..]) != 0) chars++;
            return Encoding.UTF32.GetString(b[..(4 * chars)]);
        }
        throw new DataFormatException(Path, $"field '{f.Name}' ({f.TypeString}) is not a string");
    }

    public void SetDouble(NpyField f, int row, double value, int element = 0)
    {
        var b = Cell(f, row, element);
        switch (f.Kind, f.ElementSize)
        {
            case ('f', 4): BinaryPrimitives.WriteSingleLittleEndian(b, (float)value); break;
            case ('f', 8): BinaryPrimitives.WriteDoubleLittleEndian(b, value); break;
            case ('f', 2): BinaryPrimitives.WriteHalfLittleEndian(b, (Half)value); break;
            default:
                if (value != Math.Floor(value)) throw new ArgumentException($"{value} is not an integer for field '{f.Name}'", nameof(value));
                if (f.Kind == 'u' || f.Kind == 'b') SetUInt64(f, row, checked((ulong)value), element);
                else if (f.Kind == 'i') SetInteger(b, checked((long)value), f);
                else throw new ArgumentException($"field '{f.Name}' ({f.TypeString}) is not numeric");
                break;
        }
    }

    private static void SetInteger(Span<byte> b, long v, NpyField f)
    {
        switch (f.ElementSize)
        {
            case 1: b[0] = (byte)checked((sbyte)v); break;
            case 2: BinaryPrimitives.WriteInt16LittleEndian(b, checked((short)v)); break;
            case 4: BinaryPrimitives.WriteInt32LittleEndian(b, checked((int)v)); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(b, v); break;
        }
    }

    public void SetUInt64(NpyField f, int row, ulong value, int element = 0)
    {
        var b = Cell(f, row, element);
        switch (f.Kind, f.ElementSize)
        {
            case ('u', 1) or ('b', 1): b[0] = checked((byte)value); break;
            case ('u', 2): BinaryPrimitives.WriteUInt16LittleEndian(b, checked((ushort)value)); break;
            case ('u', 4): BinaryPrimitives.WriteUInt32LittleEndian(b, checked((uint)value)); break;
            case ('u', 8): BinaryPrimitives.WriteUInt64LittleEndian(b, value); break;
            case ('i', _): SetInteger(b, checked((long)value), f); break;
            default: throw new ArgumentException($"field '{f.Name}' ({f.TypeString}) is not an integer field");
        }
    }

    /// <summary>Stores a string in an 'S' field as UTF-8 (NUL-padded) or in a 'U' field as UTF-32.</summary>
    public void SetString(NpyField f, int row, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var b = Cell(f, row, 0);
        byte[] encoded = f.Kind switch
        {
            'S' => Encoding.UTF8.GetBytes(value),
            'U' => Encoding.UTF32.GetBytes(value),
            _ => throw new ArgumentException($"field '{f.Name}' ({f.TypeString}) is not a string field"),
        };
        if (encoded.Length > b.Length)
            throw new ArgumentException($"'{value}' needs {encoded.Length} bytes; field '{f.Name}' holds {b.Length}", nameof(value));
        b.Clear();
        encoded.CopyTo(b);
    }

    /// <summary>Writes the array as .npy (version 1.0, or 2.0 when the header is long), atomically.</summary>
    public void Write(string path)
    {
        var descr = new StringBuilder("[");
        foreach (var f in Fields)
        {
            descr.Append("('").Append(f.Name).Append("', '").Append(f.TypeString).Append('\'');
            if (f.Shape.Count > 0)
                descr.Append(", (").Append(string.Join(", ", f.Shape.Select(s => s.ToString(CultureInfo.InvariantCulture))))
                    .Append(f.Shape.Count == 1 ? ",)" : ")");
            descr.Append("), ");
        }
        if (Fields.Count > 0) descr.Length -= 2;
        descr.Append(']');
        string dict = $"{{'descr': {descr}, 'fortran_order': False, 'shape': ({Count.ToString(CultureInfo.InvariantCulture)},), }}";
        int major = dict.Length + 1 + 10 <= ushort.MaxValue ? 1 : 2;
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var headerBytes = Encoding.Latin1.GetBytes(header);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.WriteByte((byte)major);
            stream.WriteByte(0);
            Span<byte> len = stackalloc byte[4];
            if (major == 1)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)headerBytes.Length);
                stream.Write(len[..2]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)headerBytes.Length);
                stream.Write(len);
            }
            stream.Write(headerBytes);
            stream.Write(_data);
        });
    }
}
