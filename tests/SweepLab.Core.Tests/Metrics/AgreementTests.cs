using SweepLab.Core.Metrics;
using SweepLab.Core.Random;

namespace SweepLab.Core.Tests.Metrics;

public class AgreementTests
{
    private static IEnumerable<int[]> Permutations(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        return Rec(p, 0);
        static IEnumerable<int[]> Rec(int[] a, int k)
        {
            if (k == a.Length) { yield return (int[])a.Clone(); yield break; }
            for (int i = k; i < a.Length; i++)
            {
                (a[k], a[i]) = (a[i], a[k]);
                foreach (var q in Rec(a, k + 1)) yield return q;
                (a[k], a[i]) = (a[i], a[k]);
            }
        }
    }

    /// <summary>Best total weight by trying every injective map of the smaller side into the larger.</summary>
    private static double BruteForceBest(double[,] w)
    {
        int rows = w.GetLength(0), cols = w.GetLength(1);
        int n = Math.Max(rows, cols);
        double best = double.NegativeInfinity;
        foreach (var perm in Permutations(n))
        {
            double total = 0;
            for (int i = 0; i < rows; i++)
                if (perm[i] < cols) total += w[i, perm[i]];
            best = Math.Max(best, total);
        }
        return best;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(5, 5)]
    [InlineData(7, 7)]
    [InlineData(3, 5)]
    [InlineData(6, 4)]
    public void Hungarian_finds_the_brute_force_optimum(int rows, int cols)
    {
        for (int trial = 0; trial < 20; trial++)
        {
            var w = new double[rows, cols];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    // small integers make ties common, which is where greedy or buggy matchings go wrong
                    w[i, j] = CounterRng.NextBelow(11, (uint)trial, (ulong)(i * cols + j), (uint)(rows * 10 + cols), 6);
            int[] match = LabelAssignment.MaximumWeight(w);
            double total = 0;
            var usedColumns = new HashSet<int>();
            for (int i = 0; i < rows; i++)
            {
                if (match[i] < 0) continue;
                Assert.True(usedColumns.Add(match[i]), "a column was used twice");
                total += w[i, match[i]];
            }
            Assert.Equal(Math.Min(rows, cols), usedColumns.Count);
            Assert.Equal(BruteForceBest(w), total);
        }
    }

    [Fact]
    public void Accuracy_matches_a_hand_computed_relabelling()
    {
        int[] truth = { 0, 0, 0, 1, 1, 1 };
        int[] predicted = { 1, 1, 0, 0, 0, 0 };
        var result = ClusteringAgreement.BestPermutationAccuracy(truth, predicted, 2, 2);
        // predicted 1 -> true 0 (2 right), predicted 0 -> true 1 (3 right): 5 of 6
        Assert.Equal(5.0 / 6.0, result.Accuracy, 15);
        Assert.Equal(new[] { 1, 0 }, result.TrueClassOfPredicted);
    }

    [Fact]
    public void Accuracy_is_invariant_under_relabelling_and_beats_identity_matching()
    {
        const int n = 3000, k = 6;
        var truth = new int[n];
        var predicted = new int[n];
        for (int i = 0; i < n; i++)
        {
            truth[i] = (int)CounterRng.NextBelow(5, 0, (ulong)i, 0, k);
            // 70 % kept, the rest random
            predicted[i] = CounterRng.NextDouble(5, 1, (ulong)i, 0) < 0.7 ? truth[i] : (int)CounterRng.NextBelow(5, 2, (ulong)i, 0, k);
        }
        double reference = ClusteringAgreement.BestPermutationAccuracy(truth, predicted, k, k).Accuracy;
        Assert.InRange(reference, 0.70, 0.80);
        foreach (var perm in Permutations(k).Where((_, i) => i % 37 == 0))
        {
            var relabelled = predicted.Select(p => perm[p]).ToArray();
            var result = ClusteringAgreement.BestPermutationAccuracy(truth, relabelled, k, k);
            Assert.Equal(reference, result.Accuracy, 15);
            // the recovered map undoes the relabelling
            for (int c = 0; c < k; c++) Assert.Equal(c, result.TrueClassOfPredicted[perm[c]]);
        }
    }

