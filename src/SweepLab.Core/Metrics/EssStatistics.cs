namespace SweepLab.Core.Metrics;

/// <summary>Summary of per-particle ESS values (effective number of classes, 1/sum_k p_k^2, in [1, K]).</summary>
/// <param name="Mean">Mean ESS over particles.</param>
/// <param name="Median">Median ESS (mean of the two middle values for an even count).</param>
/// <param name="BinCounts">Particles per bin; bin b covers [1 + b w, 1 + (b + 1) w) with w = (K - 1) / bins, the
/// last bin closed so that ESS = K (a uniform posterior) lands in it.</param>
public sealed record EssSummary(double Mean, double Median, IReadOnlyList<long> BinCounts)
{
    /// <summary>Lower edge of bin <paramref name="bin"/> for <paramref name="classCount"/> classes.</summary>
    public double BinLowerEdge(int bin, int classCount) => 1.0 + bin * (classCount - 1.0) / BinCounts.Count;
}

public static class EssStatistics
{
    /// <summary>
    /// Mean, median and a fixed-bin histogram over [1, K] of per-particle ESS. Values within 1e-9 outside [1, K]
    /// (rounding) go to the end bins; anything further out or not finite is an error, since ESS cannot leave [1, K].
    /// </summary>
    public static EssSummary Summarise(ReadOnlySpan<double> ess, int classCount, int binCount = 20)
    {
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "ESS needs at least 2 classes");
        if (binCount < 1) throw new ArgumentOutOfRangeException(nameof(binCount), binCount, "at least one bin");
        if (ess.Length == 0) throw new ArgumentException("no particles", nameof(ess));
        var bins = new long[binCount];
        double width = (classCount - 1.0) / binCount;
        double sum = 0;
        for (int n = 0; n < ess.Length; n++)
        {
            double e = ess[n];
            if (!(e >= 1 - 1e-9 && e <= classCount + 1e-9))
                throw new ArgumentOutOfRangeException(nameof(ess), $"ESS {e} of particle {n} is outside [1, {classCount}]");
            sum += e;
            int b = (int)Math.Floor((e - 1.0) / width);
            bins[Math.Clamp(b, 0, binCount - 1)]++;
        }
        var sorted = ess.ToArray();
        Array.Sort(sorted);
        int mid = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
        return new EssSummary(sum / ess.Length, median, bins);
    }
}
