using SweepLab.Engine.Schedules;

namespace SweepLab.Engine.Tests.Steps;

/// <summary>The engine loop's steps that decide without the device (learning-rate blends, priors, convergence), each alone.</summary>
public class EngineStepTests
{
    private static IterationPlan Plan(int index, int epoch, bool fullBatch) => new(index, epoch, fullBatch, 0, 100, 0.5, 0, false);

    [Fact]
    public void PriorsFollowTheSoftFractionsAtTheLearningRate()
    {
        double[] priors = { 0.5, 0.5 }, fractions = { 0.9, 0.1 };
        Assert.Equal(new[] { 0.7, 0.3 }, ClassificationEngine.UpdatePriors(priors, fractions, 0.5).Select(p => Math.Round(p, 12)));
        // rate 1 (iteration 0, full-batch iterations, or a fixed rate of 1) replaces the priors; they still sum to 1
        Assert.Equal(fractions, ClassificationEngine.UpdatePriors(priors, fractions, 1));
        var blended = ClassificationEngine.UpdatePriors(new[] { 0.2, 0.3, 0.5 }, new[] { 0.6, 0.4, 0.0 }, 0.25);
        Assert.Equal(1.0, blended.Sum(), 12);
        Assert.Equal(0.75 * 0.2 + 0.25 * 0.6, blended[0], 15);
        Assert.Throws<ArgumentException>(() => ClassificationEngine.UpdatePriors(priors, new[] { 1.0 }, 0.5));
    }

    [Fact]
    public void MaskingMapsTwoAtATimeGivesEachItsOwnMaskedMap()
    {
        // Three class maps' transforms (real maps, as the engine's are): one pair and an odd one, masked one at a time
        // and through the paired round trip the engine uses.
        int m = 24;
        var random = new Random(5);
        float[] Map() => Core.Fourier.FourierVolume.FromRealSpace(Enumerable.Range(0, m * m * m).Select(_ => (float)random.NextDouble()).ToArray(), m, m);
        var maps = new[] { Map(), Map(), Map() };
        // A non-Hermitian sample at the -M/2 corner, which only the real part of its inverse keeps.
        maps[0][0] += 3f;
        var mask = VolumeOperations.SphericalMask(m, 8, 3);
        var alone = maps.Select(map => (float[])map.Clone()).ToArray();
        foreach (var map in alone) VolumeOperations.ApplyRealSpaceMask(map, m, mask);
        var unmasked = maps.Select(map => (float[])map.Clone()).ToArray();
        var real = maps.Select(_ => new float[m * m * m + 5]).ToArray(); // longer than M^3, as pooled arrays are
        VolumeOperations.ToMaskedRealSpace(maps, m, mask, real);
        VolumeOperations.FromRealSpace(real, m, maps);
        double scale = alone.SelectMany(a => a).Max(Math.Abs);
        for (int k = 0; k < maps.Length; k++)
        {
            for (int i = 0; i < maps[k].Length; i++)
                Assert.True(Math.Abs(maps[k][i] - alone[k][i]) <= 1e-6 * scale, $"map {k}, float {i}: paired {maps[k][i]}, alone {alone[k][i]}");
            // The mask did something: the masked map is not the map.
            Assert.Contains(alone[k].Zip(unmasked[k]), p => Math.Abs(p.First - p.Second) > 1e-3 * scale);
        }
    }

    [Fact]
    public void OnlineBlendKeepsOneMinusTheRateOfTheRunningEstimate()
    {
        var noise = ClassificationEngine.OnlineBlend(new[] { 4.0, 8.0 }, new[] { 2.0, 2.0 }, 0.25);
        Assert.Equal(new[] { 3.5, 6.5 }, noise);
        Assert.Equal(new[] { 4.0, 8.0 }, ClassificationEngine.OnlineBlend(new[] { 4.0, 8.0 }, new[] { 2.0, 2.0 }, 0));
    }

    [Fact]
    public void SumsAreBlendedOnTheFullDatasScale()
    {
        // a batch of 100 of 1000 particles stands for all of them: weight rate x 10
        Assert.Equal((0.75f, 2.5f), ClassificationEngine.SumsBlendFactors(0.25, 1000, 100));
        Assert.Equal((0f, 1f), ClassificationEngine.SumsBlendFactors(1, 1000, 1000));
    }

    [Fact]
    public void ConvergenceIsTheFirstSettledIterationFromEpochOne()
    {
        // the first epoch's NaN (no particle seen before) never settles
        Assert.Equal(new ClassificationEngine.ConvergenceDecision(null, false),
            ClassificationEngine.CheckConvergence(double.NaN, 0.01, Plan(2, 0, false), 20, null));
        // settled in epoch 0 (a batch that straddles into particles seen in the same epoch) does not count
        Assert.Null(ClassificationEngine.CheckConvergence(0, 0.01, Plan(3, 0, false), 20, null).ConvergenceIteration);
        // settled from epoch 1 on: this iteration, and an O-EM iteration does not stop the run
        Assert.Equal(new ClassificationEngine.ConvergenceDecision(5, false),
            ClassificationEngine.CheckConvergence(0.005, 0.01, Plan(5, 1, false), 20, null));
        // once found it is kept, even if later iterations do not settle
        Assert.Equal(5, ClassificationEngine.CheckConvergence(0.5, 0.01, Plan(9, 2, false), 20, 5).ConvergenceIteration);
        // the fraction must be strictly below the switch: 0 never stops
        Assert.False(ClassificationEngine.CheckConvergence(0, 0, Plan(15, 4, true), 20, null).Stop);
    }

    [Fact]
    public void ASettledFullBatchIterationStopsTheRunUnlessItIsTheLast()
    {
        Assert.True(ClassificationEngine.CheckConvergence(0.001, 0.01, Plan(17, 5, true), 20, null).Stop);
        Assert.False(ClassificationEngine.CheckConvergence(0.001, 0.01, Plan(19, 7, true), 20, null).Stop); // the last: not early
        Assert.False(ClassificationEngine.CheckConvergence(0.02, 0.01, Plan(17, 5, true), 20, null).Stop);
    }
}

public sealed class ValidatedConfigTests
{
    [Fact]
    public void AConfigurationIsCheckedOnceAndACopyAgain()
    {
        var config = new SweepLab.Engine.Configuration.ClassificationConfig { ClassCount = 3 };
        Assert.Same(config, config.ThrowIfInvalid(3.5, 4000));
        Assert.Same(config, config.ThrowIfInvalid(3.5, 4000)); // trusted
        Assert.Same(config, config.ThrowIfInvalid()); // asks for less
        // Asking for more (another particle count) checks again, and a with-copy is a new instance.
        var tooFew = config with { BatchSizePerClass = 10, OemEpochs = 1, MinOemIterations = 0, SimilarityAnnealEnd = 50 };
        Assert.Throws<SweepLab.Engine.Configuration.ConfigValidationException>(() => tooFew.ThrowIfInvalid(3.5, 100));
        var bad = config with { ClassSimilarity = 2 };
        Assert.Throws<SweepLab.Engine.Configuration.ConfigValidationException>(() => bad.ThrowIfInvalid());
        Assert.Throws<SweepLab.Engine.Configuration.ConfigValidationException>(() => bad.ThrowIfInvalid()); // a failed check is not remembered
    }
}
