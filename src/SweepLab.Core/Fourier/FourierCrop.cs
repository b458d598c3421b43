namespace SweepLab.Core.Fourier;

/// <summary>
/// The Fourier pixels kept after cropping an N-pixel box to a target resolution. Frequencies are signed integers in
/// units of 1/(N * pixel size); a pixel is kept when its radius is at most <see cref="MaxRadius"/>. Only the
/// non-redundant half plane is kept (kx &gt; 0, or kx = 0 and ky &gt;= 0): a real image's transform is Hermitian,
/// so the other half carries no information. The cropped box is what a real-space image of the kept band needs.
/// </summary>
public sealed record FourierCrop
{
    public int OriginalBox { get; }
    public double OriginalPixelSizeAngstrom { get; }
    public double TargetResolutionAngstrom { get; }
    /// <summary>Largest kept radius, in Fourier pixels of the original box: floor(N * pixel / resolution).</summary>
    public int MaxRadius { get; }
    /// <summary>Even box of the cropped images and class volumes: 2 * (MaxRadius + 1), never above the original.</summary>
    public int CroppedBox { get; }
    public double CroppedPixelSizeAngstrom => OriginalBox * OriginalPixelSizeAngstrom / CroppedBox;
    public int PixelCount => Kx.Length;
    internal short[] Kx { get; }
    internal short[] Ky { get; }
    /// <summary>Shell index round(|k|) of each kept pixel, for per-shell noise spectra and FSC.</summary>
    internal short[] Shell { get; }

    public ReadOnlySpan<short> KxValues => Kx;
    public ReadOnlySpan<short> KyValues => Ky;
    public ReadOnlySpan<short> ShellValues => Shell;

    public FourierCrop(int originalBox, double originalPixelSizeAngstrom, double targetResolutionAngstrom)
    {
        if (originalBox < 2) throw new ArgumentOutOfRangeException(nameof(originalBox), originalBox, "box must be at least 2 pixels");
        if (!(originalPixelSizeAngstrom > 0) || !double.IsFinite(originalPixelSizeAngstrom))
            throw new ArgumentOutOfRangeException(nameof(originalPixelSizeAngstrom), originalPixelSizeAngstrom, "pixel size must be positive (Angstrom)");
        double nyquist = 2 * originalPixelSizeAngstrom;
        if (!(targetResolutionAngstrom >= nyquist - 1e-9) || !double.IsFinite(targetResolutionAngstrom))
            throw new ArgumentOutOfRangeException(nameof(targetResolutionAngstrom), targetResolutionAngstrom,
                $"target resolution must be at least Nyquist, 2 x {originalPixelSizeAngstrom:0.###} = {nyquist:0.###} Angstrom");
        OriginalBox = originalBox;
        OriginalPixelSizeAngstrom = originalPixelSizeAngstrom;
        TargetResolutionAngstrom = targetResolutionAngstrom;
        MaxRadius = Math.Min(originalBox / 2, (int)Math.Floor(originalBox * originalPixelSizeAngstrom / targetResolutionAngstrom + 1e-9));
        CroppedBox = Math.Min(originalBox + (originalBox & 1), 2 * (MaxRadius + 1));

        var kx = new List<short>();
        var ky = new List<short>();
        var shell = new List<short>();
        int r2max = MaxRadius * MaxRadius;
        for (int y = -MaxRadius; y <= MaxRadius; y++)
        {
            for (int x = 0; x <= MaxRadius; x++)
            {
                if (x == 0 && y < 0) continue;
                int r2 = x * x + y * y;
                if (r2 > r2max) continue;
                kx.Add((short)x);
                ky.Add((short)y);
                shell.Add((short)Math.Round(Math.Sqrt(r2)));
            }
        }
        Kx = kx.ToArray();
        Ky = ky.ToArray();
        Shell = shell.ToArray();
    }

    /// <summary>Spatial frequency of a kept pixel in 1/Angstrom.</summary>
    public (double Kx, double Ky) FrequencyPerAngstrom(int pixel)
    {
        double scale = 1.0 / (OriginalBox * OriginalPixelSizeAngstrom);
        return (Kx[pixel] * scale, Ky[pixel] * scale);
    }

    /// <summary>Index into an N x N row-major unshifted DFT array ([ky][kx], negative frequencies wrapped).</summary>
    public int FullTransformIndex(int pixel)
    {
        int n = OriginalBox;
        int x = Kx[pixel] < 0 ? Kx[pixel] + n : Kx[pixel];
        int y = Ky[pixel] < 0 ? Ky[pixel] + n : Ky[pixel];
        return y * n + x;
    }
}
