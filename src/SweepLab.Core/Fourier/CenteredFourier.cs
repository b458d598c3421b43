using System.Buffers;
using System.Numerics;

namespace SweepLab.Core.Fourier;

/// <summary>
/// Transforms between centred real-space boxes and unshifted Fourier arrays. In real space the origin sits at index
/// n/2 (integer division, for even and odd n), as RELION's FIRST_XMIPP_INDEX puts it; in Fourier space index k holds
/// the signed frequency <see cref="SignedFrequency"/>(k, n) (numpy's fftfreq order), so the zero frequency is at 0.
/// FromImage is the DFT of the image with its origin moved from n/2 to 0 (numpy's fft2(ifftshift(image))): a
/// structure centred at n/2 gets a real transform, and the transforms of projections and central slices line up.
/// </summary>
public static class CenteredFourier
{
    /// <summary>Signed frequency of DFT index k: k for k &lt;= (n - 1) / 2, else k - n (even n: n/2 maps to -n/2).</summary>
    public static int SignedFrequency(int index, int n) => index <= (n - 1) / 2 ? index : index - n;

    /// <summary>DFT index of a signed frequency, wrapped into [0, n).</summary>
    public static int FrequencyIndex(int frequency, int n)
    {
        int k = frequency % n;
        return k < 0 ? k + n : k;
    }

    /// <summary>Unnormalised 2D DFT of an n x n image [y][x] whose origin is pixel (n/2, n/2); output [ky][kx], unshifted.</summary>
    public static void FromImage(ReadOnlySpan<float> image, int n, Span<Complex> output)
    {
        CheckBox(n);
        Fft.ForwardReal2DCore(image, n, n, n / 2, n / 2, output);
    }

