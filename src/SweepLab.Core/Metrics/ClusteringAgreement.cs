namespace SweepLab.Core.Metrics;

/// <summary>Accuracy of predicted classes under their best relabelling, with the relabelling that achieves it.</summary>
/// <param name="Accuracy">Fraction of particles whose relabelled class equals the true class, in [0, 1].</param>
/// <param name="TrueClassOfPredicted">For each predicted class, the true class it is matched to (-1 if unmatched,
/// which happens when there are more predicted than true classes).</param>
public sealed record PermutationAccuracy(double Accuracy, IReadOnlyList<int> TrueClassOfPredicted);

/// <summary>
/// Agreement between two partitions of the same particles (ground truth vs result, or two seeds of one config).
/// Both measures ignore how the classes are numbered, since class numbers of a classification are arbitrary.
/// </summary>
public static class ClusteringAgreement
{
    /// <summary>
    /// Largest fraction of particles classified correctly over all one-to-one relabellings of the predicted classes,
    /// found exactly with <see cref="LabelAssignment.MaximumWeight"/> on the confusion matrix (K up to a few hundred).
    /// </summary>
    public static PermutationAccuracy BestPermutationAccuracy(ConfusionMatrix confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        if (confusion.Total == 0) throw new ArgumentException("the confusion matrix is empty: no particles", nameof(confusion));
        var weight = new double[confusion.PredictedClassCount, confusion.TrueClassCount];
        for (int p = 0; p < confusion.PredictedClassCount; p++)
            for (int t = 0; t < confusion.TrueClassCount; t++)
                weight[p, t] = confusion[t, p];
        int[] match = LabelAssignment.MaximumWeight(weight);
        long correct = 0;
        for (int p = 0; p < match.Length; p++)
            if (match[p] >= 0) correct += confusion[match[p], p];
        return new PermutationAccuracy((double)correct / confusion.Total, match);
    }

    /// <inheritdoc cref="BestPermutationAccuracy(ConfusionMatrix)"/>
    public static PermutationAccuracy BestPermutationAccuracy(ReadOnlySpan<int> trueLabels, ReadOnlySpan<int> predictedLabels,
        int trueClassCount, int predictedClassCount)
        => BestPermutationAccuracy(ConfusionMatrix.From(trueLabels, predictedLabels, trueClassCount, predictedClassCount));

    /// <summary>
    /// Adjusted Rand index (Hubert and Arabie 1985): (RI - E[RI]) / (max RI - E[RI]) from pair counts of the
    /// contingency table; 1 for identical partitions, about 0 for independent ones, negative when worse than chance.
    /// Matches scikit-learn's adjusted_rand_score, including its convention of 1 when the denominator vanishes
    /// (both partitions a single class, or both all singletons).
    /// </summary>
    public static double AdjustedRandIndex(ConfusionMatrix confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        if (confusion.Total == 0) throw new ArgumentException("the confusion matrix is empty: no particles", nameof(confusion));
        static double Pairs(long n) => n * (n - 1.0) / 2.0;
        double sumCells = 0;
        for (int t = 0; t < confusion.TrueClassCount; t++)
            for (int p = 0; p < confusion.PredictedClassCount; p++)
                sumCells += Pairs(confusion[t, p]);
        double sumRows = confusion.TrueClassSizes().Sum(Pairs);
        double sumCols = confusion.PredictedClassSizes().Sum(Pairs);
        double totalPairs = Pairs(confusion.Total);
        double expected = totalPairs > 0 ? sumRows * sumCols / totalPairs : 0;
        double maximum = 0.5 * (sumRows + sumCols);
        double denominator = maximum - expected;
        if (denominator == 0) return 1.0;
        return (sumCells - expected) / denominator;
    }

    /// <inheritdoc cref="AdjustedRandIndex(ConfusionMatrix)"/>
    public static double AdjustedRandIndex(ReadOnlySpan<int> labelsA, ReadOnlySpan<int> labelsB, int classCountA, int classCountB)
        => AdjustedRandIndex(ConfusionMatrix.From(labelsA, labelsB, classCountA, classCountB));

    /// <summary>
    /// Fraction of particles whose class differs between two assignments (iteration t-1 vs t): the convergence
    /// measure. Compares raw class numbers; classes keep their identity between iterations of one run.
    /// </summary>
    public static double FractionChanged(ReadOnlySpan<int> previous, ReadOnlySpan<int> current)
    {
        if (previous.Length != current.Length)
            throw new ArgumentException($"assignments differ in length: {previous.Length} and {current.Length}");
        if (previous.Length == 0) throw new ArgumentException("no particles");
        long changed = 0;
        for (int n = 0; n < previous.Length; n++)
            if (previous[n] != current[n]) changed++;
        return (double)changed / previous.Length;
    }
}
