using System.Buffers.Binary;
using System.Text;
using SweepLab.Formats.Npy;

namespace SweepLab.Formats.Tests;

public class NpyTests
{
    /// <summary>Writes a .npy file byte by byte as NumPy does (independent of the library's writer).</summary>
    internal static void WriteRaw(string path, string dict, byte[] records, int major = 1, int align = 64)
    {
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + align - 1) / align * align;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var headerBytes = major == 3 ? Encoding.UTF8.GetBytes(header) : Encoding.Latin1.GetBytes(header);
        using var f = File.Create(path);
        f.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var len = new byte[4];
        if (major == 1) { BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)headerBytes.Length); f.Write(len, 0, 2); }
        else { BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)headerBytes.Length); f.Write(len); }
        f.Write(headerBytes);
        f.Write(records);
    }

    private const string Dict =
        "{'descr': [('uid', '<u8'), ('blob/path', '|S8'), ('v', '<f4', (3,)), ('n', '<i4'), ('b', '|u1'), ('d', '<f8'), ('s', '<u2'), ('h', '<f2'), ('', '|V3')], 'fortran_order': False, 'shape': (2,), }";

    private static byte[] Records()
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        for (int i = 0; i < 2; i++)
        {
            w.Write(ulong.MaxValue - (ulong)i);
            var path = new byte[8];
            Encoding.ASCII.GetBytes(i == 0 ? "J1/a.mrc" : "b.mrc").CopyTo(path, 0);
            w.Write(path);
            w.Write(1.5f + i); w.Write(-2.25f); w.Write(1e-3f);
            w.Write(-7 - i);
            w.Write((byte)(200 + i));
            w.Write(Math.PI * (i + 1));
            w.Write((ushort)(60000 + i));
            w.Write((Half)0.375);
            w.Write(new byte[3]);
        }
        return ms.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsHandBuiltStructuredArrays(int major)
    {
        using var dir = new TempDir();
        string path = dir.File("a.npy");
        WriteRaw(path, Dict, Records(), major);
        var a = NpyStructuredArray.Read(path);
        Assert.Equal(2, a.Count);
        Assert.Equal(8 + 8 + 12 + 4 + 1 + 8 + 2 + 2 + 3, a.ItemSize);
        Assert.Equal(ulong.MaxValue - 1, a.GetUInt64(a.Field("uid"), 1));
        Assert.Equal("J1/a.mrc", a.GetString(a.Field("blob/path"), 0));
        Assert.Equal("b.mrc", a.GetString(a.Field("blob/path"), 1));
        var v = a.Field("v");
        Assert.Equal([3], v.Shape);
        Assert.Equal(2.5, a.GetDouble(v, 1, 0));
        Assert.Equal(-2.25, a.GetDouble(v, 1, 1));
        Assert.Equal((double)1e-3f, a.GetDouble(v, 0, 2));
        Assert.Equal(-8, a.GetDouble(a.Field("n"), 1));
        Assert.Equal(201, a.GetDouble(a.Field("b"), 1));
        Assert.Equal(2 * Math.PI, a.GetDouble(a.Field("d"), 1));
        Assert.Equal(60001, a.GetDouble(a.Field("s"), 1));
        Assert.Equal(0.375, a.GetDouble(a.Field("h"), 0));
        Assert.Throws<DataFormatException>(() => a.GetUInt64(a.Field("n"), 0));
        var missing = Assert.Throws<DataFormatException>(() => a.Field("alignments3D/pose"));
        Assert.Contains("alignments3D/pose", missing.Message);
        Assert.Equal(path, missing.FilePath);
    }

    [Fact]
    public void WriteThenReadRoundTripsAndIsByteStable()
    {
        using var dir = new TempDir();
        var a = NpyStructuredArray.Create([new("uid", "<u8"), new("p", "|S12"), new("x", "<f4", 2), new("k", "<u4"), new("u", "<U3")], 3);
        for (int i = 0; i < 3; i++)
        {
            a.SetUInt64(a.Field("uid"), i, 1000UL + (ulong)i);
            a.SetString(a.Field("p"), i, $"stack{i}.mrcs");
            a.SetDouble(a.Field("x"), i, i * 0.5, 0);
            a.SetDouble(a.Field("x"), i, -i, 1);
            a.SetUInt64(a.Field("k"), i, (ulong)(i * 7));
            a.SetString(a.Field("u"), i, "é" + i);
        }
        Assert.Throws<ArgumentException>(() => a.SetString(a.Field("p"), 0, "much-too-long-name.mrcs"));
        string p1 = dir.File("1.npy"), p2 = dir.File("2.npy");
        a.Write(p1);
        var bytes = File.ReadAllBytes(p1);
        Assert.Equal(1, bytes[6]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal((byte)'\n', bytes[10 + headerLength - 1]);
        string header = Encoding.Latin1.GetString(bytes, 10, headerLength);
        Assert.Contains("('x', '<f4', (2,))", header);
        Assert.Contains("'shape': (3,)", header);

        var b = NpyStructuredArray.Read(p1);
        Assert.Equal(a.Fields, b.Fields, (f, g) => f.Name == g.Name && f.TypeString == g.TypeString && f.Shape.SequenceEqual(g.Shape) && f.Offset == g.Offset);
        Assert.Equal("stack2.mrcs", b.GetString(b.Field("p"), 2));
        Assert.Equal("é1", b.GetString(b.Field("u"), 1));
        Assert.Equal(-2, b.GetDouble(b.Field("x"), 2, 1));
        b.Write(p2);
        Assert.Equal(bytes, File.ReadAllBytes(p2));
    }

    public static TheoryData<string, string> BadHeaders => new()
    {
        { "{'descr': [('pose', '|O')], 'fortran_order': False, 'shape': (1,), }", "Python objects" },
        { "{'descr': [('pose', '>f4')], 'fortran_order': False, 'shape': (1,), }", "big-endian" },
        { "{'descr': [('pose', '<f4')], 'fortran_order': False, 'shape': (1, 2), }", "1-D" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "not a structured array" },
        { "{'descr': [('pose', '<c8')], 'fortran_order': False, 'shape': (1,), }", "not supported" },
        { "{'descr': [('a', '<f4'), ('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "appears twice" },
        { "{'descr': [('pose', '<f4'], 'fortran_order': False, 'shape': (1,), }", "NumPy header" },
        { "{'descr': [('pose', [('x', '<f4')])], 'fortran_order': False, 'shape': (1,), }", "nested" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void UnsupportedOrBrokenHeadersNameTheFile(string dict, string fragment)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.cs");
        WriteRaw(path, dict, new byte[8]);
        var e = Assert.Throws<DataFormatException>(() => NpyStructuredArray.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void BadMagicVersionAndLengthsAreReported()
    {
        using var dir = new TempDir();
        string path = dir.File("x.cs");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("PK\x03\x04 not numpy at all"));
        Assert.Contains("magic", Assert.Throws<DataFormatException>(() => NpyStructuredArray.Read(path)).Message);

        WriteRaw(path, Dict, Records()[..^5]);
        Assert.Contains("truncated", Assert.Throws<DataFormatException>(() => NpyStructuredArray.Read(path)).Message);
        WriteRaw(path, Dict, [.. Records(), 1, 2]);
        Assert.Contains("after the last", Assert.Throws<DataFormatException>(() => NpyStructuredArray.Read(path)).Message);

        WriteRaw(path, Dict, Records());
        var bytes = File.ReadAllBytes(path);
        bytes[6] = 4;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("version 4", Assert.Throws<DataFormatException>(() => NpyStructuredArray.Read(path)).Message);

        File.WriteAllBytes(path, [0x94, .. Encoding.ASCII.GetBytes("CSDAT"), 0, 0, 0, 0, 0, 0]);
        Assert.Contains("CSDAT", Assert.Throws<DataFormatException>(() => NpyStructuredArray.Read(path)).Message);
    }
}
