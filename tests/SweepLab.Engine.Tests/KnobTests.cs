using SweepLab.Compute;
using SweepLab.Engine.Configuration;
using SweepLab.Simulation;

namespace SweepLab.Engine.Tests;

/// <summary>Every knob reaches the engine: change it and the iterations show it (no dead knobs).</summary>
[Collection(EngineDeviceCollection.Name)]
public class KnobTests(EngineDeviceFixture devices)
{
    private static readonly Lazy<(ClassificationInput Input, SimulatedDataset Dataset)> Data = new(() => EngineTestData.Simulated(
        new SimulationSettings { Particles = 600, BoxPixels = 32, PixelSizeAngstrom = 6, Snr = 0.2, Seed = 9, SubunitMassFraction = 0.3, CoreBlobs = 30 },
        targetResolutionAngstrom: 15));

    /// <summary>600 particles, batch 100 x 2: 3 O-EM iterations per epoch.</summary>
    private static ClassificationConfig Small => new()
    {
        Seed = 4, BatchSizePerClass = 100, InitSubsetSize = 100, OemEpochs = 2, MinOemIterations = 0, FullBatchIterations = 1,
        SimilarityAnnealStart = 1, SimilarityAnnealEnd = 4, TargetResolutionAngstrom = 15, ConvergenceSwitchFraction = 0,
    };

    private ClassificationResult Run(ClassificationConfig config, ComputeBackend backend = ComputeBackend.Pocl)
    {
        using var kernels = devices.Kernels(backend, Data.Value.Input.Particles);
        return new ClassificationEngine(kernels, Data.Value.Input).Run(config);
    }

    [SkippableFact]
    public void SimilarityOneKeepsEveryParticlesEssAtK()
    {
        // s = 1 until the anneal starts at the last iteration.
        var result = Run(Small with { ClassSimilarity = 1, SimilarityAnnealStart = 6, SimilarityAnnealEnd = 6 });
        foreach (var it in result.Iterations.Where(i => i.Similarity == 1))
        {
            Assert.Equal(2.0, it.MeanEss, 12);
            Assert.Equal(it.BatchSize, it.EssHistogram[^1]); // every particle in the top bin, ESS = K
        }
        Assert.True(result.Iterations.Count(i => i.Similarity == 1) >= 5);
        Assert.Equal(0, result.Iterations[^1].Similarity);
    }

    [SkippableFact]
    public void ForceHardGivesEssExactlyOne()
    {
        var result = Run(Small with { HardClassification = new HardClassificationSchedule.On() });
        Assert.All(result.Iterations, it => { Assert.True(it.Hard); Assert.Equal(1.0, it.MeanEss); });
        Assert.All(result.Ess, e => Assert.Equal(1.0, e));
    }

    [SkippableFact]
    public void HalfLifeZeroKeepsTheRateFixedAndADecayHalvesIt()
    {
        var fixedRate = Run(Small with { LearningRateInit = 0.7, LearningRateHalfLife = 0 });
        Assert.Equal(1.0, fixedRate.Iterations[0].LearningRate); // iteration 0 has nothing to blend with
        Assert.All(fixedRate.Iterations.Skip(1).Where(i => !i.IsFullBatch), it => Assert.Equal(0.7, it.LearningRate));
        var decaying = Run(Small with { LearningRateInit = 0.8, LearningRateHalfLife = 2 });
        Assert.Equal(0.4, decaying.Iterations[2].LearningRate, 12);
        Assert.NotEqual(fixedRate.Volumes[0], decaying.Volumes[0]);
    }

    [SkippableFact]
    public void SoftThenHardAndHardThenSoftSwitchAtTheStatedIteration()
    {
        var softThenHard = Run(Small with { HardClassification = new HardClassificationSchedule.SoftThenHard(3) });
        Assert.Equal([false, false, false, true, true, true, true], softThenHard.Iterations.Select(i => i.Hard));
        Assert.All(softThenHard.Iterations.Skip(3), it => Assert.Equal(1.0, it.MeanEss));
        Assert.True(softThenHard.Iterations[0].MeanEss > 1.0);

        var hardThenSoft = Run(Small with { HardClassification = new HardClassificationSchedule.HardThenSoft(2) });
        Assert.Equal([true, true, false, false, false, false, false], hardThenSoft.Iterations.Select(i => i.Hard));
        Assert.True(hardThenSoft.Iterations[2].MeanEss > 1.0);
    }

    [SkippableFact]
    public void SimilarityModelsAndBatchSizeChangeTheOutcome()
    {
        var tempered = Run(Small with { SimilarityModel = SimilarityModel.Tempered });
        var mixture = Run(Small with { SimilarityModel = SimilarityModel.Mixture });
        Assert.NotEqual(tempered.Iterations[0].MeanEss, mixture.Iterations[0].MeanEss);
        var bigBatch = Run(Small with { BatchSizePerClass = 150 });
        Assert.Equal(300, bigBatch.Iterations[0].BatchSize);
        Assert.Equal(200, tempered.Iterations[0].BatchSize);
    }

