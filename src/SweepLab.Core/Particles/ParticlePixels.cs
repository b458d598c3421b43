using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SweepLab.Core.Particles;

/// <summary>
/// Where a <see cref="ParticleSet"/>'s coefficients live: in an array, or in a file (the preprocessed-particle cache)
/// for sets larger than memory. Either way rows are copied out by particle, so the kernels can upload a whole set or
/// stage one batch at a time. Reads are thread-safe (a file is read with positional reads, never a shared cursor).
/// </summary>
public abstract class ParticlePixels : IDisposable
{
    /// <summary>Floats per particle: kept pixels x 2 (re, im).</summary>
    public int RowFloats { get; }
    public int Count { get; }

    protected ParticlePixels(int count, int rowFloats)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(rowFloats);
        Count = count;
        RowFloats = rowFloats;
    }

    /// <summary>Bytes of all coefficients.</summary>
    public long Bytes => (long)Count * RowFloats * sizeof(float);

    /// <summary>True when the coefficients are held in this process's memory (an array), false when read from a file.</summary>
    public abstract bool InMemory { get; }

    /// <summary>Copies particles first .. first + count - 1 (consecutive rows) into <paramref name="destination"/>.</summary>
    public void CopyRows(int first, int count, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((long)first + count > Count) throw new ArgumentOutOfRangeException(nameof(count), $"rows {first} .. {first + count - 1} of {Count}");
        if (destination.Length < (long)count * RowFloats) throw new ArgumentException($"destination holds {destination.Length} floats; {(long)count * RowFloats} needed", nameof(destination));
        if (count > 0) Read(first, count, destination[..(count * RowFloats)]);
    }

    /// <summary>Consecutive rows without a copy when they are in memory (false for a file).</summary>
    public virtual bool TryGetRows(int first, int count, out ReadOnlySpan<float> rows)
    {
        rows = default;
        return false;
    }

    /// <summary>Reads consecutive rows; arguments already checked.</summary>
    protected abstract void Read(int first, int count, Span<float> destination);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Coefficients held in an array.</summary>
    public sealed class InArray(float[] data, int count, int rowFloats) : ParticlePixels(count, rowFloats)
    {
        public override bool InMemory => true;
        internal float[] Data { get; } = data;

        protected override void Read(int first, int count, Span<float> destination) =>
            Data.AsSpan(first * RowFloats, count * RowFloats).CopyTo(destination);

        public override bool TryGetRows(int first, int count, out ReadOnlySpan<float> rows)
        {
            rows = Data.AsSpan(first * RowFloats, count * RowFloats);
            return true;
        }
    }

    /// <summary>
    /// Coefficients read from a file at a byte offset (particle-major, little-endian float32), with positional reads
    /// rather than a memory map: pages read for a batch are the OS cache's, not this process's resident memory.
    /// </summary>
    public sealed class InFile : ParticlePixels
    {
        private readonly SafeFileHandle _handle;
        private readonly long _offsetBytes;
        public string Path { get; }

        public InFile(string path, long offsetBytes, int count, int rowFloats) : base(count, rowFloats)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            Path = path;
            _offsetBytes = offsetBytes;
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            long need = offsetBytes + Bytes;
            long length = RandomAccess.GetLength(_handle);
            if (length < need)
            {
                _handle.Dispose();
                throw new InvalidDataException($"{path}: holds {length} bytes; {need} expected");
            }
        }

        public override bool InMemory => false;

        protected override void Read(int first, int count, Span<float> destination)
        {
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("particle files are little-endian");
            long position = _offsetBytes + (long)first * RowFloats * sizeof(float);
            // A span's byte view is limited to int: read a large range in pieces.
            const int piece = 1 << 26;
            for (int offset = 0; offset < destination.Length; offset += piece)
            {
                var bytes = MemoryMarshal.AsBytes(destination.Slice(offset, Math.Min(piece, destination.Length - offset)));
                for (int done = 0; done < bytes.Length;)
                {
                    int read = RandomAccess.Read(_handle, bytes[done..], position);
                    if (read <= 0) throw new IOException($"{Path}: ends after {position} bytes");
                    done += read;
                    position += read;
                }
            }
        }

        public override void Dispose()
        {
            _handle.Dispose();
            base.Dispose();
        }
    }
}
