namespace SweepLab.Core.Metrics;

/// <summary>
/// Fourier shell correlation of two volumes, per shell, with the resolutions where it falls below the usual
/// thresholds (0.143 for two half-maps, Rosenthal and Henderson 2003; 0.5 for a map against a reference).
/// </summary>
/// <param name="Box">Box size M in pixels.</param>
/// <param name="PixelSizeAngstrom">Pixel size of the volumes, Angstrom.</param>
/// <param name="Correlation">FSC of shell r = 0 .. M/2 (shell r holds the frequencies with round(|k|) = r, k in
/// Fourier pixels); 0 for a shell where either volume has no power.</param>
/// <param name="ShellVoxelCounts">Number of Fourier voxels in each shell.</param>
public sealed record FscCurve(int Box, double PixelSizeAngstrom, IReadOnlyList<double> Correlation, IReadOnlyList<long> ShellVoxelCounts)
{
    /// <summary>Resolution of shell r in Angstrom: M * pixel / r (infinite for r = 0).</summary>
    public double ShellResolutionAngstrom(double shell) => Box * PixelSizeAngstrom / shell;

    /// <summary>
    /// The resolution (Angstrom) where the curve first falls below <paramref name="threshold"/>: the first shell
    /// r &gt;= 1 with FSC(r) &lt; threshold, the crossing interpolated linearly in spatial frequency between shells
    /// r - 1 and r. When the curve never falls below the threshold the resolution of the outermost shell is
    /// returned and <paramref name="crosses"/> is false (the true resolution is at least that good).
    /// </summary>
    public double ResolutionAngstrom(double threshold, out bool crosses)
    {
        for (int r = 1; r < Correlation.Count; r++)
        {
            if (Correlation[r] < threshold)
            {
                crosses = true;
                double before = Correlation[r - 1], after = Correlation[r];
                double fraction = before > after ? (before - threshold) / (before - after) : 0;
                double shell = r - 1 + Math.Clamp(fraction, 0, 1);
                return ShellResolutionAngstrom(shell);
            }
        }
        crosses = false;
        return ShellResolutionAngstrom(Correlation.Count - 1);
    }

    /// <summary>Resolution at FSC = 0.143, Angstrom (see <see cref="ResolutionAngstrom"/>).</summary>
    public double ResolutionAt0143Angstrom => ResolutionAngstrom(0.143, out _);

    /// <summary>Resolution at FSC = 0.5, Angstrom (see <see cref="ResolutionAngstrom"/>).</summary>
    public double ResolutionAt05Angstrom => ResolutionAngstrom(0.5, out _);
}

public static class FourierShellCorrelation
{
    /// <summary>
    /// FSC(r) = Re sum F1 conj(F2) / sqrt(sum |F1|^2 sum |F2|^2) over the voxels of shell r.
    /// Layout of both inputs: the full M^3 cube of the volume's discrete Fourier transform, centred (zero frequency at
    /// index M/2 in each axis, frequency k = i - M/2 with integer division, for odd and even M alike), x fastest,
    /// complex interleaved (re, im) float32, so 2 M^3 floats. Voxels beyond radius M/2 (the cube's corners) are
    /// left out; sums are in double.
    /// </summary>
    public static FscCurve Compute(ReadOnlySpan<float> volume1, ReadOnlySpan<float> volume2, int box, double pixelSizeAngstrom)
    {
        if (box < 2) throw new ArgumentOutOfRangeException(nameof(box), box, "box must be at least 2 voxels");
        if (!(pixelSizeAngstrom > 0) || !double.IsFinite(pixelSizeAngstrom))
            throw new ArgumentOutOfRangeException(nameof(pixelSizeAngstrom), pixelSizeAngstrom, "pixel size must be positive (Angstrom)");
        long expected = 2L * box * box * box;
        if (volume1.Length != expected) throw new ArgumentException($"volume 1 holds {volume1.Length} floats; {expected} expected for a {box}^3 complex cube", nameof(volume1));
        if (volume2.Length != expected) throw new ArgumentException($"volume 2 holds {volume2.Length} floats; {expected} expected for a {box}^3 complex cube", nameof(volume2));

        int half = box / 2;
        int shells = half + 1;
        var cross = new double[shells];
        var power1 = new double[shells];
        var power2 = new double[shells];
        var counts = new long[shells];
        // shell of each squared radius, computed once
        int maxR2 = 3 * half * half + 3 * box; // generous bound on kx^2 + ky^2 + kz^2
        var shellOfR2 = new int[maxR2 + 1];
        for (int r2 = 0; r2 <= maxR2; r2++)
        {
            int s = (int)Math.Round(Math.Sqrt(r2));
            shellOfR2[r2] = s <= half ? s : -1;
        }

        long index = 0;
        for (int z = 0; z < box; z++)
        {
            int kz = z - half;
            for (int y = 0; y < box; y++)
            {
                int ky = y - half;
                int r2zy = kz * kz + ky * ky;
                for (int x = 0; x < box; x++, index += 2)
                {
                    int kx = x - half;
                    int shell = shellOfR2[r2zy + kx * kx];
                    if (shell < 0) continue;
                    double a = volume1[(int)index], b = volume1[(int)index + 1];
                    double c = volume2[(int)index], d = volume2[(int)index + 1];
                    cross[shell] += a * c + b * d;
                    power1[shell] += a * a + b * b;
                    power2[shell] += c * c + d * d;
                    counts[shell]++;
                }
            }
        }
        var fsc = new double[shells];
        for (int s = 0; s < shells; s++)
        {
            double denominator = Math.Sqrt(power1[s] * power2[s]);
            fsc[s] = denominator > 0 ? cross[s] / denominator : 0;
        }
        return new FscCurve(box, pixelSizeAngstrom, fsc, counts);
    }
}
