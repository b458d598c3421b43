using System.Buffers.Binary;
using System.Runtime.InteropServices;
using SweepLab.Formats.Mrc;

namespace SweepLab.Formats.Tests;

public class MrcTests
{
    private static float[] Values(int n, ulong seed)
    {
        var r = new TestRandom(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)r.Uniform(-3, 5);
        return v;
    }

    [Theory]
    [InlineData(64, 64, 3, true)]
    [InlineData(65, 65, 65, false)]
    [InlineData(64, 33, 1, false)]
    public void Float32RoundTripIsBitExactWithACompleteHeader(int nx, int ny, int nz, bool isStack)
    {
        using var dir = new TempDir();
        string path = dir.File("a.mrc");
        var data = Values(nx * ny * nz, 7);
        MrcFile.Write(path, data, nx, ny, nz, 1.25, isStack);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(1024 + 4L * data.Length, bytes.Length);
        Assert.True(bytes.AsSpan(1024).SequenceEqual(MemoryMarshal.AsBytes(data.AsSpan())));

        var (h, read) = MrcFile.ReadVolume(path);
        Assert.True(MemoryMarshal.AsBytes(read.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(data.AsSpan())));
        Assert.Equal((nx, ny, nz), (h.Nx, h.Ny, h.Nz));
        Assert.Equal(MrcMode.Float32, h.Mode);
        Assert.Equal(isStack ? 0 : 1, h.SpaceGroup);
        Assert.Equal(isStack ? 1 : nz, h.Mz);
        Assert.Equal(1.25, h.PixelSizeAngstrom!.Value, 6);
        Assert.Equal((1, 2, 3), (h.MapC, h.MapR, h.MapS));
        Assert.Equal("MAP ", System.Text.Encoding.ASCII.GetString(bytes, 208, 4));
        Assert.Equal(0x44, bytes[212]);
        Assert.Equal(0x44, bytes[213]);
        Assert.Equal(20140, h.Version);
        Assert.Equal(0, h.ExtendedHeaderBytes);

        double mean = data.Average(v => (double)v);
        double rms = Math.Sqrt(data.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(data.Min(), h.Minimum);
        Assert.Equal(data.Max(), h.Maximum);
        Assert.Equal(mean, h.Mean, 5);
        Assert.Equal(rms, h.Rms, 5);
    }

    [Fact]
    public void EachModeReadsFromAHandBuiltFile()
    {
        using var dir = new TempDir();
        const int nx = 4, ny = 3, nz = 2, n = nx * ny * nz;
        var cases = new (int Mode, int Bytes, Func<int, byte[]> Encode, Func<int, float> Expected)[]
        {
            (0, 1, i => [unchecked((byte)(sbyte)(i * 11 - 128))], i => (sbyte)(i * 11 - 128)),
            (1, 2, i => Le16((short)(i * 1400 - 16000)), i => (short)(i * 1400 - 16000)),
            (2, 4, i => Le32F(i * 0.37f - 2.5f), i => i * 0.37f - 2.5f),
            (6, 2, i => Le16U((ushort)(i * 2800 + 3)), i => (ushort)(i * 2800 + 3)),
            (12, 2, i => Le16U(BitConverter.HalfToUInt16Bits((Half)(i * 0.125f - 1.5f))), i => i * 0.125f - 1.5f),
        };
        foreach (var (mode, size, encode, expected) in cases)
        {
            string path = dir.File($"mode{mode}.mrc");
            using (var f = File.Create(path))
            {
                f.Write(RawMrc.Header(nx, ny, nz, mode, 8f, nx));
                for (int i = 0; i < n; i++) f.Write(encode(i));
            }
            var (h, data) = MrcFile.ReadVolume(path);
            Assert.Equal((MrcMode)mode, h.Mode);
            Assert.Equal(size, h.BytesPerVoxel);
            for (int i = 0; i < n; i++) Assert.Equal(expected(i), data[i]);
            Assert.Equal(2.0, h.PixelSizeAngstrom!.Value);
        }
    }

    private static byte[] Le16(short v) { var b = new byte[2]; BinaryPrimitives.WriteInt16LittleEndian(b, v); return b; }
    private static byte[] Le16U(ushort v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); return b; }
    private static byte[] Le32F(float v) { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }

