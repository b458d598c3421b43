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
/// The particle images, centred and Fourier-cropped, held once in memory for every configuration of a sweep.
/// Layout: particle-major, the kept pixels of <see cref="Grid"/> in order, complex interleaved (re, im) float32,
/// values on the original box's unnormalised DFT scale (so a central slice of the volume's DFT matches directly).
/// </summary>
public sealed class ParticleSet
{
    public FourierCrop Grid { get; }
    public IReadOnlyList<ParticleInfo> Particles { get; }
    public int Count => Particles.Count;
    public int PixelCount => Grid.PixelCount;
    private readonly float[] _data;

    public ParticleSet(FourierCrop grid, IReadOnlyList<ParticleInfo> particles, float[] data)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(particles);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != (long)particles.Count * grid.PixelCount * 2)
            throw new ArgumentException($"data holds {data.Length} floats; {particles.Count} particles x {grid.PixelCount} pixels x 2 expected", nameof(data));
        Grid = grid;
        Particles = particles;
        _data = data;
    }

    /// <summary>All coefficients, for upload to a device.</summary>
    public ReadOnlySpan<float> Data => _data;

    /// <summary>One particle's coefficients, interleaved (re, im).</summary>
    public ReadOnlySpan<float> Coefficients(int particle) =>
        _data.AsSpan(particle * PixelCount * 2, PixelCount * 2);

    /// <summary>Bytes held by the pixel data, for memory accounting in benchmarks and tests.</summary>
    public long DataBytes => (long)_data.Length * sizeof(float);

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
