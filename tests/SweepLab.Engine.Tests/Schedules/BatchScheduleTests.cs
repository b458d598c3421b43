using SweepLab.Engine.Configuration;
using SweepLab.Engine.Schedules;

namespace SweepLab.Engine.Tests.Schedules;

public class BatchScheduleTests
{
    [Theory]
    [InlineData(4000, 3, 1000, 5, 12, 16)]     // 5 epochs would make 7 iterations: raised to 12 epochs
    [InlineData(4000, 2, 1000, 5, 8, 16)]      // batch 2000: 8 epochs
    [InlineData(100000, 4, 1000, 5, 5, 125)]   // a large set keeps its 5 epochs
    [InlineData(300, 2, 1000, 3, 16, 16)]      // one batch per epoch: 16 epochs
    public void Min_oem_iterations_adds_epochs_on_small_sets_only(int n, int k, int perClass, int epochs, long expectedEpochs, long expectedIterations)
    {
        var c = new ClassificationConfig { ClassCount = k, BatchSizePerClass = perClass, OemEpochs = epochs };
        Assert.Equal(expectedEpochs, c.EffectiveOemEpochs(n));
        Assert.Equal(expectedIterations, c.OemIterations(n));
        Assert.Equal(expectedIterations, BatchSchedule.FromConfig(c, n).OemIterationCount);
        Assert.Equal(12, c.AnnealWindow(n).End);
    }

    [Theory]
    [InlineData(10000, 2, 1000, 2, 10)]   // 2 x 10000 / 2000
    [InlineData(10500, 2, 1000, 2, 11)]   // ceil(21000 / 2000)
    [InlineData(10001, 4, 1000, 1, 3)]    // ceil(10001 / 4000)
    [InlineData(300, 2, 1000, 3, 3)]      // batch capped at N: one iteration per epoch
    public void Oem_iteration_count_is_ceil_of_epochs_times_n_over_batch(int n, int k, int perClass, int epochs, int expected)
    {
        var b = new BatchSchedule(n, k, perClass, epochs, fullBatchIterations: 2, seed: 1);
        Assert.Equal(expected, b.OemIterationCount);
        Assert.Equal(expected + 2, b.TotalIterationCount);
        Assert.Equal(expected, new ClassificationConfig { ClassCount = k, BatchSizePerClass = perClass, OemEpochs = epochs, MinOemIterations = 0 }.OemIterations(n));
        Assert.Equal(expected, BatchSchedule.OemIterationCountFor(n, BatchSchedule.BatchSizeFor(n, k, perClass), epochs));
        Assert.Equal(b.BatchSize, BatchSchedule.BatchSizeFor(n, k, perClass));
    }

    [Theory]
    [InlineData(1000, 2, 100, 3)]    // batches align with epochs
    [InlineData(1037, 3, 50, 4)]     // batches straddle epoch boundaries
    [InlineData(65, 2, 7, 2)]
    public void Every_particle_is_seen_exactly_once_per_epoch(int n, int k, int perClass, int epochs)
    {
        var schedule = new BatchSchedule(n, k, perClass, epochs, fullBatchIterations: 1, seed: 99);
        var sampler = schedule.CreateSampler();
        var stream = new List<int>();
        for (int t = 0; t < schedule.OemIterationCount; t++)
        {
            var batch = sampler.Batch(t);
            var (start, end) = schedule.BatchRange(t);
            Assert.Equal(end - start, batch.Length);
            Assert.Equal((int)(start / n), schedule.EpochOf(t));
            stream.AddRange(batch.ToArray());
        }
        Assert.Equal(epochs * n, stream.Count);
        for (int e = 0; e < epochs; e++)
        {
            var epoch = stream.Skip(e * n).Take(n).OrderBy(i => i);
            Assert.Equal(Enumerable.Range(0, n), epoch);
        }
        // consecutive epochs are shuffled differently
        Assert.NotEqual(stream.Take(n), stream.Skip(n).Take(n));
        // the full batch is every particle
        int full = schedule.OemIterationCount;
        Assert.True(schedule.IsFullBatch(full));
        Assert.Equal(Enumerable.Range(0, n), sampler.Batch(full).ToArray());
        Assert.Equal(epochs, schedule.EpochOf(full));
    }

