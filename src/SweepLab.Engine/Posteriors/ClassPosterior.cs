using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Posteriors;

/// <summary>
/// Class posteriors of the E-step from per-class log-likelihoods, modified by the class similarity s, and the
/// per-particle effective number of classes (ESS). Static functions on spans, allocation-free per particle, so
/// a kernel can take them over; inputs of the per-particle functions are assumed checked by the caller
/// (<see cref="ComputeBatch"/> checks them).
/// </summary>
/// <remarks>
/// <para>Notation: L_k = log p(X | class k) (any magnitude; only differences matter), log pi_k = log class prior,
/// a_k = log pi_k + L_k, and q = softmax(a) the plain posterior.</para>
/// <para>What the public sources say about cryoSPARC's class similarity (3D Classification and ab-initio share it):
/// the tooltip calls it the "expected similarity of structures from different classes", 0 = independent, 1 = very
/// similar; a cryoSPARC developer (discuss.cryosparc.com, "Class similarity definition in 3D classification?",
/// thread 13633) describes it as a fudge factor that forces particles to spread probability mass over the classes, where
/// 1.0 forces every particle into every class equally regardless of the E-step probabilities and 0.0 uses those
/// probabilities as computed; another (thread "Option to do reconstruction of each class in 3D classification (BETA)",
/// thread 7807) calls the constant "Beta" and says the auto-tuning raises it until the empirical class ESS reaches the
/// target, after which it is annealed to 0. No public source gives the formula between the end points, so two
/// readings that honour both end points are offered as <see cref="SimilarityModel"/>:</para>
/// <list type="bullet">
/// <item><b>Tempered</b>: p_k proportional to exp((1 - s) a_k) = (pi_k p(X|k))^(1 - s), a softmax at temperature
/// 1 / (1 - s). s = 0 gives q, s = 1 gives exactly 1/K whatever the priors (the prior is tempered too, so that s = 1
/// means "equally", as documented). With equal priors this is pi_k exp((1 - s) L_k), the tempered likelihood.
/// Its effect depends on the scale of the log-likelihoods: with differences of thousands of nats, s must be very
/// close to 1 before the posterior spreads (the "knife edge" users report).</item>
/// <item><b>Mixture</b>: p_k = (1 - s) q_k + s / K, a floor of s/K on every class independent of the data's scale.</item>
/// </list>
/// <para>Hard classification replaces the posterior with the one-hot argmax of a (ties to the lowest class index)
/// and ignores s, as "force hard classification" is described: ESS is then exactly 1.</para>
/// </remarks>
public static class ClassPosterior
{
    /// <summary>
    /// Posterior weights of one particle into <paramref name="posterior"/> (length K).
    /// <paramref name="logLikelihoods"/>: L_k, finite or -infinity, at least one finite; <paramref name="logPriors"/>:
    /// log pi_k (-infinity for an empty class, at least one finite sum a_k); s in [0, 1].
    /// </summary>
    public static void Soft(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors, double similarity,
        SimilarityModel model, Span<double> posterior)
    {
        int k = logLikelihoods.Length;
        if (similarity >= 1.0)
        {
            // both models give exactly the uniform distribution; skip the data (0 x -infinity would be NaN)
            double u = 1.0 / k;
            for (int c = 0; c < k; c++) posterior[c] = u;
            return;
        }
        double temperatureFactor = model == SimilarityModel.Tempered ? 1.0 - similarity : 1.0;
        for (int c = 0; c < k; c++) posterior[c] = temperatureFactor * (logPriors[c] + logLikelihoods[c]);
        var (_, sum) = ExpShifted(posterior);
        double inv = 1.0 / sum;
        if (model == SimilarityModel.Mixture && similarity > 0)
        {
            double keep = (1.0 - similarity) * inv, floor = similarity / k;
            for (int c = 0; c < k; c++) posterior[c] = posterior[c] * keep + floor;
        }
        else
        {
            for (int c = 0; c < k; c++) posterior[c] *= inv;
        }
    }