    [Fact]
    public void ExtendedHeaderIsSkippedAndPixelSizeComesFromCellOverMx()
    {
        using var dir = new TempDir();
        string path = dir.File("ext.mrcs");
        const int nx = 5, ny = 5, nz = 3;
        var data = Values(nx * ny * nz, 3);
        using (var f = File.Create(path))
        {
            f.Write(RawMrc.Header(nx, ny, nz, 2, 12.5f, nx, nsymbt: 200));
            f.Write(Enumerable.Repeat((byte)0xAB, 200).ToArray());
            f.Write(MemoryMarshal.AsBytes(data.AsSpan()));
        }
        var h = MrcFile.ReadHeader(path);
        Assert.Equal(200, h.ExtendedHeaderBytes);
        Assert.Equal(1224, h.DataOffset);
        Assert.Equal(2.5, h.PixelSizeAngstrom!.Value);
        var section = new float[nx * ny];
        MrcFile.ReadSection(path, 2, section);
        Assert.Equal(data.AsSpan(2 * nx * ny, nx * ny).ToArray(), section);

        string unset = dir.File("unset.mrc");
        using (var f = File.Create(unset))
        {
            f.Write(RawMrc.Header(2, 2, 1, 2, 0f, 0));
            f.Write(new byte[16]);
        }
        Assert.Null(MrcFile.ReadHeader(unset).PixelSizeAngstrom);
    }

    [Fact]
    public void StackReaderReadsAnySectionInAnyOrder()
    {
        using var dir = new TempDir();
        string path = dir.File("s.mrcs");
        const int nx = 65, ny = 65, nz = 7;
        var data = Values(nx * ny * nz, 11);
        MrcFile.Write(path, data, nx, ny, nz, 1.0, isStack: true);
        using var reader = MrcStackReader.Open(path);
        Assert.Equal(nz, reader.Count);
        var section = new float[reader.SectionLength];
        foreach (int z in new[] { 6, 0, 3, 3, 5 })
        {
            MrcFile.ReadSection(reader, z, section);
            Assert.Equal(data.AsSpan(z * nx * ny, nx * ny).ToArray(), section);
        }
        var past = Assert.Throws<DataFormatException>(() => reader.ReadSection(7, section));
        Assert.Equal(path, past.FilePath);
        Assert.Equal(7, past.ParticleIndex);
        Assert.Contains("past the end", past.Message);
        Assert.Contains(path, past.Message);
        Assert.Throws<DataFormatException>(() => reader.ReadSection(-1, section));
    }

    [Fact]
    public void Float16WriteStoresHalfPrecisionValues()
    {
        using var dir = new TempDir();
        string path = dir.File("h.mrc");
        var data = Values(64 * 64, 5);
        MrcFile.Write(path, data, 64, 64, 1, 1.1, isStack: false, MrcMode.Float16);
        var (h, read) = MrcFile.ReadVolume(path);
        Assert.Equal(MrcMode.Float16, h.Mode);
        Assert.Equal(1024 + 2 * data.Length, new FileInfo(path).Length);
        for (int i = 0; i < data.Length; i++) Assert.Equal((float)(Half)data[i], read[i]);
        Assert.Throws<ArgumentException>(() => MrcFile.Write(path, [70000f], 1, 1, 1, 1, false, MrcMode.Float16));
    }

