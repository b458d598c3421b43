namespace SweepLab.Sweeps;

/// <summary>
/// Where an adaptive search stands as it hands the runner its next batch (a boundary wave, a halving rung). Progress
/// of a search is counted in evaluations (stored runs), not in batches: a boundary search of 5 lines runs 2 batch
/// starts' worth of ends and then up to log2(range / tolerance) waves, so "runs 2/2" of one wave says nothing of the
/// whole. <paramref name="EvaluationsExpected"/> is what the search will have run when it ends, as far as it can tell
/// now: for bisection, lines without a flip stop after their two ends and every other line needs
/// ceil(log2(bracket / tolerance)) more midpoints; for halving, ceil(n / eta) configurations go on per rung. It only
/// shrinks as results come in (lines that do not flip, configurations that cannot be ranked).
/// </summary>
/// <param name="Stage">What the batch is, for people: "wave 3 (bisection 2 of at most 8)", "rung 2 of 3 (oem_epochs = 3)".</param>
/// <param name="Batch">1-based index of the batch.</param>
/// <param name="BatchRuns">Runs in the batch.</param>
/// <param name="EvaluationsDone">Runs of earlier batches that ended (complete, pruned or failed).</param>
/// <param name="EvaluationsExpected">Runs the whole search is expected to take, ended ones included.</param>
/// <param name="Finished">The search has ended (no batch follows): done and expected are final. Only a search that
/// ran to its end says so, not one stopped by a budget or cancellation.</param>
public sealed record SearchProgress(string Stage, int Batch, int BatchRuns, int EvaluationsDone, int EvaluationsExpected, bool Finished = false);