    /// <summary>
    /// log sum_k pi_k exp(L_k) = log sum_k exp(log pi_k + L_k), the log evidence of one particle (up to the likelihood's
    /// constant), computed stably by the same shifted exponentials as <see cref="Soft"/>; -infinity terms add nothing.
    /// </summary>
    public static double LogSumExp(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors)
    {
        int k = logLikelihoods.Length;
        if (logPriors.Length != k) throw new ArgumentException($"{logPriors.Length} log priors for {k} log-likelihoods", nameof(logPriors));
        Span<double> a = k <= 256 ? stackalloc double[k] : new double[k];
        for (int c = 0; c < k; c++) a[c] = logLikelihoods[c] + logPriors[c];
        var (max, sum) = ExpShifted(a);
        return max + Math.Log(sum);
    }

    /// <summary>
    /// Replaces every a_c by exp(a_c - max a) and returns (max a, sum of the exponentials): the overflow-free core that
    /// the softmax (<see cref="Soft"/>) and the log-sum-exp (<see cref="LogSumExp"/>) share.
    /// </summary>
    private static (double Max, double Sum) ExpShifted(Span<double> a)
    {
        double max = double.NegativeInfinity;
        foreach (double v in a) if (v > max) max = v;
        double sum = 0;
        for (int c = 0; c < a.Length; c++)
        {
            double e = Math.Exp(a[c] - max);
            a[c] = e;
            sum += e;
        }
        return (max, sum);
    }

