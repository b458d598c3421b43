using SweepLab.Compute;
using SweepLab.Core.Fourier;
using SweepLab.Core.Particles;

namespace SweepLab.Engine;

/// <summary>
/// What the data say before any classification, shared by every configuration of a sweep: the consensus map
/// (all particles, weight 1; gridding-corrected and pre-corrected for projection, as the engine holds class maps), the noise spectrum sigma^2 per shell (mean |X - CTF V_consensus|^2 per Fourier
/// coefficient; heterogeneity adds little to it) and the consensus signal spectrum tau^2. Like cryoSPARC, the noise
/// model comes from the consensus, so configurations differ only in their knobs, not in their noise estimates.
/// </summary>
public sealed record ParticleStatistics(float[] Consensus, double[] NoiseSpectrum, double[] SignalSpectrum, double[] DenominatorSpectrum, int ShellCount)
{
    /// <summary>Wiener regulariser sigma^2 / (T tau^2) per shell (T = regularisation fudge, RELION's default 4).</summary>
    public static float[] Regulariser(ReadOnlySpan<double> noise, ReadOnlySpan<double> signal, double fudge)
    {
        var result = new float[noise.Length];
        double peak = 0;
        foreach (double t in signal) peak = Math.Max(peak, t);
        double floor = Math.Max(peak * 1e-6, double.Epsilon);
        for (int s = 0; s < noise.Length; s++) result[s] = (float)(noise[s] / (fudge * Math.Max(signal[s], floor)));
        return result;
    }

    public static ParticleStatistics Estimate(ClassificationKernels kernels, ParticleSet set, double regularisationFudge)
    {
        int n = set.Count, shells = kernels.ShellCount, m = kernels.Box;
        var all = Enumerable.Range(0, n).ToArray();
        var ones = new float[n];
        Array.Fill(ones, 1f);
        using var sums = kernels.CreateSums(1);
        using var volume = kernels.CreateVolumes(1);
        kernels.Backproject(all, ones, sums);

        // First pass: a light regulariser (a thousandth of the mean denominator per shell) to get a first map.
        var numerator = new float[2 * m * m * m];
        var denominator = new float[m * m * m];
        sums.Download(numerator, denominator);
        var meanDenominator = ShellMean(denominator, m, shells);
        var regulariser = meanDenominator.Select(d => (float)Math.Max(1e-3 * d, 1e-12)).ToArray();
        kernels.Reconstruct(sums, regulariser, volume);
        var correction = VolumeOperations.GriddingCorrection(m, 2);
        GriddingCorrect(volume, m, correction);
        double[] noise = NoiseFromResiduals(kernels, set, volume, all, ones);
        double[] signal = SignalFromSums(numerator, denominator, noise, m, shells);

        // Second pass: the Wiener regulariser from the first estimates, then the final noise spectrum.
        kernels.Reconstruct(sums, Regulariser(noise, signal, regularisationFudge), volume);
        GriddingCorrect(volume, m, correction);
        noise = NoiseFromResiduals(kernels, set, volume, all, ones);
        var consensus = volume.Download();
        signal = SignalFromSums(numerator, denominator, noise, m, shells);
        return new ParticleStatistics(consensus, noise, signal, meanDenominator, shells);
    }

    /// <summary>The consensus is held as the engine holds class maps: pre-corrected for trilinear projection.</summary>
    private static void GriddingCorrect(VolumeStack volume, int m, float[] correction)
    {
        var map = volume.Download();
        VolumeOperations.ApplyRealSpaceMask(map, m, correction);
        volume.UploadVolume(0, map);
    }

    /// <summary>Mean per-coefficient residual power per shell over all particles.</summary>
    private static double[] NoiseFromResiduals(ClassificationKernels kernels, ParticleSet set, VolumeStack volume, int[] all, float[] ones)
    {
        int shells = kernels.ShellCount, n = set.Count;
        var perParticle = new float[(long)n * shells];
        kernels.ShellResiduals(all, [0], volume, ones, perParticle);
        return EmSteps.NoiseFromShellResiduals(perParticle, n, set.Grid, shells);
    }

