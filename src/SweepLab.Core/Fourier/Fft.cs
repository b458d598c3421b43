using System.Buffers;
using System.Numerics;

namespace SweepLab.Core.Fourier;

/// <summary>
/// Complex FFT of any length, in place, double precision. Forward is unnormalised,
/// F[k] = sum_n x[n] e^(-2 pi i k n / N); inverse includes the 1/N, so Inverse(Forward(x)) = x.
/// Lengths with prime factors up to 47 use mixed-radix Stockham stages (radix 4, 2, 3, 5, generic); larger primes
/// use Bluestein's algorithm. Plans are cached per length; every method is thread-safe and deterministic (a fixed
/// operation order per line; 3D transforms of 32^3 or more split their lines over the cores, which changes no bit), so
/// the same input gives the same bits on every run.
/// Multi-dimensional arrays are row-major with the last index fastest: [y][x] and [z][y][x].
/// Kept instead of MathNet.Numerics' FFT (issue 14), measured side by side by the bench's preprocess section on real
/// particle images (2 cores): 8.8x faster at 64 px, 8.7x at 128, 6.4x at 256 and 58x at 360 px, where MathNet's
/// managed provider, which has 1D transforms only (its Forward2D needs a native provider), falls back to Bluestein for
/// a non-power-of-two length; the real-input path here also does half the work.
/// </summary>
public static class Fft
{
    public static void Forward(Span<Complex> data) => Transform1D(data, inverse: false);

    public static void Inverse(Span<Complex> data)
    {
        Transform1D(data, inverse: true);
        Scale(data, 1.0 / data.Length);
    }

    public static void Forward2D(Span<Complex> data, int ny, int nx) => Transform2D(data, ny, nx, inverse: false);

    public static void Inverse2D(Span<Complex> data, int ny, int nx)
    {
        Transform2D(data, ny, nx, inverse: true);
        Scale(data, 1.0 / ((double)ny * nx));
    }

    public static void Forward3D(Span<Complex> data, int nz, int ny, int nx) => Transform3D(data, nz, ny, nx, inverse: false);

    public static void Inverse3D(Span<Complex> data, int nz, int ny, int nx)
    {
        Transform3D(data, nz, ny, nx, inverse: true);
        Scale(data, 1.0 / ((double)nz * ny * nx));
    }

    /// <summary>
    /// Forward 2D transform of a real image into the full complex spectrum [ky][kx]. About half the work of
    /// <see cref="Forward2D"/>: rows are transformed two at a time (one as the real, one as the imaginary part),
    /// only columns kx in [0, nx/2] are transformed, and the rest follow from Hermitian symmetry.
    /// </summary>
    public static void ForwardReal2D(ReadOnlySpan<float> image, int ny, int nx, Span<Complex> output) =>
        ForwardReal2DCore(image, ny, nx, 0, 0, output);

