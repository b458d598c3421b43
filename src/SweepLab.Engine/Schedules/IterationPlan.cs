using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Schedules;

/// <summary>What one iteration of a run does, from the pure schedules; the EM loop follows it and reports plot it.</summary>
/// <param name="Index">0-based iteration t.</param>
/// <param name="Epoch">Epoch of the batch's first particle (full-batch iteration j: O-EM epochs + j).</param>
/// <param name="IsFullBatch">True for the final iterations over every particle.</param>
/// <param name="BatchStart">First stream position of the batch (full batch: particle 0); see <see cref="BatchSchedule.BatchRange"/>.</param>
/// <param name="BatchEnd">One past the last stream position (full batch: N).</param>
/// <param name="LearningRate">The rate the run blends with, <see cref="LearningRateSchedule.RateUsed"/>: 1 at iteration 0, eta(t) after.</param>
/// <param name="Similarity">s(t) from <see cref="SimilaritySchedule"/>.</param>
/// <param name="Hard">Whether assignments are one-hot, from <see cref="ResolvedHardSwitch"/>.</param>
public sealed record IterationPlan(int Index, int Epoch, bool IsFullBatch, long BatchStart, long BatchEnd,
    double LearningRate, double Similarity, bool Hard)
{
    public long BatchSize => BatchEnd - BatchStart;
}

/// <summary>The schedules of one run built from its configuration, and the per-iteration plan they give. Every
/// schedule point given in epochs is turned into iterations here, once, on the run's <see cref="RunClock"/>.</summary>
public sealed record RunSchedule(BatchSchedule Batches, SimilaritySchedule Similarity, LearningRateSchedule LearningRate, ResolvedHardSwitch Hard)
{
    /// <summary>
    /// Schedules for <paramref name="particleCount"/> particles. <paramref name="initialSimilarity"/> replaces the
    /// configured class similarity when it was tuned from the data (auto_similarity_target_ess_fraction).
    /// The configuration is validated first (with the particle count), so an invalid one throws
    /// <see cref="ConfigValidationException"/> listing every error.
    /// </summary>
    public static RunSchedule FromConfig(ClassificationConfig config, int particleCount, double? initialSimilarity = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ThrowIfInvalid(particleCount: particleCount);
        var batches = BatchSchedule.FromConfig(config, particleCount);
        var clock = config.Clock(particleCount);
        var (annealStart, annealEnd) = config.AnnealWindow(particleCount);
        return new RunSchedule(
            batches,
            new SimilaritySchedule(initialSimilarity ?? config.ClassSimilarity, annealStart, annealEnd),
            new LearningRateSchedule(config.LearningRateInit, config.LearningRateHalfLife.ToIterations(clock), batches.OemIterationCount),
            new ResolvedHardSwitch(config.HardClassification, config.HardClassification.SwitchIterationOn(clock, annealEnd) ?? 0));
    }

    public int TotalIterationCount => Batches.TotalIterationCount;

    public IterationPlan At(int iteration)
    {
        var (start, end) = Batches.BatchRange(iteration);
        return new IterationPlan(iteration, Batches.EpochOf(iteration), Batches.IsFullBatch(iteration), start, end,
            LearningRate.RateUsed(iteration), Similarity.At(iteration), Hard.IsHard(iteration));
    }

    /// <summary>The plan of every iteration, in order.</summary>
    public IReadOnlyList<IterationPlan> Plan()
    {
        var plan = new IterationPlan[TotalIterationCount];
        for (int t = 0; t < plan.Length; t++) plan[t] = At(t);
        return plan;
    }
}