    [SkippableFact]
    public void AutoSimilarityReachesTheTargetEss()
    {
        var result = Run(Small with { AutoSimilarityTargetEssFraction = 0.9 });
        Assert.Equal(0.9 * 2, result.Iterations[0].MeanEss, 3);
        Assert.Equal(result.InitialSimilarity, result.Iterations[0].Similarity);
    }

    [SkippableFact]
    public void MasksRemoveTheSolventFromTheClassMaps()
    {
        int m = Data.Value.Input.Particles.Grid.CroppedBox;
        double pixel = Data.Value.Input.Particles.Grid.CroppedPixelSizeAngstrom, radius = 0.2 * m;
        // Energy of the real-space class map between a sphere's edge and the box's inscribed sphere (solvent).
        double SolventEnergy(ClassificationResult r, double from)
        {
            var map = Core.Fourier.FourierVolume.ToRealSpace(r.Volumes[0], m, m);
            double sum = 0;
            int c = m / 2;
            for (int z = 0; z < m; z++) for (int y = 0; y < m; y++) for (int x = 0; x < m; x++)
            {
                double d = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c) + (z - c) * (z - c));
                if (d > from + 3 && d < m / 2.0 - 2) sum += map[(z * m + y) * m + x] * (double)map[(z * m + y) * m + x];
            }
            return sum;
        }
        var unmasked = Run(Small with { MaskRadiusAngstrom = 0 });
        Assert.Equal(0, unmasked.MaskRadiusAngstrom);
        var masked = Run(Small with { MaskRadiusAngstrom = radius * pixel });
        Assert.Equal(radius * pixel, masked.MaskRadiusAngstrom, 9);
        double none = SolventEnergy(unmasked, radius), sphere = SolventEnergy(masked, radius);
        Assert.True(sphere < 0.01 * none, $"sphere {sphere} vs none {none}");
        // The default sphere (auto) encloses the consensus and stays inside the box.
        double autoRadius = Run(Small).MaskRadiusAngstrom / pixel;
        Assert.InRange(autoRadius, 0.15 * m, m / 2.0 - 4);
        // The thresholded mask (auto_mask) follows the density, which reaches past 0.2 M here: it removes less, but some.
        double thresholded = SolventEnergy(Run(Small with { AutoMask = true, MaskRadiusAngstrom = 0 }), radius);
        Assert.True(thresholded < 0.97 * none, $"auto_mask {thresholded} vs none {none}");
    }

    [Fact]
    public void AnAutomaticMaskCoversTheMapAndFadesToZero()
    {
        int m = 32;
        var map = new float[m * m * m];
        for (int z = 0; z < m; z++) for (int y = 0; y < m; y++) for (int x = 0; x < m; x++)
            map[(z * m + y) * m + x] = (float)Math.Exp(-((x - 16) * (x - 16) + (y - 16) * (y - 16) + (z - 16) * (z - 16)) / (2.0 * 16));
        var mask = VolumeOperations.MaskFromMap(map, m, 0.5, dilatePixels: 2, edgePixels: 3);
        // exp(-r^2/32) > 0.5 for r < 4.71: inside, then 2 pixels of dilation, then a 3-pixel edge.
        Assert.Equal(1f, mask[(16 * m + 16) * m + 16]);
        Assert.Equal(1f, mask[(16 * m + 16) * m + 16 + 6]);
        Assert.InRange(mask[(16 * m + 16) * m + 16 + 8], 0.01f, 0.99f);
        Assert.Equal(0f, mask[(16 * m + 16) * m + 16 + 10]);
        Assert.Equal(0f, mask[0]);
    }

    [SkippableFact]
    public void SameRunTwiceGivesIdenticalOutputs()
    {
        var a = Run(Small);
        var b = Run(Small);
        Assert.Equal(a.Assignments, b.Assignments);
        Assert.Equal(a.Posteriors, b.Posteriors);
        for (int k = 0; k < 2; k++) Assert.Equal(a.Volumes[k], b.Volumes[k]);
        var otherSeed = Run(Small with { Seed = 5 });
        Assert.NotEqual(a.Volumes[0], otherSeed.Volumes[0]);
    }

    [SkippableFact]
    public void SteppingRunsTogetherGivesTheSameResultsAsOneByOne()
    {
        var configs = new[] { Small, Small with { ClassSimilarity = 0.2 }, Small with { HardClassification = new HardClassificationSchedule.On() } };
        using var kernels = devices.Kernels(ComputeBackend.Pocl, Data.Value.Input.Particles);
        var engine = new ClassificationEngine(kernels, Data.Value.Input);
        var together = engine.RunMany(configs);
        for (int i = 0; i < configs.Length; i++)
        {
            var alone = engine.Run(configs[i]);
            // The M-step is per run; the shared residual pass may round differently for other volume counts
            // (PoCL vectorises work items under -cl-unsafe-math-optimizations), so: same assignments, float-close rest.
            // (Sweeps keep results bit-identical by always stepping a run with the same companions.)
            Assert.Equal(alone.Assignments, together[i].Assignments);
            for (int j = 0; j < alone.Posteriors.Length; j++) Assert.True(Math.Abs(alone.Posteriors[j] - together[i].Posteriors[j]) <= 1e-4, $"posterior {j}");
            double scale = alone.Volumes[0].Max(Math.Abs);
            for (int j = 0; j < alone.Volumes[0].Length; j++) Assert.True(Math.Abs(alone.Volumes[0][j] - together[i].Volumes[0][j]) <= 1e-4 * scale);
        }
    }

    [SkippableFact]
    public void PoclAndTheCpuAcceleratorAgree()
    {
        var config = Small with { OemEpochs = 1, FullBatchIterations = 0, SimilarityAnnealEnd = 2 };
        var pocl = Run(config, ComputeBackend.Pocl);
        var cpu = Run(config, ComputeBackend.Cpu);
        Assert.Equal(pocl.Assignments, cpu.Assignments);
        for (int i = 0; i < pocl.Posteriors.Length; i++) Assert.True(Math.Abs(pocl.Posteriors[i] - cpu.Posteriors[i]) <= 1e-3, $"posterior {i}: {pocl.Posteriors[i]} vs {cpu.Posteriors[i]}");
        for (int k = 0; k < 2; k++)
        {
            double scale = pocl.Volumes[k].Max(Math.Abs);
            for (int j = 0; j < pocl.Volumes[k].Length; j++) Assert.True(Math.Abs(pocl.Volumes[k][j] - cpu.Volumes[k][j]) <= 1e-3 * scale, $"volume {k} coefficient {j}");
        }
    }

    [SkippableFact]
    public void RelionIngredientsEachReachTheEngine()
    {
        var baseline = Run(Small);
        foreach (var changed in new[]
        {
            Small with { NoiseUpdate = NoiseUpdate.PerIteration },
            Small with { Tau2Source = Tau2Source.Consensus },
            Small with { ResolutionSchedule = ResolutionSchedule.Grow, InitLowpassResolutionAngstrom = 96 },
            Small with { Initialisation = InitialisationMode.Simple },
            Small with { MaskRadiusAngstrom = 0 },
        })
        {
            var result = Run(changed);
            Assert.NotEqual(baseline.Volumes[0], result.Volumes[0]);
        }
    }

    [SkippableFact]
    public void ConsensusInitialisationSeedsTheClassesFromARandomPartition()
    {
        // The seed reconstructions differ (each from its random half), so a first E-step already tells classes apart...
        var result = Run(Small with { Initialisation = InitialisationMode.Consensus, ClassSimilarity = 0 });
        Assert.True(result.Iterations[0].MeanEss < 1.99, $"ESS {result.Iterations[0].MeanEss}: the starting maps are identical");
        // ...while the similarity knob keeps its meaning from iteration 0 on (s = 1: every particle in every class).
        var similar = Run(Small with { Initialisation = InitialisationMode.Consensus, ClassSimilarity = 1, SimilarityAnnealStart = 6, SimilarityAnnealEnd = 6 });
        Assert.Equal(2.0, similar.Iterations[0].MeanEss, 12);
        // Another seed draws another partition.
        var other = Run(Small with { Initialisation = InitialisationMode.Consensus, ClassSimilarity = 0, Seed = 5 });
        Assert.NotEqual(result.Volumes[0], other.Volumes[0]);
    }

    [SkippableFact]
    public void GrowScheduleWidensTheLikelihoodFromTheInitialLowpass()
    {
        // 32 px at 6 A: the initial limit round(192 / 96) + 10 = 12 shells = 16 A, capped at the target's 12 shells.
        var result = Run(Small with { ResolutionSchedule = ResolutionSchedule.Grow, InitLowpassResolutionAngstrom = 96, NoiseUpdate = NoiseUpdate.PerIteration });
        Assert.InRange(result.LikelihoodResolutionAngstrom, 15.9, 192.0 / 6);
        Assert.All(result.Iterations, it => Assert.True(double.IsFinite(it.MeanLogLikelihood)));
    }

    [SkippableFact]
    public void InvalidSettingsAreRejectedBeforeAnyWork()
    {
        var e = Assert.Throws<ConfigValidationException>(() => Run(Small with { ClassCount = 1, ClassSimilarity = 1.5, BatchSizePerClass = 0, TargetResolutionAngstrom = 5 }));
        foreach (string key in new[] { "classes", "class_similarity", "batch_size_per_class", "target_resolution_angstrom" })
            Assert.Contains(key, e.Message);
    }
}
