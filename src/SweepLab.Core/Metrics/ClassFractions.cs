namespace SweepLab.Core.Metrics;

/// <summary>
/// How the particles divide among the classes: the split users report ("50/50" or "99.9/0.1") and the collapse flag.
/// Hard fractions count argmax assignments; soft fractions average the posterior weights, which is what the
/// reconstructions actually receive.
/// </summary>
public static class ClassFractions
{
    /// <summary>Fraction of particles with each hard label; labels must lie in [0, <paramref name="classCount"/>).</summary>
    public static double[] Hard(ReadOnlySpan<int> labels, int classCount)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "at least one class");
        if (labels.Length == 0) throw new ArgumentException("no particles", nameof(labels));
        var counts = new long[classCount];
        for (int n = 0; n < labels.Length; n++)
        {
            int k = labels[n];
            if ((uint)k >= (uint)classCount)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {k} of particle {n} is outside [0, {classCount})");
            counts[k]++;
        }
        var fractions = new double[classCount];
        for (int k = 0; k < classCount; k++) fractions[k] = (double)counts[k] / labels.Length;
        return fractions;
    }

    /// <summary>
    /// Mean posterior weight of each class over particles; <paramref name="posteriors"/> is particle-major
    /// (N rows of K weights, each row summing to 1).
    /// </summary>
    public static double[] Soft(ReadOnlySpan<double> posteriors, int classCount)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "at least one class");
        if (posteriors.Length == 0 || posteriors.Length % classCount != 0)
            throw new ArgumentException($"posteriors hold {posteriors.Length} values, not a positive multiple of {classCount} classes", nameof(posteriors));
        int particles = posteriors.Length / classCount;
        var sums = new double[classCount];
        for (int n = 0; n < particles; n++)
        {
            var row = posteriors.Slice(n * classCount, classCount);
            for (int k = 0; k < classCount; k++) sums[k] += row[k];
        }
        for (int k = 0; k < classCount; k++) sums[k] /= particles;
        return sums;
    }

    /// <summary>Smallest class fraction over the largest, in [0, 1]: 1 for an even split, 0 when a class is empty.</summary>
    public static double MinorityToMajorityRatio(ReadOnlySpan<double> fractions)
    {
        if (fractions.Length == 0) throw new ArgumentException("no classes", nameof(fractions));
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double f in fractions) { min = Math.Min(min, f); max = Math.Max(max, f); }
        return max > 0 ? min / max : 0;
    }

    /// <summary>The fractions sorted from largest to smallest: the split as users quote it, independent of class numbering.</summary>
    public static double[] SortedDescending(ReadOnlySpan<double> fractions)
    {
        var sorted = fractions.ToArray();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        return sorted;
    }

    /// <summary>True when some class holds less than <paramref name="floorFraction"/> of the particles (strictly below).</summary>
    public static bool IsCollapsed(ReadOnlySpan<double> fractions, double floorFraction)
    {
        if (!(floorFraction >= 0 && floorFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(floorFraction), floorFraction, "collapse floor must lie in [0, 1]");
        foreach (double f in fractions)
            if (f < floorFraction) return true;
        return false;
    }
}
