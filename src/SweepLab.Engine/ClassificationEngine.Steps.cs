using SweepLab.Compute;
using SweepLab.Core.Fourier;
using SweepLab.Core.Metrics;
using SweepLab.Engine.Configuration;
using SweepLab.Engine.Posteriors;
using SweepLab.Engine.Schedules;

namespace SweepLab.Engine;

// The steps of one online-EM iteration, in the order RunGroup calls them (PlanIteration, BackprojectBatch,
// CompleteIteration), each named after what it does and documented with the knobs that reach it (search a knob's key,
// e.g. noise_update, to find its step). Steps that decide something without the device are internal static functions,
// tested alone (tests/SweepLab.Engine.Tests/Steps).
public sealed partial class ClassificationEngine
{
    /// <summary>The group's weight matrix for <see cref="BackprojectBatch"/>, kept between iterations (batch x all runs' classes).</summary>
    private float[] _groupWeights = [];

    /// <summary>A run's posteriors for this iteration's batch: what its M-step backprojects and its metrics describe.</summary>
    private sealed record RunPosteriors(IterationPlan Plan, double[] Posteriors, double[] Ess, float[] Weights);

    /// <summary>
    /// The first part of one run's iteration after the group's shared E-step: its plan and posteriors
    /// (<see cref="Posteriors"/>), before the group's backprojection (<see cref="BackprojectBatch"/>).
    /// </summary>
    private RunPosteriors PlanIteration(RunState run, int t, int batchSize, double[] loglik)
    {
        if (t == 0) TuneSimilarity(run, loglik);
        var plan = run.Schedule.At(t);
        run.LastPlan = plan;
        var (posteriors, ess) = Posteriors(loglik, run, plan, batchSize);
        var weights = new float[posteriors.Length];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)posteriors[i];
        return new RunPosteriors(plan, posteriors, ess, weights);
    }

    /// <summary>
    /// The rest of one run's iteration once its batch sums hold the batch's backprojection: M-step, resolution, noise,
    /// priors, maps. Returns the iteration's metrics without its wall time.
    /// </summary>
    private IterationMetrics CompleteIteration(RunState run, int[] batch, double[] loglik, RunPosteriors step, SharedModel shared)
    {
        var plan = step.Plan;
        MStep(run, plan.LearningRate, batch.Length, shared);
        if (run.Config.ResolutionSchedule == ResolutionSchedule.Grow) run.NextLikelihoodShell = GrowResolution(run, shared.Statistics);
        if (run.Config.NoiseUpdate == NoiseUpdate.PerIteration) UpdateNoise(run, batch, step.Weights, shared.Volumes, plan.LearningRate);
        var metrics = BatchMetrics(run, plan, batch, loglik, step.Posteriors, step.Ess);
        run.Priors = UpdatePriors(run.Priors, metrics.ClassFractionsSoft, plan.LearningRate);
        double change = UploadMaps(run, shared.Volumes);
        UpdateLikelihoodWeights(run, shared);
        return metrics with { VolumeChangeRms = change };
    }

    /// <summary>
    /// The batch's posterior-weighted backprojection for every run of the group in one call into each run's batch
    /// sums (<see cref="ClassificationKernels.BackprojectMany"/>): on CPU devices a pixel's rotation and stencil then
    /// serve four class volumes, whichever runs they belong to, and each run's sums are the bits it would get alone.
    /// </summary>
    private void BackprojectBatch(int[] batch, IReadOnlyList<RunState> runs, IReadOnlyList<RunPosteriors> steps)
    {
        int b = batch.Length, v = runs.Sum(r => r.K);
        if (_groupWeights.Length < (long)b * v) _groupWeights = new float[(long)b * v];
        var weights = _groupWeights.AsSpan(0, b * v);
        int column = 0;
        for (int r = 0; r < runs.Count; r++)
        {
            int k = runs[r].K;
            for (int i = 0; i < b; i++) steps[r].Weights.AsSpan(i * k, k).CopyTo(weights.Slice(i * v + column, k));
            column += k;
        }
        _kernels.BackprojectMany(batch, weights, runs.Select(r => r.BatchSums).ToList());
    }

    /// <summary>
    /// The E-step's scores (noise_model, noise_update, resolution_schedule reach it through each run's likelihood
    /// weights): log-likelihoods of the batch under every given run's classes, one array per run in the order given. One
    /// residual pass over each particle scores every class of every run, each with its run's own weights.
    /// </summary>
    private double[][] EStep(int[] batch, IReadOnlyList<RunState> runs, VolumeStack volumes)
    {
        int b = batch.Length, shells = _kernels.ShellCount;
        var indices = runs.SelectMany(r => r.VolumeIndices).ToArray();
        var weights = new float[indices.Length * shells];
        int position = 0;
        foreach (var run in runs)
            for (int k = 0; k < run.K; k++, position++) run.Weights.AsSpan(0, shells).CopyTo(weights.AsSpan(position * shells, shells));
        var residuals = new float[(long)b * indices.Length];
        _kernels.Residuals(batch, indices, volumes, weights, residuals);
        var result = new double[runs.Count][];
        position = 0;
        for (int r = 0; r < runs.Count; r++)
        {
            result[r] = LogLikelihoods(residuals, b, indices.Length, position, runs[r].K);
            position += runs[r].K;
        }
        return result;
    }

    /// <summary>L[i, k] = -residual (sum |X - CTF V_k|^2 / sigma^2): the Gaussian log-likelihood up to a constant.</summary>
    private static double[] LogLikelihoods(float[] residuals, int b, int stride, int offset, int k)
    {
        var loglik = new double[b * k];
        for (int i = 0; i < b; i++)
            for (int c = 0; c < k; c++) loglik[i * k + c] = -residuals[(long)i * stride + offset + c];
        return loglik;
    }

    /// <summary>
    /// auto_similarity_target_ess_fraction: on the first batch, the initial similarity is tuned to the target ESS and
    /// the run's schedules are rebuilt with it.
    /// </summary>
    private void TuneSimilarity(RunState run, double[] loglik)
    {
        if (run.Config.AutoSimilarityTargetEssFraction is not double target) return;
        run.InitialSimilarity = ClassPosterior.TuneInitialSimilarity(loglik, ClassPosterior.LogPriors(run.Priors), run.Config.SimilarityModel, target);
        run.Schedule = RunSchedule.FromConfig(run.Config, _input.Particles.Count, run.InitialSimilarity);
    }

    /// <summary>
    /// Class posteriors and per-particle ESS (class_similarity and its anneal, similarity_model, hard_classification),
    /// from the log-likelihoods and the run's current priors.
    /// </summary>
    private static (double[] Posteriors, double[] Ess) Posteriors(double[] loglik, RunState run, IterationPlan plan, int b)
    {
        var posteriors = new double[b * run.K];
        var ess = new double[b];
        ClassPosterior.ComputeBatch(loglik, ClassPosterior.LogPriors(run.Priors), plan.Similarity, run.Config.SimilarityModel, plan.Hard, posteriors, ess);
        return (posteriors, ess);
    }

    /// <summary>
    /// The M-step (learning_rate_init, learning_rate_half_life_iterations, tau2_source, regularisation_tau2_fudge): the
    /// batch's posterior-weighted backprojection (already in the run's batch sums, <see cref="BackprojectBatch"/>),
    /// blended into the run's running sums at the plan's rate, then divided into new maps (<see cref="Reconstruct"/>)
    /// with the noise spectrum this iteration's E-step used.
    /// </summary>
    private void MStep(RunState run, double rate, int batchSize, SharedModel shared)
    {
        var (keep, add) = SumsBlendFactors(rate, _input.Particles.Count, batchSize);
        _kernels.Blend(run.Running, run.BatchSums, Enumerable.Repeat(keep, run.K).ToArray(), Enumerable.Repeat(add, run.K).ToArray());
        Reconstruct(run, shared);
    }

    /// <summary>
    /// Weights of the online-EM blend of sums, running = keep running + add batch: keep = 1 - rate, and add = rate N / b
    /// because sufficient statistics are kept on the full data's scale (a batch of b stands for N particles).
    /// </summary>
    internal static (float Keep, float Add) SumsBlendFactors(double rate, int particleCount, int batchSize)
        => ((float)(1 - rate), (float)(rate * particleCount / batchSize));

    /// <summary>
    /// The M-step's division: V = num / (den + sigma^2 / (T tau^2)), with tau^2 from each class's own map
    /// (tau2_source = class_map) or the consensus spectrum, and sigma^2 the noise spectrum this iteration's E-step used.
    /// </summary>
    private void Reconstruct(RunState run, SharedModel shared)
    {
        double fudge = run.Config.RegularisationTau2Fudge;
        if (run.Config.Tau2Source == Tau2Source.ClassMap)
            _kernels.Reconstruct(run.Running, run.Tau2.SelectMany(tau2 => EmSteps.ClassMapRegulariser(run.Noise, tau2, fudge)).ToArray(), run.Reconstruction, perVolume: true);
        else
            _kernels.Reconstruct(run.Running, run.UsesSharedWeights ? shared.ConsensusRegulariser
                : ParticleStatistics.Regulariser(run.Noise, shared.Statistics.SignalSpectrum, fudge), run.Reconstruction);
    }

    /// <summary>
    /// resolution_schedule = grow: the next likelihood limit from each class's SSNR, T tau^2_k mean(den_k) / sigma^2,
    /// with den_k the CTF^2 weights the M-step just accumulated and sigma^2 the E-step's noise (see
    /// <see cref="EmSteps.NextLikelihoodShell"/>). Taken up once the maps are updated.
    /// </summary>
    private int GrowResolution(RunState run, ParticleStatistics statistics)
    {
        int m = _kernels.Box, voxels = m * m * m, shells = _kernels.ShellCount;
        var numerator = new float[run.K * 2 * voxels];
        var denominator = new float[run.K * voxels];
        run.Running.Download(numerator, denominator);
        var meanDenominator = Enumerable.Range(0, run.K)
            .Select(k => ParticleStatistics.ShellMean(denominator.AsSpan(k * voxels, voxels), m, shells)).ToArray();
        var tau2 = run.Config.Tau2Source == Tau2Source.ClassMap ? run.Tau2 : Enumerable.Repeat(statistics.SignalSpectrum, run.K).ToArray();
        return EmSteps.NextLikelihoodShell(tau2, meanDenominator, run.Noise, run.Config.RegularisationTau2Fudge, shells - 1);
    }

    /// <summary>
    /// noise_update = per_iteration: the batch's posterior-weighted residual power per shell against the run's current
    /// maps (beyond the maps' extent, the raw image power), blended into the running spectrum with the learning rate.
    /// The E-step of the next iteration uses it.
    /// </summary>
    private void UpdateNoise(RunState run, int[] batch, float[] posteriors, VolumeStack volumes, double rate)
    {
        int shells = _kernels.ShellCount;
        var perParticle = new float[(long)batch.Length * shells];
        _kernels.ShellResiduals(batch, run.VolumeIndices, volumes, posteriors, perParticle);
        var batchNoise = EmSteps.NoiseFromShellResiduals(perParticle, batch.Length, _input.Particles.Grid, shells);
        run.Noise = OnlineBlend(run.Noise, batchNoise, rate);
    }

    /// <summary>The online-EM blend of a running estimate with the batch's: (1 - rate) running + rate batch, element by element.</summary>
    internal static double[] OnlineBlend(IReadOnlyList<double> running, IReadOnlyList<double> batch, double rate)
    {
        if (running.Count != batch.Count) throw new ArgumentException($"{batch.Count} batch values for {running.Count} running ones", nameof(batch));
        var blended = new double[running.Count];
        for (int i = 0; i < blended.Length; i++) blended[i] = (1 - rate) * running[i] + rate * batch[i];
        return blended;
    }

    /// <summary>Class priors follow the batch's soft class fractions with the same learning rate as the maps.</summary>
    internal static double[] UpdatePriors(IReadOnlyList<double> priors, IReadOnlyList<double> softFractions, double rate)
        => OnlineBlend(priors, softFractions, rate);

    /// <summary>
    /// The iteration's measurements (before the maps change): hard labels and the fraction that changed since each
    /// particle's last visit, class fractions, ESS, and the mean log evidence under the priors the E-step used.
    /// Records each particle's label for the next visit.
    /// </summary>
    private static IterationMetrics BatchMetrics(RunState run, IterationPlan plan, int[] batch, double[] loglik, double[] posteriors, double[] ess)
    {
        int b = batch.Length, k = run.K;
        var labels = new int[b];
        int seen = 0, changed = 0;
        double logSum = 0;
        var logPriors = ClassPosterior.LogPriors(run.Priors);
        for (int i = 0; i < b; i++)
        {
            labels[i] = ClassPosterior.ArgMax(posteriors.AsSpan(i * k, k));
            int previous = run.LastClass[batch[i]];
            if (previous >= 0) { seen++; if (previous != labels[i]) changed++; }
            run.LastClass[batch[i]] = labels[i];
            logSum += ClassPosterior.LogSumExp(loglik.AsSpan(i * k, k), logPriors);
        }
        var summary = EssStatistics.Summarise(ess, k);
        return new IterationMetrics(plan.Index, plan.Epoch, plan.IsFullBatch, b, plan.LearningRate, plan.Similarity, plan.Hard,
            ClassFractions.Hard(labels, k), ClassFractions.Soft(posteriors, k), summary.Mean, summary.Median, summary.BinCounts,
            seen > 0 ? (double)changed / seen : double.NaN, logSum / b, 0, 0);
    }

    /// <summary>
    /// The new maps into the shared stack (mask_radius_angstrom, auto_mask, tau2_source, resolution_schedule, the focus
    /// mask): each is low-passed to the likelihood's limit under the grow schedule (RELION reconstructs only within the
    /// shells this iteration used), multiplied by the mask and the gridding correction, focused, uploaded, and its shell power kept for
    /// tau2_source = class_map. Returns the largest relative RMS change of the run's maps.
    /// </summary>
    private double UploadMaps(RunState run, VolumeStack volumes)
    {
        int m = _kernels.Box, floatsPerVolume = 2 * m * m * m, shells = _kernels.ShellCount;
        // The download and the new maps reuse the run's buffers (the maps swap with the previous ones below): fresh
        // arrays of a few MB per class per iteration wait on the large-object heap for a full collection, which a large
        // live heap (a staged set's read buffer) puts off for hundreds of iterations (issue 13).
        var downloaded = run.DownloadBuffer;
        run.Reconstruction.Download(downloaded);
        var maps = run.SpareMaps;
        for (int k = 0; k < run.K; k++)
        {
            var updated = maps[k] ??= new float[floatsPerVolume];
            downloaded.AsSpan(k * floatsPerVolume, floatsPerVolume).CopyTo(updated);
            if (run.Config.ResolutionSchedule == ResolutionSchedule.Grow) VolumeOperations.LowPass(updated, m, run.LikelihoodShell);
        }
        MaskMaps(maps, run.ReconstructionFactor, run.Priors);
        double change = 0;
        for (int k = 0; k < run.K; k++)
        {
            var updated = maps[k];
            volumes.UploadVolume(run.VolumeOffset + k, updated);
            change = Math.Max(change, VolumeOperations.RelativeRmsChange(run.Maps[k], updated));
            (run.Maps[k], maps[k]) = (updated, run.Maps[k]);
            if (run.Config.Tau2Source == Tau2Source.ClassMap) run.Tau2[k] = FourierVolume.ShellPower(updated, m, shells);
        }
        return change;
    }

    /// <summary>
    /// The real-space step of new maps: each multiplied by <paramref name="factor"/> (solvent mask and gridding
    /// correction), then, with a focus mask given with the data (classify --focus-mask, the dataset's focus_mask),
    /// focused (<see cref="EmSteps.FocusClassDifferences"/>, weighted by the class priors): one inverse and one forward
    /// complex transform per two classes, whether focused or not.
    /// </summary>
    private void MaskMaps(IReadOnlyList<float[]> maps, ReadOnlySpan<float> factor, IReadOnlyList<double> classWeights)
    {
        int m = _kernels.Box;
        int voxels = m * m * m;
        // Pooled: every iteration (map-sized garbage piles up on the large-object heap, issue 13).
        var real = maps.Select(_ => System.Buffers.ArrayPool<float>.Shared.Rent(voxels)).ToArray();
        try
        {
            VolumeOperations.ToMaskedRealSpace(maps, m, factor, real);
            if (_input.FocusMask is { } focus) EmSteps.FocusClassDifferences(real, classWeights, focus);
            VolumeOperations.FromRealSpace(real, m, maps);
        }
        finally
        {
            foreach (var array in real) System.Buffers.ArrayPool<float>.Shared.Return(array);
        }
    }

    /// <summary>
    /// The next E-step's likelihood weights (noise_update, resolution_schedule): the grow schedule takes up the limit
    /// <see cref="GrowResolution"/> chose, and the weights follow the run's current noise spectrum and limit.
    /// </summary>
    private void UpdateLikelihoodWeights(RunState run, SharedModel shared)
    {
        if (run.Config.ResolutionSchedule == ResolutionSchedule.Grow) run.LikelihoodShell = run.NextLikelihoodShell;
        run.Weights = RunWeights(run, shared.StaticWeights);
    }

    /// <summary>The likelihood's weights for a run's current noise spectrum and shell limit (DC left out under the grow schedule, as RELION does).</summary>
    private float[] RunWeights(RunState run, float[] staticWeights)
    {
        if (run.UsesSharedWeights) return staticWeights;
        int first = run.Config.ResolutionSchedule == ResolutionSchedule.Grow ? 1 : 0;
        return EmSteps.LikelihoodWeights(run.Noise, run.Config.NoiseModel, _input.Particles.Grid, first, run.LikelihoodShell);
    }

    /// <summary>
    /// Records the iteration and applies convergence_switch_fraction (<see cref="CheckConvergence"/>) and the caller's
    /// observer (a pruner), either of which may stop the run.
    /// </summary>
    private static void FinishIteration(RunState run, IterationMetrics metrics, int totalIterations, IterationObserver? observer)
    {
        run.Iterations.Add(metrics);
        var decision = CheckConvergence(metrics.FractionChanged, run.Config.ConvergenceSwitchFraction, run.LastPlan!, totalIterations, run.ConvergenceIteration);
        run.ConvergenceIteration = decision.ConvergenceIteration;
        if (decision.Stop) { run.Active = false; run.StoppedEarly = true; }
        if (observer?.Invoke(run.RunIndex, metrics) == true && run.Active) { run.Active = false; run.StoppedEarly = true; }
    }

    /// <summary>What convergence_switch_fraction decides after an iteration.</summary>
    /// <param name="ConvergenceIteration">The first iteration from epoch 1 on at which fewer than the fraction of the
    /// batch's previously seen particles changed class (kept once found); null while none has.</param>
    /// <param name="Stop">Stop the run now: it settled in a full-batch iteration that is not the last.</param>
    internal readonly record struct ConvergenceDecision(int? ConvergenceIteration, bool Stop);

    /// <summary>
    /// convergence_switch_fraction: an iteration has settled when its fraction of changed particles is known (not the
    /// first epoch's NaN) and below the fraction. The first settled iteration from epoch 1 on is the convergence
    /// iteration; a settled full-batch iteration before the last stops the run early.
    /// </summary>
    internal static ConvergenceDecision CheckConvergence(double fractionChanged, double switchFraction, IterationPlan plan, int totalIterations, int? convergenceIteration)
    {
        bool settled = !double.IsNaN(fractionChanged) && fractionChanged < switchFraction;
        int? converged = convergenceIteration ?? (settled && plan.Epoch >= 1 ? plan.Index : null);
        return new ConvergenceDecision(converged, settled && plan.IsFullBatch && plan.Index < totalIterations - 1);
    }
}
