using System.Numerics;
using SweepLab.Core.Fourier;

namespace SweepLab.Core.Particles;

/// <summary>
/// The one place where a particle image becomes its row of a <see cref="ParticleSet"/>: centred transform, a phase
/// shift of +origin (the particle sits at minus the origin, RELION 3.1's sign), then the kept half-plane pixels.
/// Used by the file loader (streaming chunks) and for images already in memory (simulations, tests).
/// </summary>
public static class ParticleImages
{
    /// <summary>Transforms one image into <paramref name="destination"/> (2 x kept pixels floats).</summary>
    public static void Transform(ReadOnlySpan<float> image, FourierCrop grid, ParticleInfo info, ReadOnlySpan<int> fullIndex,
        Span<Complex> scratch, Span<float> destination)
    {
        int box = grid.OriginalBox;
        CenteredFourier.FromImage(image, box, scratch);
        CenteredFourier.ApplyShift(scratch, box, info.OriginXAngstrom / grid.OriginalPixelSizeAngstrom, info.OriginYAngstrom / grid.OriginalPixelSizeAngstrom);
        for (int p = 0; p < fullIndex.Length; p++)
        {
            var value = scratch[fullIndex[p]];
            destination[2 * p] = (float)value.Real;
            destination[2 * p + 1] = (float)value.Imaginary;
        }
    }

    /// <summary>Index of each kept pixel in the full unshifted N x N transform.</summary>
    public static int[] FullTransformIndices(FourierCrop grid)
    {
        var result = new int[grid.PixelCount];
        for (int p = 0; p < result.Length; p++) result[p] = grid.FullTransformIndex(p);
        return result;
    }

    /// <summary>A particle set from images held in memory (N x box x box floats, particle-major).</summary>
    public static ParticleSet ToParticleSet(ReadOnlySpan<float> images, int box, double pixelSizeAngstrom,
        IReadOnlyList<ParticleInfo> particles, double targetResolutionAngstrom)
    {
        var grid = new FourierCrop(box, pixelSizeAngstrom, targetResolutionAngstrom);
        int n = particles.Count, pixels = grid.PixelCount;
        if (images.Length != (long)n * box * box)
            throw new ArgumentException($"{images.Length} floats for {n} images of {box} x {box}", nameof(images));
        var data = new float[(long)n * pixels * 2];
        var fullIndex = FullTransformIndices(grid);
        var copy = images.ToArray();
        Parallel.For(0, n, () => new Complex[box * box], (i, _, scratch) =>
        {
            Transform(copy.AsSpan(i * box * box, box * box), grid, particles[i], fullIndex, scratch, data.AsSpan(i * pixels * 2, pixels * 2));
            return scratch;
        }, _ => { });
        return new ParticleSet(grid, particles, data);
    }
}
