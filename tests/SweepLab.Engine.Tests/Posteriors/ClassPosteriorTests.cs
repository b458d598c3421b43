using SweepLab.Core.Random;
using SweepLab.Engine.Configuration;
using SweepLab.Engine.Posteriors;

namespace SweepLab.Engine.Tests.Posteriors;

public class ClassPosteriorTests
{
    private static readonly SimilarityModel[] Models = { SimilarityModel.Tempered, SimilarityModel.Mixture };

    /// <summary>Plain posterior computed naively (no max subtraction); valid for small log-likelihoods only.</summary>
    private static double[] NaivePosterior(double[] l, double[] priors)
    {
        var w = l.Select((x, c) => priors[c] * Math.Exp(x)).ToArray();
        double sum = w.Sum();
        return w.Select(x => x / sum).ToArray();
    }

    private static double[] Random(int k, uint stream, double scale)
        => Enumerable.Range(0, k).Select(c => scale * CounterRng.NextNormal(3, stream, (ulong)c, 0)).ToArray();

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Similarity_zero_gives_the_plain_posterior_in_both_models(int k)
    {
        double[] l = Random(k, 1, 3.0);
        double[] priors = Enumerable.Range(1, k).Select(c => (double)c / (k * (k + 1) / 2)).ToArray();
        double[] expected = NaivePosterior(l, priors);
        var p = new double[k];
        foreach (var model in Models)
        {
            ClassPosterior.Soft(l, ClassPosterior.LogPriors(priors), 0.0, model, p);
            for (int c = 0; c < k; c++) Assert.Equal(expected[c], p[c], 14);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Similarity_one_gives_ess_exactly_k_in_both_models(int k)
    {
        double[] l = Random(k, 2, 1e6);
        var p = new double[k];
        foreach (var model in Models)
        {
            foreach (var logPriors in new[] { ClassPosterior.UniformLogPriors(k), ClassPosterior.LogPriors(Enumerable.Range(1, k).Select(c => (double)c / (k * (k + 1) / 2)).ToArray()) })
            {
                ClassPosterior.Soft(l, logPriors, 1.0, model, p);
                Assert.Equal((double)k, ClassPosterior.EffectiveClassCount(p));
                Assert.All(p, x => Assert.Equal(1.0 / k, x));
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void Similarity_one_gives_ess_k_to_rounding_for_other_k(int k)
    {
        var p = new double[k];
        foreach (var model in Models)
        {
            ClassPosterior.Soft(Random(k, 3, 50), ClassPosterior.UniformLogPriors(k), 1.0, model, p);
            Assert.Equal(k, ClassPosterior.EffectiveClassCount(p), 12);
        }
    }

    [Fact]
    public void Tempered_model_raises_the_unnormalised_posterior_to_one_minus_s()
    {
        double[] l = { -2.0, 0.5, 1.0 };
        double[] priors = { 0.2, 0.3, 0.5 };
        const double s = 0.6;
        var w = l.Select((x, c) => Math.Pow(priors[c] * Math.Exp(x), 1 - s)).ToArray();
        var expected = w.Select(x => x / w.Sum()).ToArray();
        var p = new double[3];
        ClassPosterior.Soft(l, ClassPosterior.LogPriors(priors), s, SimilarityModel.Tempered, p);
        for (int c = 0; c < 3; c++) Assert.Equal(expected[c], p[c], 14);
    }

    [Fact]
    public void Mixture_model_blends_the_posterior_with_uniform()
    {
        double[] l = { -2.0, 0.5, 1.0 };
        double[] priors = { 0.2, 0.3, 0.5 };
        const double s = 0.3;
        var q = NaivePosterior(l, priors);
        var p = new double[3];
        ClassPosterior.Soft(l, ClassPosterior.LogPriors(priors), s, SimilarityModel.Mixture, p);
        for (int c = 0; c < 3; c++) Assert.Equal((1 - s) * q[c] + s / 3, p[c], 14);
    }

    [Fact]
    public void Huge_log_likelihoods_are_handled_by_max_subtraction()
    {
        // only differences matter: offsets of 1e9 nats must not overflow or lose the 2-nat gap
        double[] l = { -1e9, -1e9 + 2 };
        var p = new double[2];
        ClassPosterior.Soft(l, ClassPosterior.UniformLogPriors(2), 0, SimilarityModel.Tempered, p);
        Assert.Equal(1 / (1 + Math.Exp(2)), p[0], 9);
        ClassPosterior.Soft(l, ClassPosterior.UniformLogPriors(2), 0.5, SimilarityModel.Tempered, p);
        Assert.Equal(1 / (1 + Math.Exp(1)), p[0], 9);
        // a gap of 1e5 nats: the plain posterior is one-hot to double precision
        ClassPosterior.Soft(new[] { 3e7, 3e7 - 1e5 }, ClassPosterior.UniformLogPriors(2), 0, SimilarityModel.Mixture, p);
        Assert.Equal(new[] { 1.0, 0.0 }, p);
        Assert.Equal(1.0, ClassPosterior.EffectiveClassCount(p));
        // an impossible class (log-likelihood -infinity) gets no weight, except at s = 1
        ClassPosterior.Soft(new[] { double.NegativeInfinity, 0 }, ClassPosterior.UniformLogPriors(2), 0.5, SimilarityModel.Tempered, p);
        Assert.Equal(new[] { 0.0, 1.0 }, p);
        ClassPosterior.Soft(new[] { double.NegativeInfinity, 0 }, ClassPosterior.UniformLogPriors(2), 1.0, SimilarityModel.Tempered, p);
        Assert.Equal(new[] { 0.5, 0.5 }, p);
    }

    [Fact]
    public void Log_sum_exp_is_the_log_evidence_even_for_huge_log_likelihoods()
    {
        double[] priors = { 0.2, 0.5, 0.3 };
        double[] l = { -1.5, 0.25, 2.0 };
        double naive = Math.Log(l.Select((x, c) => priors[c] * Math.Exp(x)).Sum());
        Assert.Equal(naive, ClassPosterior.LogSumExp(l, ClassPosterior.LogPriors(priors)), 14);
        // shifting every L_k by a constant shifts the result by it, without overflow or underflow
        double[] shifted = l.Select(x => x - 1e6).ToArray();
        Assert.Equal(naive - 1e6, ClassPosterior.LogSumExp(shifted, ClassPosterior.LogPriors(priors)), 8);
        // an empty class (prior 0, log prior -infinity) adds nothing
        Assert.Equal(Math.Log(0.5 * Math.Exp(0.25) + 0.5 * Math.Exp(2.0)),
            ClassPosterior.LogSumExp(l, ClassPosterior.LogPriors(new[] { 0.0, 0.5, 0.5 })), 14);
        Assert.Throws<ArgumentException>(() => ClassPosterior.LogSumExp(l, ClassPosterior.UniformLogPriors(2)));
    }

    [Fact]
    public void Hard_assignment_is_one_hot_at_the_argmax_with_ess_exactly_one()
    {
        var p = new double[4];
        int best = ClassPosterior.Hard(new[] { -5.0, 2.0, 1.0, 2.0 }, ClassPosterior.UniformLogPriors(4), p);
        Assert.Equal(1, best); // tie between 1 and 3 goes to the lower index
        Assert.Equal(new[] { 0.0, 1.0, 0.0, 0.0 }, p);
        Assert.Equal(1.0, ClassPosterior.EffectiveClassCount(p));
        // priors count: class 2 wins once its prior outweighs a 1-nat deficit
        best = ClassPosterior.Hard(new[] { -5.0, 2.0, 1.0, 0.0 }, ClassPosterior.LogPriors(new[] { 0.05, 0.05, 0.85, 0.05 }), p);
        Assert.Equal(2, best);
        Assert.Equal(0, ClassPosterior.ArgMax(new[] { 3.0, 3.0 }));
        Assert.Equal(2, ClassPosterior.ArgMax(new[] { 1.0, 2.0, 4.0 }));
    }

    [Fact]
    public void Batch_gives_ess_in_one_to_k_and_hard_gives_ess_one_whatever_s()
    {
        const int n = 500, k = 5;
        var l = new double[n * k];
        for (int i = 0; i < l.Length; i++) l[i] = 4 * CounterRng.NextNormal(8, 0, (ulong)i, 0) - 1e4;
        var post = new double[n * k];
        var ess = new double[n];
        var logPriors = ClassPosterior.UniformLogPriors(k);
        foreach (var model in Models)
        {
            foreach (double s in new[] { 0.0, 0.3, 0.9 })
            {
                ClassPosterior.ComputeBatch(l, logPriors, s, model, hard: false, post, ess);
                Assert.All(ess, e => Assert.InRange(e, 1.0, k + 1e-12));
                for (int i = 0; i < n; i++) Assert.Equal(1.0, post.AsSpan(i * k, k).ToArray().Sum(), 12);
                ClassPosterior.ComputeBatch(l, logPriors, s, model, hard: true, post, ess);
                Assert.All(ess, e => Assert.Equal(1.0, e));
                Assert.Equal(n, post.Count(x => x == 1.0));
            }
        }
    }

    [Fact]
    public void Ess_grows_with_similarity_in_both_models()
    {
        const int n = 200, k = 4;
        var l = new double[n * k];
        for (int i = 0; i < l.Length; i++) l[i] = 20 * CounterRng.NextNormal(9, 0, (ulong)i, 0);
        var logPriors = ClassPosterior.LogPriors(new[] { 0.4, 0.3, 0.2, 0.1 });
        foreach (var model in Models)
        {
            double previous = 0;
            for (int j = 0; j <= 20; j++)
            {
                double mean = ClassPosterior.MeanEffectiveClassCount(l, logPriors, j / 20.0, model);
                Assert.True(mean >= previous - 1e-12, $"{model}: ESS fell at s = {j / 20.0}");
                previous = mean;
            }
            Assert.Equal(k, previous, 12);
        }
    }

    [Theory]
    [InlineData(SimilarityModel.Tempered, 0.75)]
    [InlineData(SimilarityModel.Mixture, 0.75)]
    [InlineData(SimilarityModel.Tempered, 0.5)]
    [InlineData(SimilarityModel.Mixture, 1.0)]
    public void Auto_similarity_finds_the_smallest_s_reaching_the_target_ess(SimilarityModel model, double fraction)
    {
        const int n = 300, k = 4;
        var l = new double[n * k];
        for (int i = 0; i < l.Length; i++) l[i] = 200 * CounterRng.NextNormal(10, 0, (ulong)i, 0) - 5e5;
        var logPriors = ClassPosterior.UniformLogPriors(k);
        double s = ClassPosterior.TuneInitialSimilarity(l, logPriors, model, fraction, tolerance: 1e-9);
        Assert.InRange(s, 0.0, 1.0);
        Assert.True(ClassPosterior.MeanEffectiveClassCount(l, logPriors, s, model) >= fraction * k);
        if (fraction < 1)
        {
            Assert.True(ClassPosterior.MeanEffectiveClassCount(l, logPriors, s - 2e-9, model) < fraction * k);
            // large log-likelihood gaps need a similarity near 1 in the tempered model, not in the mixture
            Assert.InRange(s, model == SimilarityModel.Tempered ? 0.9 : 0.3, 1.0);
        }
    }

    [Fact]
    public void Auto_similarity_is_zero_when_the_posteriors_are_already_spread()
    {
        var l = new double[10 * 3]; // all zero: uniform posteriors, ESS = 3
        Assert.Equal(0.0, ClassPosterior.TuneInitialSimilarity(l, ClassPosterior.UniformLogPriors(3), SimilarityModel.Tempered, 0.9));
    }

    [Fact]
    public void Bad_input_names_the_particle()
    {
        var l = new double[] { 0, 1, double.NaN, 2 };
        var ex = Assert.Throws<ArgumentException>(() =>
            ClassPosterior.ComputeBatch(l, ClassPosterior.UniformLogPriors(2), 0, SimilarityModel.Tempered, false, new double[4], new double[2]));
        Assert.Contains("particle 1", ex.Message);
        var none = new[] { double.NegativeInfinity, double.NegativeInfinity };
        Assert.Throws<ArgumentException>(() =>
            ClassPosterior.ComputeBatch(none, ClassPosterior.UniformLogPriors(2), 0, SimilarityModel.Tempered, false, new double[2], new double[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ClassPosterior.ComputeBatch(new double[2], ClassPosterior.UniformLogPriors(2), 1.5, SimilarityModel.Tempered, false, new double[2], new double[1]));
        Assert.Throws<ArgumentException>(() => ClassPosterior.LogPriors(new[] { 0.5, 0.6 }));
    }
}