    /// <summary>
    /// Inverse of <see cref="FromImage"/> (with the 1/n^2): the real part of the inverse DFT, origin moved back to
    /// n/2. The transform is not modified.
    /// </summary>
    public static void ToImage(ReadOnlySpan<Complex> transform, int n, Span<float> image)
    {
        CheckBox(n);
        int total = n * n;
        if (transform.Length != total) throw new ArgumentException($"transform holds {transform.Length} elements; {n} x {n} expected", nameof(transform));
        if (image.Length != total) throw new ArgumentException($"image holds {image.Length} elements; {n} x {n} expected", nameof(image));
        var rented = ArrayPool<Complex>.Shared.Rent(total);
        try
        {
            var work = rented.AsSpan(0, total);
            transform.CopyTo(work);
            Fft.Inverse2D(work, n, n);
            int c = n / 2;
            for (int y = 0; y < n; y++)
            {
                var src = work.Slice((y - c + n) % n * n, n);
                var dst = image.Slice(y * n, n);
                for (int x = 0; x < n; x++) dst[x] = (float)src[(x - c + n) % n].Real;
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>Unnormalised 3D DFT of an n^3 volume [z][y][x] whose origin is voxel (n/2, n/2, n/2); output [kz][ky][kx].</summary>
    public static void FromVolume(ReadOnlySpan<float> volume, int n, Span<Complex> output) => FromVolumes(volume, ReadOnlySpan<float>.Empty, n, output);

    /// <summary>
    /// <see cref="FromVolume"/> of <paramref name="real"/> + i <paramref name="imaginary"/> (empty: 0): one complex
    /// transform carries two real maps, which <see cref="FourierVolume.FromRealSpacePair"/> separates by symmetry.
    /// </summary>
    public static void FromVolumes(ReadOnlySpan<float> real, ReadOnlySpan<float> imaginary, int n, Span<Complex> output)
    {
        CheckBox(n);
        long total = (long)n * n * n;
        if (real.Length != total) throw new ArgumentException($"volume holds {real.Length} elements; {n}^3 expected", nameof(real));
        if (!imaginary.IsEmpty && imaginary.Length != total) throw new ArgumentException($"volume holds {imaginary.Length} elements; {n}^3 expected", nameof(imaginary));
        if (output.Length != total) throw new ArgumentException($"output holds {output.Length} elements; {n}^3 expected", nameof(output));
        int c = n / 2;
        bool pair = !imaginary.IsEmpty;
        for (int z = 0; z < n; z++)
        {
            for (int y = 0; y < n; y++)
            {
                // Output x takes input (x + c) mod n: the row's second part, then its first.
                int row = ((z + c) % n * n + (y + c) % n) * n;
                var src = real.Slice(row, n);
                var dst = output.Slice((z * n + y) * n, n);
                var srcIm = pair ? imaginary.Slice(row, n) : ReadOnlySpan<float>.Empty;
                for (int x = 0, from = c; x < n; x++, from = from + 1 == n ? 0 : from + 1)
                    dst[x] = new Complex(src[from], pair ? srcIm[from] : 0);
            }
        }
        Fft.Forward3D(output, n, n, n);
    }

    /// <summary>Inverse of <see cref="FromVolume"/>: real part of the normalised inverse DFT, origin back at n/2.</summary>
    public static void ToVolume(ReadOnlySpan<Complex> transform, int n, Span<float> volume) => ToVolumes(transform, n, volume, Span<float>.Empty);

    /// <summary>
    /// <see cref="ToVolume"/> keeping the imaginary part too, in <paramref name="imaginary"/> (empty: dropped): the
    /// inverse of F1 + i F2 for two Hermitian transforms holds both real maps.
    /// </summary>
    public static void ToVolumes(ReadOnlySpan<Complex> transform, int n, Span<float> real, Span<float> imaginary)
    {
        CheckBox(n);
        int total = checked(n * n * n);
        if (transform.Length != total) throw new ArgumentException($"transform holds {transform.Length} elements; {n}^3 expected", nameof(transform));
        if (real.Length != total) throw new ArgumentException($"volume holds {real.Length} elements; {n}^3 expected", nameof(real));
        if (!imaginary.IsEmpty && imaginary.Length != total) throw new ArgumentException($"volume holds {imaginary.Length} elements; {n}^3 expected", nameof(imaginary));
        var rented = ArrayPool<Complex>.Shared.Rent(total);
        try
        {
            var work = rented.AsSpan(0, total);
            transform.CopyTo(work);
            Fft.Inverse3D(work, n, n, n);
            int c = n / 2;
            bool pair = !imaginary.IsEmpty;
            for (int z = 0; z < n; z++)
            {
                for (int y = 0; y < n; y++)
                {
                    var src = work.Slice(((z - c + n) % n * n + (y - c + n) % n) * n, n);
                    int row = (z * n + y) * n;
                    var dst = real.Slice(row, n);
                    int first = (n - c) % n; // output x reads (x - c) mod n
                    for (int x = 0, from = first; x < n; x++, from = from + 1 == n ? 0 : from + 1) dst[x] = (float)src[from].Real;
                    if (!pair) continue;
                    var dstIm = imaginary.Slice(row, n);
                    for (int x = 0, from = first; x < n; x++, from = from + 1 == n ? 0 : from + 1) dstIm[x] = (float)src[from].Imaginary;
                }
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Phase factor that shifts an image by (dx, dy) pixels: image'(x) = image(x - d) has F'(k) = F(k) e^(-2 pi i k.d / n),
    /// with (kx, ky) signed frequencies. Exact multiples of the period are reduced first, so integer shifts give
    /// phases accurate to an ulp.
    /// </summary>
    public static Complex ShiftPhase(int kx, int ky, double dxPixels, double dyPixels, int n)
    {
        double turns = (kx * dxPixels + ky * dyPixels) / n;
        turns -= Math.Round(turns);
        var (s, c) = Math.SinCos(-2 * Math.PI * turns);
        return new Complex(c, s);
    }

    /// <summary>
    /// Multiplies an unshifted n x n transform [ky][kx] by <see cref="ShiftPhase"/>, moving the image by
    /// (dx, dy) pixels (positive = towards larger x, y). Integer shifts reproduce a circular roll of the image.
    /// </summary>
    public static void ApplyShift(Span<Complex> transform, int n, double dxPixels, double dyPixels)
    {
        CheckBox(n);
        if (transform.Length != n * n) throw new ArgumentException($"transform holds {transform.Length} elements; {n} x {n} expected", nameof(transform));
        if (!double.IsFinite(dxPixels) || !double.IsFinite(dyPixels))
            throw new ArgumentOutOfRangeException(nameof(dxPixels), $"shift must be finite, got ({dxPixels}, {dyPixels})");
        var rented = ArrayPool<Complex>.Shared.Rent(2 * n);
        try
        {
            var px = rented.AsSpan(0, n);
            var py = rented.AsSpan(n, n);
            for (int k = 0; k < n; k++)
            {
                int f = SignedFrequency(k, n);
                px[k] = ShiftPhase(f, 0, dxPixels, 0, n);
                py[k] = ShiftPhase(0, f, 0, dyPixels, n);
            }
            for (int ky = 0; ky < n; ky++)
            {
                var row = transform.Slice(ky * n, n);
                Complex phaseY = py[ky];
                for (int kx = 0; kx < n; kx++) row[kx] *= px[kx] * phaseY;
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    private static void CheckBox(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "box size must be at least 1 pixel");
    }
}
