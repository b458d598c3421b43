using System.Numerics;
using SweepLab.Core.Fourier;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;

namespace SweepLab.Formats.Preprocessing;

/// <summary>
/// Turns a particle table into a <see cref="ParticleSet"/> (in memory here; streamed to a file by
/// <see cref="ParticleCache"/>): each image read once (streamed in chunks,
/// so a stack larger than memory is never loaded whole), transformed, centred by its origin (a phase shift of
/// +origin, since the particle sits at minus the origin), and cropped to the target resolution. Memory is what is
/// kept: particles x kept Fourier pixels x 8 bytes.
/// </summary>
public static class ParticleSetLoader
{
    private const int ChunkSize = 256;
    private const int MaxOpenStacks = 16;

    public static ParticleSet Load(ParticleTable table, double targetResolutionAngstrom, string? projectDirectory = null,
        IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var grid = new FourierCrop(table.BoxSize, table.PixelSizeAngstrom, targetResolutionAngstrom);
        long floats = (long)table.Count * grid.PixelCount * 2;
        if (floats > Array.MaxLength)
            throw new DataFormatException(table.SourcePath,
                $"{table.Count} particles x {grid.PixelCount} Fourier pixels ({floats * sizeof(float) / (1L << 30)} GiB) do not fit in memory as one array; keep them in a particle cache folder (classify --cache, a sweep's dataset.cache)");
        var data = new float[floats];
        int row = grid.PixelCount * 2;
        Preprocess(table, grid, (start, coefficients) => coefficients.CopyTo(data.AsSpan(start * row)), projectDirectory, progress);
        return new ParticleSet(grid, Infos(table), data);
    }

    /// <summary>
    /// Preprocesses every image in order, handing each chunk's coefficients (particles start .. start + count - 1,
    /// particle-major) to <paramref name="sink"/>: the in-memory set copies them, the cache streams them to its file,
    /// so a set larger than memory is never held whole.
    /// </summary>
    public static void Preprocess(ParticleTable table, FourierCrop grid, Action<int, ReadOnlySpan<float>> sink,
        string? projectDirectory = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(sink);
        int n = table.Count, box = table.BoxSize, pixels = grid.PixelCount;
        if (n == 0) throw new DataFormatException(table.SourcePath, "no particles");
        int chunk = Math.Min(ChunkSize, n);
        var images = new float[chunk * box * box];
        var coefficients = new float[chunk * pixels * 2];
        var stacks = new StackCache(table, projectDirectory);
        var fullIndex = ParticleImages.FullTransformIndices(grid);
        try
        {
            for (int start = 0; start < n; start += ChunkSize)
            {
                int count = Math.Min(ChunkSize, n - start);
                for (int j = 0; j < count; j++) stacks.Read(start + j, images.AsSpan(j * box * box, box * box));
                Parallel.For(0, count, () => new Complex[box * box], (j, _, transform) =>
                {
                    ParticleImages.Transform(images.AsSpan(j * box * box, box * box), grid, table.Particles[start + j], fullIndex, transform,
                        coefficients.AsSpan(j * pixels * 2, pixels * 2));
                    return transform;
                }, _ => { });
                sink(start, coefficients.AsSpan(0, count * pixels * 2));
                progress?.Report(start + count);
            }
        }
        finally
        {
            stacks.Dispose();
        }
    }

    /// <summary>Every particle's metadata as the set keeps it, named by its image reference (index@stack).</summary>
    public static ParticleInfo[] Infos(ParticleTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var infos = new ParticleInfo[table.Count];
        for (int i = 0; i < infos.Length; i++) infos[i] = table.Particles[i] with { ImageName = table.Images[i].ToString() };
        return infos;
    }

    /// <summary>Keeps the most recently used stacks open: particles of one micrograph usually come together.</summary>
    private sealed class StackCache(ParticleTable table, string? projectDirectory) : IDisposable
    {
        private readonly Dictionary<string, MrcStackReader> _open = new(StringComparer.Ordinal);
        private readonly LinkedList<string> _order = new();

        public void Read(int particle, Span<float> destination)
        {
            string path = table.ResolveImagePath(particle, projectDirectory);
            if (!_open.TryGetValue(path, out var reader))
            {
                if (_open.Count == MaxOpenStacks)
                {
                    string oldest = _order.Last!.Value;
                    _order.RemoveLast();
                    _open.Remove(oldest, out var closing);
                    closing!.Dispose();
                }
                reader = MrcStackReader.Open(path);
                _open[path] = reader;
                _order.AddFirst(path);
            }
            var header = reader.Header;
            if (header.Nx != table.BoxSize || header.Ny != table.BoxSize)
                throw new DataFormatException(path, $"images are {header.Nx} x {header.Ny} pixels but {table.SourcePath} says {table.BoxSize}", particleIndex: particle);
            reader.ReadSection(table.Images[particle].Index, destination);
        }

        public void Dispose()
        {
            foreach (var reader in _open.Values) reader.Dispose();
            _open.Clear();
        }
    }
}