    [Fact]
    public void Batches_are_a_pure_function_of_seed_and_iteration()
    {
        var a = new BatchSchedule(5000, 2, 300, 3, 0, seed: 5);
        var b = new BatchSchedule(5000, 2, 300, 3, 0, seed: 5);
        var c = new BatchSchedule(5000, 2, 300, 3, 0, seed: 6);
        var sa = a.CreateSampler();
        var sb = b.CreateSampler();
        var sc = c.CreateSampler();
        // b is visited out of order and must still agree
        var fromB = Enumerable.Range(0, b.OemIterationCount).Reverse().ToDictionary(t => t, t => sb.Batch(t).ToArray());
        for (int t = 0; t < a.OemIterationCount; t++)
        {
            Assert.Equal(sa.Batch(t).ToArray(), fromB[t]);
            Assert.NotEqual(sa.Batch(t).ToArray(), sc.Batch(t).ToArray());
        }
    }

    [Fact]
    public void Permutations_are_uniform_over_all_orders()
    {
        // 4 particles: 24 orders, 24000 epochs -> 1000 each expected
        var schedule = new BatchSchedule(4, 2, 2, 1, 0, seed: 2024);
        var counts = new Dictionary<string, int>();
        var perm = new int[4];
        const int epochs = 24000;
        for (int e = 0; e < epochs; e++)
        {
            schedule.WriteEpochPermutation(e, perm);
            string key = string.Join(",", perm);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(24, counts.Count);
        double chi2 = counts.Values.Sum(c => (c - 1000.0) * (c - 1000.0) / 1000.0);
        // chi-square, 23 degrees of freedom: P(> 49.7) = 0.001
        Assert.True(chi2 < 49.7, $"chi2 = {chi2}");
    }

    [Fact]
    public void Run_schedule_plans_every_iteration()
    {
        var config = new ClassificationConfig
        {
            MinOemIterations = 0,
            ClassSimilarity = 0.5, SimilarityAnnealStart = 1, SimilarityAnnealEnd = 5,
            LearningRateInit = 0.4, LearningRateHalfLife = 2, BatchSizePerClass = 100, OemEpochs = 2,
            FullBatchIterations = 2, HardClassification = new HardClassificationSchedule.SoftThenHardAtAnnealEnd(),
        };
        var run = RunSchedule.FromConfig(config, particleCount: 1000);
        var plan = run.Plan();
        Assert.Equal(12, plan.Count); // 2 x 1000 / 200 = 10 O-EM + 2 full
        Assert.Equal(Enumerable.Range(0, 12), plan.Select(p => p.Index));
        Assert.Equal(0.5, plan[1].Similarity);
        Assert.Equal(0.25, plan[3].Similarity, 15);
        Assert.Equal(0.0, plan[5].Similarity);
        Assert.Equal(0.2, plan[2].LearningRate, 15);
        Assert.All(plan.Take(10), p => Assert.False(p.IsFullBatch));
        Assert.All(plan.Take(10), p => Assert.Equal(200, p.BatchSize));
        Assert.All(plan.Skip(10), p => { Assert.True(p.IsFullBatch); Assert.Equal(1.0, p.LearningRate); Assert.Equal(1000, p.BatchSize); });
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 3 }, plan.Select(p => p.Epoch));
        Assert.Equal(plan.Select(p => p.Index >= 5), plan.Select(p => p.Hard));

        // a tuned initial similarity replaces class_similarity
        Assert.Equal(0.9, RunSchedule.FromConfig(config, 1000, initialSimilarity: 0.9).At(0).Similarity);
        // the configuration is validated against the run's length
        var ex = Assert.Throws<ConfigValidationException>(() => RunSchedule.FromConfig(config with { SimilarityAnnealEnd = 12 }, 1000));
        // both the anneal window and the anneal-end switch fall beyond the last iteration (11)
        Assert.Equal(new[] { "hard_classification", "similarity_anneal_end" }, ex.Errors.Select(e => e.Key).OrderBy(k => k));
    }
}
