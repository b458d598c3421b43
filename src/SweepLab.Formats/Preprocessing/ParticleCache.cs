using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SweepLab.Core.Fourier;
using SweepLab.Core.IO;
using SweepLab.Core.Particles;
using SweepLab.Formats.Particles;

namespace SweepLab.Formats.Preprocessing;

/// <summary>
/// The preprocessed particle set (read, FFT'd, centred, cropped) kept on disk, so a second sweep, a resume and every
/// SLURM task load it at disk speed instead of re-reading and re-transforming every image. One file per input identity
/// and crop: <c>particles-HASH.slcache</c>, a 64-byte header then the coefficients exactly as <see cref="ParticleSet"/>
/// holds them (particle-major, complex interleaved float32, little-endian), so the layout can be memory-mapped.
/// The identity hashes the metadata file's bytes, every image stack's path, length and modification time, the box,
/// pixel size and target resolution: changing any input gives another file name, so a stale cache is never read.
/// Written atomically; a file that does not match its header (truncated, foreign) is rebuilt.
/// </summary>
public static class ParticleCache
{
    /// <summary>Bumped whenever the preprocessing's output changes (it is part of the identity).</summary>
    public const int FormatVersion = 1;
    public const string Extension = ".slcache";
    private const int HeaderBytes = 64;
    private static ReadOnlySpan<byte> Magic => "SLPCACHE"u8;
    /// <summary>Floats per read or write: a byte span of a whole large set would overflow its int length.</summary>
    private const int IoChunkFloats = 1 << 26;

    /// <summary>How a set was obtained: from the cache or preprocessed (and then written to it).</summary>
    public enum Source { Cache, Preprocessed }

    /// <summary>
    /// The set from <paramref name="cacheDirectory"/> when a matching file is there, else preprocessed from the images
    /// straight into that file (never held whole in memory), then read from it. The returned set reads its coefficients
    /// from the file (see <see cref="ParticlePixels.InFile"/>): a set larger than memory loads at once, and the kernels
    /// upload it whole or stage it batch by batch as their memory budget allows. A cache that cannot be written (full
    /// disk, read-only folder) costs only time: the set is preprocessed again into memory and <paramref name="log"/> says
    /// why nothing was kept.
    /// </summary>
    public static (ParticleSet Set, Source Source, string Path) LoadOrCreate(ParticleTable table, double targetResolutionAngstrom,
        string cacheDirectory, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        string identity = Identity(table, targetResolutionAngstrom);
        string path = System.IO.Path.Combine(cacheDirectory, $"particles-{identity[..16]}{Extension}");
        var grid = new FourierCrop(table.BoxSize, table.PixelSizeAngstrom, targetResolutionAngstrom);
        if (File.Exists(path))
        {
            try
            {
                return (Open(path, identity, grid, table), Source.Cache, path);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                log?.Invoke($"{path}: {ex.Message}; preprocessing again");
            }
        }
        try
        {
            Write(path, identity, table, grid);
            return (Open(path, identity, grid, table), Source.Preprocessed, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log?.Invoke($"{path}: particle cache not written ({ex.Message}); preprocessing into memory, and the next load preprocesses again");
        }
        return (ParticleSetLoader.Load(table, targetResolutionAngstrom), Source.Preprocessed, path);
    }

    /// <summary>SHA-256 (hex) of everything the preprocessed coefficients depend on.</summary>
    public static string Identity(ParticleTable table, double targetResolutionAngstrom)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        var c = CultureInfo.InvariantCulture;
        Add(string.Create(c, $"slcache {FormatVersion} box {table.BoxSize} pixel {table.PixelSizeAngstrom:R} target {targetResolutionAngstrom:R} particles {table.Count}"));
        using (var source = File.OpenRead(table.SourcePath)) hash.AppendData(SHA256.HashData(source));
        // One resolution per distinct stack name (images of a micrograph share one), in first-use order.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < table.Count; i++)
        {
            if (!seen.Add(table.Images[i].Path)) continue;
            var file = new FileInfo(table.ResolveImagePath(i));
            Add(string.Create(c, $"{file.FullName} {(file.Exists ? file.Length : -1)} {(file.Exists ? file.LastWriteTimeUtc.Ticks : 0)}"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Preprocesses straight into the file, chunk by chunk, atomically (a stop leaves no partial cache).</summary>
    private static void Write(string path, string identity, ParticleTable table, FourierCrop grid)
    {
        var header = Header(identity, grid, table.Count);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            ParticleSetLoader.Preprocess(table, grid, (_, coefficients) =>
            {
                for (int offset = 0; offset < coefficients.Length; offset += IoChunkFloats)
                    stream.Write(MemoryMarshal.AsBytes(coefficients.Slice(offset, Math.Min(IoChunkFloats, coefficients.Length - offset))));
            });
        });
    }

    /// <summary>Magic, version, particle count, pixel count, box, target resolution and the identity's first 24 bytes.</summary>
    private static byte[] Header(string identity, FourierCrop grid, int count)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("the particle cache is little-endian");
        var h = new byte[HeaderBytes];
        Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(12), count);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), grid.PixelCount);
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), grid.OriginalBox);
        BinaryPrimitives.WriteDoubleLittleEndian(h.AsSpan(24), grid.TargetResolutionAngstrom);
        Convert.FromHexString(identity.AsSpan(0, 48)).CopyTo(h.AsSpan(32));
        return h;
    }

    /// <summary>The cached set, its header checked against these inputs; coefficients are read from the file on demand.</summary>
    private static ParticleSet Open(string path, string identity, FourierCrop grid, ParticleTable table)
    {
        var expected = Header(identity, grid, table.Count);
        var header = new byte[HeaderBytes];
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            if (RandomAccess.Read(handle, header, 0) != HeaderBytes || !header.AsSpan().SequenceEqual(expected))
                throw new InvalidDataException("not a particle cache of these inputs (header differs)");
            long need = HeaderBytes + (long)table.Count * grid.PixelCount * 2 * sizeof(float);
            long length = RandomAccess.GetLength(handle);
            if (length != need) throw new InvalidDataException($"holds {length} bytes; {need} expected");
        }
        var pixels = new ParticlePixels.InFile(path, HeaderBytes, table.Count, grid.PixelCount * 2);
        return new ParticleSet(grid, ParticleSetLoader.Infos(table), pixels);
    }
}