    /// <summary>
    /// <see cref="ForwardReal2D"/> of the image rolled by (originY, originX): pixel (y, x) of the transformed
    /// array is pixel ((y + originY) mod ny, (x + originX) mod nx) of <paramref name="image"/>.
    /// </summary>
    internal static void ForwardReal2DCore(ReadOnlySpan<float> image, int ny, int nx, int originY, int originX, Span<Complex> output)
    {
        CheckDims2D(image.Length, ny, nx, nameof(image));
        CheckDims2D(output.Length, ny, nx, nameof(output));
        var rowPlan = FftPlan.Get(nx);
        var colPlan = FftPlan.Get(ny);
        int half = nx / 2 + 1;
        int total = ny * nx;
        var rented = ArrayPool<Complex>.Shared.Rent(total + 2 * nx);
        try
        {
            var scratch = rented.AsSpan(0, total);
            var row = rented.AsSpan(total, nx);
            var rowScratch = rented.AsSpan(total + nx, nx);
            for (int y = 0; y < ny; y += 2)
            {
                bool pair = y + 1 < ny;
                var srcA = image.Slice((y + originY) % ny * nx, nx);
                var srcB = pair ? image.Slice((y + 1 + originY) % ny * nx, nx) : srcA;
                int split = nx - originX; // rolled columns: x < split reads x + originX, the rest wrap
                for (int x = 0; x < split; x++) row[x] = new Complex(srcA[x + originX], pair ? srcB[x + originX] : 0);
                for (int x = split; x < nx; x++) row[x] = new Complex(srcA[x - split], pair ? srcB[x - split] : 0);
                rowPlan.Execute(row, rowScratch, 1, 1, inverse: false);
                var outA = output.Slice(y * nx, nx);
                if (!pair)
                {
                    row[..half].CopyTo(outA);
                    continue;
                }
                var outB = output.Slice((y + 1) * nx, nx);
                for (int k = 0; k < half; k++)
                {
                    Complex z = row[k];
                    Complex zc = Complex.Conjugate(row[k == 0 ? 0 : nx - k]);
                    // A = (Z[k] + conj Z[-k]) / 2, B = (Z[k] - conj Z[-k]) / (2 i)
                    outA[k] = new Complex(0.5 * (z.Real + zc.Real), 0.5 * (z.Imaginary + zc.Imaginary));
                    outB[k] = new Complex(0.5 * (z.Imaginary - zc.Imaginary), -0.5 * (z.Real - zc.Real));
                }
            }
            colPlan.Execute(output, scratch, half, nx, inverse: false);
            for (int ky = 0; ky < ny; ky++)
            {
                int mirrorRow = (ky == 0 ? 0 : ny - ky) * nx;
                var dst = output.Slice(ky * nx, nx);
                for (int kx = half; kx < nx; kx++) dst[kx] = Complex.Conjugate(output[mirrorRow + nx - kx]);
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    private static void Transform1D(Span<Complex> data, bool inverse)
    {
        if (data.Length == 0) throw new ArgumentException("FFT of an empty array", nameof(data));
        var plan = FftPlan.Get(data.Length);
        var rented = ArrayPool<Complex>.Shared.Rent(data.Length);
        try
        {
            plan.Execute(data, rented.AsSpan(0, data.Length), 1, 1, inverse);
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    private static void Transform2D(Span<Complex> data, int ny, int nx, bool inverse)
    {
        CheckDims2D(data.Length, ny, nx, nameof(data));
        var rented = ArrayPool<Complex>.Shared.Rent(data.Length);
        try
        {
            var scratch = rented.AsSpan(0, data.Length);
            var rowPlan = FftPlan.Get(nx);
            for (int y = 0; y < ny; y++)
                rowPlan.Execute(data.Slice(y * nx, nx), scratch[..nx], 1, 1, inverse);
            FftPlan.Get(ny).Execute(data, scratch, nx, nx, inverse);
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Elements from which a 3D transform splits its passes over the cores: the engine masks every class map every
    /// iteration through a forward and an inverse transform (about 11 ms per pair at 58^3 and 70 ms at 94^3 on one core),
    /// on the host thread while the device waits; below a 32^3 cube dispatch costs more than it saves.
    /// </summary>
    internal const int ParallelElements = 32 * 32 * 32;

    private static void Transform3D(Span<Complex> data, int nz, int ny, int nx, bool inverse) =>
        Transform3D(data, nz, ny, nx, inverse, data.Length >= ParallelElements ? Environment.ProcessorCount : 1);

    /// <summary>
    /// The 3D transform in <paramref name="parts"/> shares: the xy planes split by z, then the z lines split by rows
    /// of y. Every line is transformed by the same plan with the same operations whatever the split, so the bits do
    /// not depend on <paramref name="parts"/> (tested).
    /// </summary>
    internal static unsafe void Transform3D(Span<Complex> data, int nz, int ny, int nx, bool inverse, int parts)
    {
        if (nz < 1 || ny < 1 || nx < 1) throw new ArgumentOutOfRangeException(nameof(nz), $"dimensions must be positive, got {nz} x {ny} x {nx}");
        if (data.Length != (long)nz * ny * nx)
            throw new ArgumentException($"data holds {data.Length} elements; {nz} x {ny} x {nx} expected", nameof(data));
        parts = Math.Clamp(parts, 1, Math.Min(nz, ny));
        if (parts == 1)
        {
            TransformPlanes(data, nz, ny, nx, 0, nz, inverse);
            TransformLinesZ(data, nz, ny, nx, 0, ny, inverse);
            return;
        }
        int length = data.Length;
        fixed (Complex* origin = data)
        {
            nint address = (nint)origin;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
                TransformPlanes(new Span<Complex>((Complex*)address, length), nz, ny, nx, p * nz / parts, (p + 1) * nz / parts, inverse));
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
                TransformLinesZ(new Span<Complex>((Complex*)address, length), nz, ny, nx, p * ny / parts, (p + 1) * ny / parts, inverse));
        }
    }

    /// <summary>Rows, then columns, of the xy planes z in [zFirst, zEnd).</summary>
    private static void TransformPlanes(Span<Complex> data, int nz, int ny, int nx, int zFirst, int zEnd, bool inverse)
    {
        int slab = ny * nx;
        var rented = ArrayPool<Complex>.Shared.Rent(slab);
        try
        {
            var scratch = rented.AsSpan(0, slab);
            var rowPlan = FftPlan.Get(nx);
            var colPlan = FftPlan.Get(ny);
            for (int z = zFirst; z < zEnd; z++)
            {
                var plane = data.Slice(z * slab, slab);
                for (int y = 0; y < ny; y++)
                    rowPlan.Execute(plane.Slice(y * nx, nx), scratch[..nx], 1, 1, inverse);
                colPlan.Execute(plane, scratch, nx, nx, inverse);
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The z lines of rows y in [yFirst, yEnd): in place when that is every row, else gathered into a contiguous
    /// block of nz x (rows x nx) lanes, transformed, and put back.
    /// </summary>
    private static void TransformLinesZ(Span<Complex> data, int nz, int ny, int nx, int yFirst, int yEnd, bool inverse)
    {
        int slab = ny * nx, lanes = (yEnd - yFirst) * nx;
        var plan = FftPlan.Get(nz);
        bool whole = lanes == slab;
        var rented = ArrayPool<Complex>.Shared.Rent(whole ? data.Length : 2 * nz * lanes);
        try
        {
            if (whole)
            {
                plan.Execute(data, rented.AsSpan(0, data.Length), slab, slab, inverse);
                return;
            }
            var block = rented.AsSpan(0, nz * lanes);
            var scratch = rented.AsSpan(nz * lanes, nz * lanes);
            for (int z = 0; z < nz; z++) data.Slice(z * slab + yFirst * nx, lanes).CopyTo(block.Slice(z * lanes, lanes));
            plan.Execute(block, scratch, lanes, lanes, inverse);
            for (int z = 0; z < nz; z++) block.Slice(z * lanes, lanes).CopyTo(data.Slice(z * slab + yFirst * nx, lanes));
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    private static void CheckDims2D(int length, int ny, int nx, string name)
    {
        if (ny < 1 || nx < 1) throw new ArgumentOutOfRangeException(name, $"dimensions must be positive, got {ny} x {nx}");
        if (length != (long)ny * nx) throw new ArgumentException($"{name} holds {length} elements; {ny} x {nx} expected", name);
    }

    private static void Scale(Span<Complex> data, double factor)
    {
        for (int i = 0; i < data.Length; i++) data[i] *= factor;
    }
}
