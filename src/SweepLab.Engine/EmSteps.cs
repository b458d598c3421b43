using SweepLab.Core.Fourier;
using SweepLab.Core.Random;
using SweepLab.Engine.Configuration;

namespace SweepLab.Engine;

/// <summary>
/// The per-iteration steps that the knobs noise_update, tau2_source, resolution_schedule and initialisation = consensus
/// switch on, each a pure function of its inputs so it can be tested alone (RELION's Class3D does each of them inside
/// one 10,000-line optimiser; see ../shared/RELION-CLASS3D.md for the source reading they follow).
/// </summary>
public static class EmSteps
{
    /// <summary>RELION's minres_map: the lowest shells are reconstructed without a regulariser.</summary>
    public const int UnregularisedShells = 5;

    /// <summary>Shells RELION adds beyond the last one with class SSNR >= 1 ("current_size = 2 (maxres + 10)").</summary>
    public const int ResolutionMarginShells = 10;

    /// <summary>
    /// Inverse noise per shell for the likelihood: 1/sigma^2(s) for shells in [<paramref name="firstShell"/>,
    /// <paramref name="lastShell"/>], 0 elsewhere. White: one pooled variance (pixel-weighted mean of the shells in range).
    /// </summary>
    public static float[] LikelihoodWeights(ReadOnlySpan<double> noise, NoiseModel model, FourierCrop grid, int firstShell, int lastShell)
    {
        var result = new float[noise.Length];
        if (model == NoiseModel.White)
        {
            double sum = 0;
            long count = 0;
            foreach (short s in grid.ShellValues)
                if (s >= firstShell && s <= lastShell) { sum += noise[s]; count++; }
            float pooled = count > 0 ? (float)(count / sum) : 0;
            for (int s = Math.Max(0, firstShell); s <= Math.Min(lastShell, noise.Length - 1); s++) result[s] = pooled;
        }
        else
        {
            for (int s = Math.Max(0, firstShell); s <= Math.Min(lastShell, noise.Length - 1); s++) result[s] = (float)(1 / noise[s]);
        }
        return result;
    }

    /// <summary>
    /// Noise spectrum from per-particle, per-shell residual power (posterior-weighted over classes, as
    /// ClassificationKernels.ShellResiduals gives it): sigma^2(s) = sum_i R_is / (b Npix(s)), the mean power per
    /// complex coefficient. Empty or non-positive shells take the previous shell's value.
    /// </summary>
    public static double[] NoiseFromShellResiduals(ReadOnlySpan<float> perParticle, int particles, FourierCrop grid, int shells)
    {
        var pixelsInShell = new long[shells];
        foreach (short s in grid.ShellValues) if (s < shells) pixelsInShell[s]++;
        var noise = new double[shells];
        for (int i = 0; i < particles; i++)
            for (int s = 0; s < shells; s++) noise[s] += perParticle[i * shells + s];
        double last = 0;
        for (int s = 0; s < shells; s++)
        {
            noise[s] = pixelsInShell[s] > 0 ? noise[s] / ((double)particles * pixelsInShell[s]) : last;
            if (!(noise[s] > 0)) noise[s] = last > 0 ? last : 1;
            last = noise[s];
        }
        return noise;
    }

    /// <summary>
    /// Wiener regulariser of one class from its own previous map (RELION's Class3D): sigma^2(s) / (T tau^2_k(s)) with
    /// tau^2_k = the map's shell power, none below <see cref="UnregularisedShells"/>. A shell where the map is empty
    /// gets a regulariser that zeroes it (RELION: 1000 x the weight), so detail grows only where the class has signal.
    /// </summary>
    public static float[] ClassMapRegulariser(ReadOnlySpan<double> noise, ReadOnlySpan<double> tau2, double fudge)
    {
        var result = new float[noise.Length];
        for (int s = UnregularisedShells; s < noise.Length; s++)
        {
            double t = s < tau2.Length ? tau2[s] : 0;
            result[s] = t > 0 ? (float)Math.Min(noise[s] / (fudge * t), 1e30) : 1e30f;
        }
        return result;
    }