    [Fact]
    public void Accuracy_with_more_predicted_than_true_classes_leaves_one_unmatched()
    {
        int[] truth = { 0, 0, 1, 1 };
        int[] predicted = { 0, 2, 1, 1 };
        var result = ClusteringAgreement.BestPermutationAccuracy(truth, predicted, 2, 3);
        Assert.Equal(0.75, result.Accuracy, 15);
        Assert.Equal(1, result.TrueClassOfPredicted.Count(t => t < 0));
    }

    [Theory]
    // scikit-learn adjusted_rand_score documentation examples
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 1 }, 1.0)]
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 1, 1, 0, 0 }, 1.0)]
    [InlineData(new[] { 0, 0, 1, 2 }, new[] { 0, 0, 1, 1 }, 4.0 / 7.0)]
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 0, 1, 2 }, 4.0 / 7.0)]
    [InlineData(new[] { 0, 0, 0, 0 }, new[] { 0, 1, 2, 3 }, 0.0)]
    [InlineData(new[] { 0, 0, 1, 1 }, new[] { 0, 1, 0, 1 }, -0.5)]
    // degenerate: both a single class, both all singletons (sklearn returns 1)
    [InlineData(new[] { 0, 0, 0 }, new[] { 0, 0, 0 }, 1.0)]
    [InlineData(new[] { 0, 1, 2 }, new[] { 2, 0, 1 }, 1.0)]
    public void Adjusted_rand_index_matches_scikit_learn(int[] a, int[] b, double expected)
    {
        double ari = ClusteringAgreement.AdjustedRandIndex(a, b, a.Max() + 1, b.Max() + 1);
        Assert.Equal(expected, ari, 14);
    }

    [Fact]
    public void Adjusted_rand_index_matches_explicit_pair_counting()
    {
        const int n = 150;
        var a = new int[n];
        var b = new int[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (int)CounterRng.NextBelow(3, 0, (ulong)i, 0, 3);
            b[i] = CounterRng.NextDouble(3, 1, (ulong)i, 0) < 0.5 ? a[i] : (int)CounterRng.NextBelow(3, 2, (ulong)i, 0, 4);
        }
        // pair counts: same/same, same/different, different/same, different/different
        double ss = 0, sd = 0, ds = 0, dd = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                bool sa = a[i] == a[j], sb = b[i] == b[j];
                if (sa && sb) ss++; else if (sa) sd++; else if (sb) ds++; else dd++;
            }
        // Steinley (2004) form of the ARI in pair counts
        double expected = 2 * (ss * dd - sd * ds) / ((ss + sd) * (sd + dd) + (ss + ds) * (ds + dd));
        double ari = ClusteringAgreement.AdjustedRandIndex(a, b, 3, 4);
        Assert.Equal(expected, ari, 12);
        Assert.InRange(ari, 0.1, 0.9);
    }

    [Fact]
    public void Confusion_matrix_counts_and_margins()
    {
        int[] truth = { 0, 0, 1, 1, 1, 2 };
        int[] predicted = { 1, 1, 1, 0, 0, 0 };
        var m = ConfusionMatrix.From(truth, predicted, 3, 2);
        Assert.Equal(2, m[0, 1]);
        Assert.Equal(0, m[0, 0]);
        Assert.Equal(2, m[1, 0]);
        Assert.Equal(1, m[1, 1]);
        Assert.Equal(1, m[2, 0]);
        Assert.Equal(6, m.Total);
        Assert.Equal(new long[] { 2, 3, 1 }, m.TrueClassSizes());
        Assert.Equal(new long[] { 3, 3 }, m.PredictedClassSizes());
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From(new[] { 0, 3 }, new[] { 0, 0 }, 3, 2));
        Assert.Contains("particle 1", ex.Message);
    }

    [Fact]
    public void Fraction_changed_counts_differences()
    {
        Assert.Equal(0.25, ClusteringAgreement.FractionChanged(new[] { 0, 1, 1, 0 }, new[] { 0, 1, 0, 0 }));
        Assert.Equal(0.0, ClusteringAgreement.FractionChanged(new[] { 2, 2 }, new[] { 2, 2 }));
        Assert.Equal(1.0, ClusteringAgreement.FractionChanged(new[] { 0, 1 }, new[] { 1, 0 }));
        Assert.Throws<ArgumentException>(() => ClusteringAgreement.FractionChanged(new[] { 0 }, new[] { 0, 1 }));
    }
}
