namespace SweepLab.Simulation;

/// <summary>
/// An isotropic 3D Gaussian: density a * exp(-|r - c|^2 / (2 sigma^2)), centre relative to the box centre.
/// Gaussians are the simulator's building block because their projections are exact 2D Gaussians, so simulated
/// images never share the engine's Fourier-slice interpolation error (no inverse crime).
/// </summary>
public readonly record struct GaussianBlob(double XAngstrom, double YAngstrom, double ZAngstrom, double SigmaAngstrom, double Amplitude)
{
    /// <summary>Integrated density: what "mass" means when a preset sets the subunit's share of the total.</summary>
    public double Mass => Amplitude * Math.Pow(2 * Math.PI * SigmaAngstrom * SigmaAngstrom, 1.5);
}

/// <summary>One ground-truth volume as a set of blobs.</summary>
public sealed record Phantom(string Name, IReadOnlyList<GaussianBlob> Blobs)
{
    public double Mass => Blobs.Sum(b => b.Mass);

    /// <summary>Samples the density on an n^3 grid, origin at n/2 (RELION's centre), row-major [z][y][x].</summary>
    public float[] Render(int box, double pixelSizeAngstrom)
    {
        var volume = new float[box * box * box];
        int c = box / 2;
        var gx = new double[box];
        var gy = new double[box];
        var gz = new double[box];
        foreach (var b in Blobs)
        {
            double s = b.SigmaAngstrom / pixelSizeAngstrom;
            Gaussian1D(gx, c + b.XAngstrom / pixelSizeAngstrom, s);
            Gaussian1D(gy, c + b.YAngstrom / pixelSizeAngstrom, s);
            Gaussian1D(gz, c + b.ZAngstrom / pixelSizeAngstrom, s);
            for (int z = 0; z < box; z++)
            {
                double az = b.Amplitude * gz[z];
                if (az < 1e-12 * b.Amplitude) continue;
                for (int y = 0; y < box; y++)
                {
                    double ayz = az * gy[y];
                    if (ayz < 1e-12 * b.Amplitude) continue;
                    int row = (z * box + y) * box;
                    for (int x = 0; x < box; x++) volume[row + x] += (float)(ayz * gx[x]);
                }
            }
        }
        return volume;
    }

    internal static void Gaussian1D(Span<double> values, double centrePixel, double sigmaPixel)
    {
        double inv = 1 / (2 * sigmaPixel * sigmaPixel);
        for (int i = 0; i < values.Length; i++)
        {
            double d = i - centrePixel;
            values[i] = Math.Exp(-d * d * inv);
        }
    }
}
