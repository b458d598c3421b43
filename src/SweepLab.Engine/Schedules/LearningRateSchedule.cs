namespace SweepLab.Engine.Schedules;

/// <summary>
/// Online-EM learning rate by 0-based iteration t:
/// <code>
///   eta(t) = eta0 0.5^(t / half_life)   for O-EM iterations (t &lt; O-EM iteration count), half_life &gt; 0
///   eta(t) = eta0                       for O-EM iterations when half_life = 0 (fixed rate)
///   eta(t) = 1                          for the final full-batch iterations
/// </code>
/// The rate is the weight of the current batch's sufficient statistics when blended into the running ones,
/// running = (1 - eta) running + eta batch. A full-batch iteration sees every particle, so its statistics are
/// complete and replace the running estimate (rate 1), as in batch EM. Iteration 0 has no running statistics to blend
/// with, so the rate a run uses there is 1 whatever eta0 (<see cref="RateUsed"/>); <see cref="At"/> is the curve itself,
/// whose eta0 and half-lives the reports read from iterations 1 on.
/// </summary>
public sealed record LearningRateSchedule
{
    public double InitialRate { get; }
    public double HalfLifeIterations { get; }
    public int OemIterationCount { get; }

    public LearningRateSchedule(double initialRate, double halfLifeIterations, int oemIterationCount)
    {
        if (!(initialRate > 0 && initialRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(initialRate), initialRate, "learning rate must lie in (0, 1]");
        if (!(halfLifeIterations >= 0) || !double.IsFinite(halfLifeIterations))
            throw new ArgumentOutOfRangeException(nameof(halfLifeIterations), halfLifeIterations, "half-life must be finite and >= 0 iterations");
        if (oemIterationCount < 0) throw new ArgumentOutOfRangeException(nameof(oemIterationCount), oemIterationCount, "iteration count must be >= 0");
        InitialRate = initialRate;
        HalfLifeIterations = halfLifeIterations;
        OemIterationCount = oemIterationCount;
    }

    /// <summary>eta(t), see the type's summary.</summary>
    public double At(int iteration)
    {
        if (iteration < 0) throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "iterations are 0-based");
        if (iteration >= OemIterationCount) return 1.0;
        if (HalfLifeIterations == 0) return InitialRate;
        return InitialRate * Math.Pow(0.5, iteration / HalfLifeIterations);
    }

    /// <summary>
    /// The weight iteration t's batch gets in the blend, as the run uses it and iterations.csv records it: 1 at
    /// iteration 0 (the first batch's statistics are the only ones), eta(t) from <see cref="At"/> after.
    /// </summary>
    public double RateUsed(int iteration) => iteration == 0 ? 1.0 : At(iteration);
}
