namespace SweepLab.Engine.Schedules;

/// <summary>
/// Class similarity as a function of the 0-based iteration t (cryoSPARC's "class similarity" annealed between
/// "anneal start" and "anneal end" iterations):
/// <code>
///   s(t) = 0                                   if t &gt;= end
///   s(t) = s0                                  if t &lt;= start   (and t &lt; end)
///   s(t) = s0 (end - t) / (end - start)        if start &lt; t &lt; end
/// </code>
/// so s is s0 through iteration start, falls linearly, and is exactly 0 from iteration end on. With start = end it
/// steps from s0 to 0 at that iteration.
/// </summary>
public sealed record SimilaritySchedule
{
    public double InitialSimilarity { get; }
    public int AnnealStartIteration { get; }
    public int AnnealEndIteration { get; }

    public SimilaritySchedule(double initialSimilarity, int annealStartIteration, int annealEndIteration)
    {
        if (!(initialSimilarity >= 0 && initialSimilarity <= 1))
            throw new ArgumentOutOfRangeException(nameof(initialSimilarity), initialSimilarity, "class similarity must lie in [0, 1]");
        if (annealStartIteration < 0)
            throw new ArgumentOutOfRangeException(nameof(annealStartIteration), annealStartIteration, "anneal start must be >= 0");
        if (annealEndIteration < annealStartIteration)
            throw new ArgumentOutOfRangeException(nameof(annealEndIteration), annealEndIteration, $"anneal end must be >= anneal start ({annealStartIteration})");
        InitialSimilarity = initialSimilarity;
        AnnealStartIteration = annealStartIteration;
        AnnealEndIteration = annealEndIteration;
    }

    /// <summary>s(t), see the type's summary.</summary>
    public double At(int iteration)
    {
        if (iteration < 0) throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "iterations are 0-based");
        if (iteration >= AnnealEndIteration) return 0.0;
        if (iteration <= AnnealStartIteration) return InitialSimilarity;
        return InitialSimilarity * (AnnealEndIteration - iteration) / (AnnealEndIteration - AnnealStartIteration);
    }
}
