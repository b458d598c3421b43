using SweepLab.Core.Ctf;
using SweepLab.Core.Fourier;
using SweepLab.Core.Geometry;

namespace SweepLab.Core.Particles;

/// <summary>
/// Everything the engine needs about one particle apart from its pixels: where it came from (to write results back
/// in input order), its pose (RELION's convention, see <see cref="Rotation"/>), its in-plane shift and its CTF.
/// The shift is RELION 3.1's rlnOriginX/YAngst: the particle's centre sits at minus the origin in the image,
/// so preprocessing applies a phase shift of +origin to centre it.
/// </summary>
public sealed record ParticleInfo(
    string ImageName,
    Rotation Rotation,
    double OriginXAngstrom,
    double OriginYAngstrom,
    CtfParameters Ctf,
    int OpticsGroup = 1);

/// <summary>
/// The particle images, centred and Fourier-cropped, shared by every configuration of a sweep: held in memory, or
/// read from the preprocessed-particle cache file when the set is larger than memory (<see cref="ParticlePixels"/>).
/// Layout: particle-major, the kept pixels of <see cref="Grid"/> in order, complex interleaved (re, im) float32,
/// values on the original box's unnormalised DFT scale (so a central slice of the volume's DFT matches directly).
/// Disposing releases a file-backed set's handle.
/// </summary>
public sealed class ParticleSet : IDisposable
{
    public FourierCrop Grid { get; }
    public IReadOnlyList<ParticleInfo> Particles { get; }
    public int Count => Particles.Count;
    public int PixelCount => Grid.PixelCount;
    /// <summary>The coefficients' store: an array or a file.</summary>
    public ParticlePixels Pixels { get; }

    public ParticleSet(FourierCrop grid, IReadOnlyList<ParticleInfo> particles, float[] data)
        : this(grid, particles, Checked(grid, particles, data))
    {
    }

    public ParticleSet(FourierCrop grid, IReadOnlyList<ParticleInfo> particles, ParticlePixels pixels)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Count != particles.Count || pixels.RowFloats != grid.PixelCount * 2)
            throw new ArgumentException($"pixels hold {pixels.Count} particles x {pixels.RowFloats} floats; {particles.Count} x {grid.PixelCount * 2} expected", nameof(pixels));
        Grid = grid;
        Particles = particles;
        Pixels = pixels;
    }

    private static ParticlePixels Checked(FourierCrop grid, IReadOnlyList<ParticleInfo> particles, float[] data)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != (long)particles.Count * grid.PixelCount * 2)
            throw new ArgumentException($"data holds {data.Length} floats; {particles.Count} particles x {grid.PixelCount} pixels x 2 expected", nameof(data));
        return new ParticlePixels.InArray(data, particles.Count, grid.PixelCount * 2);
    }

    /// <summary>One particle's coefficients, interleaved (re, im) (a copy when the set is read from a file).</summary>
    public ReadOnlySpan<float> Coefficients(int particle)
    {
        int row = PixelCount * 2;
        if (Pixels is ParticlePixels.InArray array) return array.Data.AsSpan(particle * row, row);
        var copy = new float[row];
        Pixels.CopyRows(particle, 1, copy);
        return copy;
    }

    /// <summary>Copies consecutive particles' coefficients (see <see cref="ParticlePixels.CopyRows"/>).</summary>
    public void CopyRows(int first, int count, Span<float> destination) => Pixels.CopyRows(first, count, destination);

    /// <summary>Every coefficient in one array, for checks on sets that fit one.</summary>
    public float[] ToArray()
    {
        var result = new float[(long)Count * PixelCount * 2];
        Pixels.CopyRows(0, Count, result);
        return result;
    }

    /// <summary>Bytes held by the pixel data, for memory accounting in benchmarks and tests.</summary>
    public long DataBytes => Pixels.Bytes;

    public void Dispose() => Pixels.Dispose();

    /// <summary>Rotation matrices, 9 floats per particle row-major, for upload to a device.</summary>
    public float[] RotationsAsFloats()
    {
        var result = new float[Count * 9];
        for (int i = 0; i < Count; i++) Particles[i].Rotation.CopyTo(result.AsSpan(i * 9, 9));
        return result;
    }

    /// <summary>CTF constants per particle for the kernels.</summary>
    public CtfCoefficients[] CtfCoefficients()
    {
        var result = new CtfCoefficients[Count];
        for (int i = 0; i < Count; i++) result[i] = Particles[i].Ctf.ToCoefficients();
        return result;
    }
}