    /// <summary>
    /// RELION's next likelihood limit: per class, the last shell before the first (from 1) whose SSNR
    /// T tau^2_k(s) mean(den_k)(s) / sigma^2(s) falls below 1; the best class wins; plus <see cref="ResolutionMarginShells"/>,
    /// at least <see cref="UnregularisedShells"/> and at most <paramref name="maxShell"/>. Classes with no weight are skipped.
    /// </summary>
    public static int NextLikelihoodShell(IReadOnlyList<double[]> tau2, IReadOnlyList<double[]> meanDenominator, ReadOnlySpan<double> noise,
        double fudge, int maxShell)
    {
        int best = UnregularisedShells;
        for (int k = 0; k < tau2.Count; k++)
        {
            var den = meanDenominator[k];
            if (!(den.Sum() > 0)) continue;
            int last = 0;
            for (int s = 1; s < Math.Min(noise.Length, den.Length); s++)
            {
                double ssnr = fudge * tau2[k][s] * den[s] / noise[s];
                if (!(ssnr >= 1)) break;
                last = s;
            }
            best = Math.Max(best, last);
        }
        return Math.Min(maxShell, best + ResolutionMarginShells);
    }

    /// <summary>First likelihood limit of the grow schedule: the initial low-pass shell, rounded, plus the margin.</summary>
    public static int InitialLikelihoodShell(FourierCrop grid, double lowpassAngstrom, int maxShell) =>
        Math.Min(maxShell, (int)Math.Round(grid.OriginalBox * grid.OriginalPixelSizeAngstrom / lowpassAngstrom) + ResolutionMarginShells);

    /// <summary>
    /// One-hot posteriors of a random hard partition: particle i goes to class floor(u K), u from
    /// (seed, <see cref="EngineRngStreams.RandomPartition"/>, i), so a particle's class does not depend on the batching.
    /// </summary>
    public static void RandomPartition(ulong seed, ReadOnlySpan<int> batch, int classes, Span<double> posteriors, Span<double> ess)
    {
        posteriors.Clear();
        for (int i = 0; i < batch.Length; i++)
        {
            int k = (int)CounterRng.NextBelow(seed, EngineRngStreams.RandomPartition, (ulong)batch[i], 0, (ulong)classes);
            posteriors[i * classes + k] = 1;
            ess[i] = 1;
        }
    }

    /// <summary>
    /// Focused classification (a focus mask): the classes may differ only inside the mask. Each real-space map becomes
    /// the classes' weighted mean C = sum_k w_k V_k / sum_k w_k plus its own difference from it inside the mask,
    /// V_k = C + M (V_k - C). Outside the mask every class is then the same map, so that region drops out of every
    /// likelihood ratio between classes: its reconstruction noise no longer votes, and a particle's class is decided by
    /// the region the user suspects varies (cryoSPARC's focus mask; RELION reaches the same by subtracting the signal
    /// outside the mask from the particles).
    /// </summary>
    /// <param name="maps">The K maps in real space (M^3, the layout of <paramref name="focusMask"/>), changed in place.</param>
    /// <param name="weights">Class weights of the mean (the run's class priors); they need not sum to 1.</param>
    /// <param name="focusMask">Real-space mask on the cropped box, values in [0, 1].</param>
    public static void FocusClassDifferences(IReadOnlyList<float[]> maps, IReadOnlyList<double> weights, ReadOnlySpan<float> focusMask)
    {
        if (maps.Count != weights.Count) throw new ArgumentException($"{weights.Count} weights for {maps.Count} maps", nameof(weights));
        double total = 0;
        foreach (double w in weights) total += w;
        if (!(total > 0)) throw new ArgumentException("class weights sum to zero", nameof(weights));
        for (int i = 0; i < focusMask.Length; i++)
        {
            double mean = 0;
            for (int k = 0; k < maps.Count; k++) mean += weights[k] / total * maps[k][i];
            for (int k = 0; k < maps.Count; k++) maps[k][i] = (float)(mean + focusMask[i] * (maps[k][i] - mean));
        }
    }
}