    [Fact]
    public void StreamingWriterGivesTheSameBytesAsTheWholeArrayWriter()
    {
        using var dir = new TempDir();
        const int nx = 64, ny = 64, nz = 5;
        var data = Values(nx * ny * nz, 21);
        MrcFile.Write(dir.File("whole.mrcs"), data, nx, ny, nz, 1.7, isStack: true);
        using (var w = new MrcStackWriter(dir.File("stream.mrcs"), nx, ny, 1.7))
        {
            for (int z = 0; z < nz; z++) w.Append(data.AsSpan(z * nx * ny, nx * ny));
            w.Complete();
        }
        Assert.Equal(File.ReadAllBytes(dir.File("whole.mrcs")), File.ReadAllBytes(dir.File("stream.mrcs")));

        using (var w = new MrcStackWriter(dir.File("abandoned.mrcs"), nx, ny, 1.7))
            w.Append(data.AsSpan(0, nx * ny));
        Assert.False(File.Exists(dir.File("abandoned.mrcs")));
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length); // no temporaries left behind
    }

    [Fact]
    public void WriteReplacesAnExistingFileAndLeavesNoTemporary()
    {
        using var dir = new TempDir();
        string path = dir.File("v.mrc");
        File.WriteAllText(path, "old");
        MrcFile.Write(path, Values(8, 1), 2, 2, 2, 1, false);
        Assert.Equal(1024 + 32, new FileInfo(path).Length);
        Assert.Single(Directory.GetFiles(dir.Path));
        Assert.Throws<ArgumentException>(() => MrcFile.Write(path, [float.NaN], 1, 1, 1, 1, false));
        Assert.Equal(1024 + 32, new FileInfo(path).Length);
    }

    public static TheoryData<string> BadFiles => ["short-header", "truncated-data", "trailing-bytes", "mode-3", "mode-101", "zero-nx", "big-endian"];

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFilesThrowDataFormatExceptionNamingTheFile(string kind)
    {
        using var dir = new TempDir();
        string path = dir.File(kind + ".mrc");
        byte[] bytes = kind switch
        {
            "short-header" => new byte[500],
            "truncated-data" => [.. RawMrc.Header(4, 4, 2, 2, 4, 4), .. new byte[4 * 4 * 2 * 4 - 10]],
            "trailing-bytes" => [.. RawMrc.Header(4, 4, 2, 2, 4, 4), .. new byte[4 * 4 * 2 * 4 + 3]],
            "mode-3" => [.. RawMrc.Header(4, 4, 1, 3, 4, 4), .. new byte[4 * 4 * 4]],
            "mode-101" => [.. RawMrc.Header(4, 4, 1, 101, 4, 4), .. new byte[4 * 4 / 2]],
            "zero-nx" => [.. RawMrc.Header(0, 4, 1, 2, 4, 4)],
            "big-endian" => [.. RawMrc.Header(4, 4, 1, 2, 4, 4, stamp0: 0x11, stamp1: 0x11), .. new byte[64]],
            _ => throw new ArgumentException(kind),
        };
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFormatException>(() => MrcFile.ReadVolume(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path, e.Message);
        string expected = kind switch
        {
            "short-header" or "truncated-data" => "truncated",
            "trailing-bytes" => "accounts for",
            "mode-3" => "mode 3",
            "mode-101" => "mode 101",
            "zero-nx" => "not positive",
            _ => "big-endian",
        };
        Assert.Contains(expected, e.Message);
        Assert.Throws<DataFormatException>(() => MrcFile.ReadHeader(path));
    }

    [Fact]
    public void MissingFileAndPermutedAxesAreDataFormatErrors()
    {
        using var dir = new TempDir();
        Assert.Equal(dir.File("none.mrc"), Assert.Throws<DataFormatException>(() => MrcFile.ReadHeader(dir.File("none.mrc"))).FilePath);
        string path = dir.File("zyx.mrc");
        File.WriteAllBytes(path, [.. RawMrc.Header(2, 2, 2, 2, 2, 2, axes: (3, 2, 1)), .. new byte[32]]);
        Assert.Contains("axis order", Assert.Throws<DataFormatException>(() => MrcFile.ReadVolume(path)).Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFinitePixelsAreReportedWithFileAndSection(float bad)
    {
        using var dir = new TempDir();
        string path = dir.File("nan.mrcs");
        var data = Values(3 * 3 * 4, 2);
        data[2 * 9 + 4] = bad;
        using (var f = File.Create(path))
        {
            f.Write(RawMrc.Header(3, 3, 4, 2, 3, 3));
            f.Write(MemoryMarshal.AsBytes(data.AsSpan()));
        }
        using var reader = MrcStackReader.Open(path);
        var section = new float[9];
        reader.ReadSection(1, section); // clean sections still read
        var e = Assert.Throws<DataFormatException>(() => reader.ReadSection(2, section));
        Assert.Equal(2, e.ParticleIndex);
        Assert.Contains("section 2", e.Message);
        Assert.Contains("(1, 1)", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Throws<DataFormatException>(() => MrcFile.ReadVolume(path));
    }
}