    /// <summary>
    /// Signal power per shell, unbiased by noise: an unregularised voxel num/den carries noise of variance
    /// sigma^2/den, so tau^2 = mean(|num/den|^2 - sigma^2/den) over voxels with data (floored at a small positive value).
    /// The power of a Wiener-filtered map would underestimate tau^2 where the filter shrinks, and feed back into blur.
    /// </summary>
    internal static double[] SignalFromSums(ReadOnlySpan<float> numerator, ReadOnlySpan<float> denominator, ReadOnlySpan<double> noise, int m, int shells)
    {
        var num = numerator.ToArray();
        var den = denominator.ToArray();
        var sigma2 = noise.ToArray();
        var shellOf = FourierVolume.ShellIndices(m);
        var tau2 = FourierVolume.ShellMean(m, shells, i =>
        {
            double re = num[2 * i] / den[i], im = num[2 * i + 1] / den[i];
            return re * re + im * im - sigma2[shellOf[i]] / den[i];
        }, i => den[i] > 0);
        double peak = tau2.Max();
        for (int s = 0; s < shells; s++) tau2[s] = Math.Max(tau2[s], 1e-4 * peak);
        return tau2;
    }

    /// <summary>Mean of a real M^3 centred grid per shell.</summary>
    internal static double[] ShellMean(ReadOnlySpan<float> grid, int m, int shells)
    {
        var values = grid.ToArray();
        return FourierVolume.ShellMean(m, shells, i => values[i]);
    }

    /// <summary>
    /// Spectral SNR a class map would have per shell if the data split evenly into <paramref name="classes"/>:
    /// tau^2 mean(den) / (K sigma^2), the signal-to-noise of one reconstructed voxel.
    /// </summary>
    public double ClassSsnr(int shell, int classes) => SignalSpectrum[shell] * DenominatorSpectrum[shell] / (classes * NoiseSpectrum[shell]);

    /// <summary>
    /// 1/sigma^2 per shell for the likelihood, zero beyond the first shell where a class map's SSNR falls below 1:
    /// past that "current resolution" (RELION's term) the maps hold mostly their own particles' noise, and each
    /// particle would be drawn toward the class it last fed. Per shell (coloured) or one pooled value (white).
    /// </summary>
    public float[] InverseNoise(Configuration.NoiseModel model, ParticleSet set, int classes)
    {
        var result = InverseNoise(model, set);
        for (int s = LikelihoodShellCount(classes); s < ShellCount; s++) result[s] = 0;
        return result;
    }

    /// <summary>Shells 0 .. n-1 enter the likelihood: n is the first shell (from 1) whose class SSNR is below 1.</summary>
    public int LikelihoodShellCount(int classes)
    {
        for (int s = 1; s < ShellCount; s++)
            if (ClassSsnr(s, classes) < 1) return s;
        return ShellCount;
    }

    /// <summary>The finest resolution the likelihood uses (Angstrom): its "current resolution".</summary>
    public double LikelihoodResolutionAngstrom(int classes, FourierCrop grid) =>
        grid.OriginalBox * grid.OriginalPixelSizeAngstrom / Math.Max(1, LikelihoodShellCount(classes) - 1);

    /// <summary>The noise spectrum the likelihood uses: per shell (coloured) or its pixel-weighted mean (white).</summary>
    public float[] InverseNoise(Configuration.NoiseModel model, ParticleSet set)
    {
        var result = new float[ShellCount];
        if (model == Configuration.NoiseModel.White)
        {
            double sum = 0;
            long count = 0;
            foreach (short s in set.Grid.ShellValues) { sum += NoiseSpectrum[s]; count++; }
            Array.Fill(result, (float)(count / sum));
        }
        else
        {
            for (int s = 0; s < ShellCount; s++) result[s] = (float)(1 / NoiseSpectrum[s]);
        }
        return result;
    }
}