    /// <summary>One-hot weights at the argmax of log pi_k + L_k (ties to the lowest index); returns that class.</summary>
    public static int Hard(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors, Span<double> posterior)
    {
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int c = 0; c < logLikelihoods.Length; c++)
        {
            double a = logPriors[c] + logLikelihoods[c];
            if (a > bestValue) { bestValue = a; best = c; }
            posterior[c] = 0.0;
        }
        posterior[best] = 1.0;
        return best;
    }

    /// <summary>Index of the largest value, ties to the lowest index (the hard class of a posterior).</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int c = 1; c < values.Length; c++)
            if (values[c] > values[best]) best = c;
        return best;
    }

    /// <summary>ESS = 1 / sum_k p_k^2 of a normalised posterior: 1 for one-hot, K for uniform.</summary>
    public static double EffectiveClassCount(ReadOnlySpan<double> posterior)
    {
        double sumSq = 0;
        foreach (double p in posterior) sumSq += p * p;
        return 1.0 / sumSq;
    }

    /// <summary>
    /// Posteriors and ESS of a batch. <paramref name="logLikelihoods"/> is particle-major (N rows of K values),
    /// <paramref name="posteriors"/> the same shape, <paramref name="ess"/> length N. With <paramref name="hard"/>,
    /// one-hot argmax weights (ESS 1) regardless of s. Inputs are checked here once: a NaN or +infinity
    /// log-likelihood, or a particle with no finite log pi_k + L_k, throws naming the particle.
    /// </summary>
    public static void ComputeBatch(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors, double similarity,
        SimilarityModel model, bool hard, Span<double> posteriors, Span<double> ess)
    {
        int k = logPriors.Length;
        int n = CheckBatch(logLikelihoods, logPriors, similarity, model);
        if (posteriors.Length != logLikelihoods.Length)
            throw new ArgumentException($"posteriors hold {posteriors.Length} values; {logLikelihoods.Length} expected", nameof(posteriors));
        if (ess.Length != n) throw new ArgumentException($"ess holds {ess.Length} values; {n} particles expected", nameof(ess));
        for (int i = 0; i < n; i++)
        {
            var l = logLikelihoods.Slice(i * k, k);
            var p = posteriors.Slice(i * k, k);
            if (hard)
            {
                Hard(l, logPriors, p);
                ess[i] = 1.0;
            }
            else
            {
                Soft(l, logPriors, similarity, model, p);
                ess[i] = EffectiveClassCount(p);
            }
        }
    }

    /// <summary>Mean ESS over a batch at similarity s (soft posteriors), without storing the posteriors.</summary>
    public static double MeanEffectiveClassCount(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors,
        double similarity, SimilarityModel model)
    {
        int k = logPriors.Length;
        int n = CheckBatch(logLikelihoods, logPriors, similarity, model);
        return MeanEssUnchecked(logLikelihoods, logPriors, similarity, model, n, k);
    }

    /// <summary>
    /// The auto-tuned initial similarity: the smallest s in [0, 1] whose mean ESS over the batch is at least
    /// <paramref name="targetEssFraction"/> x K (cryoSPARC's "target class ESS fraction"), by bisection to
    /// <paramref name="tolerance"/>. Mean ESS rises monotonically with s in both models (for the tempered model,
    /// sum_k p_k^2 of a softmax grows with the inverse temperature; for the mixture it is a quadratic in s with its
    /// minimum at s = 1), and equals K at s = 1, so every target in (0, 1] is reached. Returns 0 when the plain
    /// posteriors already reach the target.
    /// </summary>
    public static double TuneInitialSimilarity(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors,
        SimilarityModel model, double targetEssFraction, double tolerance = 1e-6)
    {
        if (!(targetEssFraction > 0 && targetEssFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(targetEssFraction), targetEssFraction, "target ESS fraction must lie in (0, 1]");
        if (!(tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be positive");
        int k = logPriors.Length;
        int n = CheckBatch(logLikelihoods, logPriors, 0, model);
        double target = targetEssFraction * k;
        if (MeanEssUnchecked(logLikelihoods, logPriors, 0, model, n, k) >= target) return 0;
        double lo = 0, hi = 1; // invariant: mean ESS(lo) < target <= mean ESS(hi)
        while (hi - lo > tolerance)
        {
            double mid = 0.5 * (lo + hi);
            if (MeanEssUnchecked(logLikelihoods, logPriors, mid, model, n, k) >= target) hi = mid;
            else lo = mid;
        }
        return hi;
    }

    private static double MeanEssUnchecked(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors,
        double similarity, SimilarityModel model, int n, int k)
    {
        Span<double> scratch = k <= 256 ? stackalloc double[k] : new double[k];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            Soft(logLikelihoods.Slice(i * k, k), logPriors, similarity, model, scratch);
            sum += EffectiveClassCount(scratch);
        }
        return sum / n;
    }

    /// <summary>Log priors from class priors (fractions summing to 1); a prior of 0 gives -infinity (the class gets no weight unless s &gt; 0 in the mixture model or s = 1).</summary>
    public static double[] LogPriors(ReadOnlySpan<double> priors)
    {
        if (priors.Length < 1) throw new ArgumentException("no classes", nameof(priors));
        double sum = 0;
        var log = new double[priors.Length];
        for (int c = 0; c < priors.Length; c++)
        {
            double p = priors[c];
            if (!(p >= 0) || !double.IsFinite(p)) throw new ArgumentOutOfRangeException(nameof(priors), $"prior {p} of class {c} must be finite and >= 0");
            sum += p;
            log[c] = Math.Log(p);
        }
        if (Math.Abs(sum - 1) > 1e-6) throw new ArgumentException($"priors sum to {sum}; they must sum to 1", nameof(priors));
        return log;
    }

    /// <summary>Equal priors 1/K as logs.</summary>
    public static double[] UniformLogPriors(int classCount)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "at least one class");
        var log = new double[classCount];
        Array.Fill(log, -Math.Log(classCount));
        return log;
    }

    private static int CheckBatch(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<double> logPriors, double similarity, SimilarityModel model)
    {
        int k = logPriors.Length;
        if (k < 1) throw new ArgumentException("no classes", nameof(logPriors));
        if (logLikelihoods.Length % k != 0)
            throw new ArgumentException($"log-likelihoods hold {logLikelihoods.Length} values, not a multiple of {k} classes", nameof(logLikelihoods));
        if (!(similarity >= 0 && similarity <= 1)) throw new ArgumentOutOfRangeException(nameof(similarity), similarity, "class similarity must lie in [0, 1]");
        if (!Enum.IsDefined(model)) throw new ArgumentOutOfRangeException(nameof(model), model, "unknown similarity model");
        foreach (double lp in logPriors)
            if (double.IsNaN(lp) || double.IsPositiveInfinity(lp)) throw new ArgumentException($"log prior {lp} is not a log probability", nameof(logPriors));
        int n = logLikelihoods.Length / k;
        for (int i = 0; i < n; i++)
        {
            bool anyFinite = false;
            for (int c = 0; c < k; c++)
            {
                double l = logLikelihoods[i * k + c];
                if (double.IsNaN(l) || double.IsPositiveInfinity(l))
                    throw new ArgumentException($"log-likelihood {l} of particle {i}, class {c} is not a finite log density", nameof(logLikelihoods));
                if (double.IsFinite(l + logPriors[c])) anyFinite = true;
            }
            if (!anyFinite) throw new ArgumentException($"particle {i} has no class with a finite log prior + log-likelihood", nameof(logLikelihoods));
        }
        return n;
    }
}
