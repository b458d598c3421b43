namespace SweepLab.Core.Metrics;

/// <summary>
/// Counts of particles by (true class, predicted class). Rows are true classes 0..<see cref="TrueClassCount"/>-1,
/// columns predicted classes 0..<see cref="PredictedClassCount"/>-1 (0-based, SweepLab's internal convention).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public int TrueClassCount { get; }
    public int PredictedClassCount { get; }
    public long Total { get; }

    /// <summary>Particles of true class <paramref name="trueClass"/> assigned to <paramref name="predictedClass"/>.</summary>
    public long this[int trueClass, int predictedClass]
    {
        get
        {
            if ((uint)trueClass >= (uint)TrueClassCount) throw new ArgumentOutOfRangeException(nameof(trueClass));
            if ((uint)predictedClass >= (uint)PredictedClassCount) throw new ArgumentOutOfRangeException(nameof(predictedClass));
            return _counts[trueClass * PredictedClassCount + predictedClass];
        }
    }

    private ConfusionMatrix(int trueClassCount, int predictedClassCount, long[] counts)
    {
        TrueClassCount = trueClassCount;
        PredictedClassCount = predictedClassCount;
        _counts = counts;
        long total = 0;
        foreach (long c in counts) total += c;
        Total = total;
    }

    /// <summary>Tabulates two labelings of the same particles; labels must lie in [0, class count).</summary>
    public static ConfusionMatrix From(ReadOnlySpan<int> trueLabels, ReadOnlySpan<int> predictedLabels,
        int trueClassCount, int predictedClassCount)
    {
        if (trueLabels.Length != predictedLabels.Length)
            throw new ArgumentException($"label arrays differ in length: {trueLabels.Length} true, {predictedLabels.Length} predicted");
        if (trueClassCount < 1) throw new ArgumentOutOfRangeException(nameof(trueClassCount), trueClassCount, "at least one class");
        if (predictedClassCount < 1) throw new ArgumentOutOfRangeException(nameof(predictedClassCount), predictedClassCount, "at least one class");
        var counts = new long[(long)trueClassCount * predictedClassCount];
        for (int n = 0; n < trueLabels.Length; n++)
        {
            int t = trueLabels[n], p = predictedLabels[n];
            if ((uint)t >= (uint)trueClassCount)
                throw new ArgumentOutOfRangeException(nameof(trueLabels), $"true label {t} of particle {n} is outside [0, {trueClassCount})");
            if ((uint)p >= (uint)predictedClassCount)
                throw new ArgumentOutOfRangeException(nameof(predictedLabels), $"predicted label {p} of particle {n} is outside [0, {predictedClassCount})");
            counts[t * predictedClassCount + p]++;
        }
        return new ConfusionMatrix(trueClassCount, predictedClassCount, counts);
    }

    /// <summary>Row sums: the number of particles in each true class.</summary>
    public long[] TrueClassSizes()
    {
        var sizes = new long[TrueClassCount];
        for (int t = 0; t < TrueClassCount; t++)
            for (int p = 0; p < PredictedClassCount; p++)
                sizes[t] += _counts[t * PredictedClassCount + p];
        return sizes;
    }

    /// <summary>Column sums: the number of particles in each predicted class.</summary>
    public long[] PredictedClassSizes()
    {
        var sizes = new long[PredictedClassCount];
        for (int t = 0; t < TrueClassCount; t++)
            for (int p = 0; p < PredictedClassCount; p++)
                sizes[p] += _counts[t * PredictedClassCount + p];
        return sizes;
    }
}
