using SweepLab.Compute;
using SweepLab.Core.Metrics;
using SweepLab.Engine.Configuration;
using Xunit.Abstractions;

namespace SweepLab.Engine.Tests.Relion;

/// <summary>
/// Focused classification on RELION-made particles whose classes differ by a subunit of 3.5% of the mass at SNR 0.05
/// (the corpus's hard level): over the whole map neither SweepLab nor RELION finds the split at 4,000 particles
/// (0.53-0.59 against an oracle of 0.83); with a focus mask around the subunit the default settings come within 0.05 of
/// the oracle, and two seeds agree. A focus step that did nothing would score about 0.55 here. RELION's algorithm
/// (relion_em) run to its last iteration is as accurate as relion_refine focused with the tight mask (0.8165-0.8185,
/// seeds 1-3); stopped early, as it was, it lost 0.007.
/// </summary>
[Collection(EngineDeviceCollection.Name)]
public class FocusedClassificationTests(EngineDeviceFixture devices, ITestOutputHelper output)
{
    [SkippableFact]
    public void AFocusMaskAroundASmallSubunitFindsTheSplitTheWholeMapMisses()
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        Skip.IfNot(EngineTestData.PoclInstalled, "PoCL not installed");
        string folder = Directory.CreateTempSubdirectory("sweeplab-focus-").FullName;
        try
        {
            var dataset = RelionCorpus.Build(folder, CorpusLevel.Hard);
            var set = RelionCorpusOracle.LoadParticles(dataset, new ClassificationConfig().TargetResolutionAngstrom);
            var truth = RelionCorpusOracle.TrueClasses(dataset, set);
            var trueVolumes = RelionCorpusOracle.TrueVolumes(dataset, set);
            using var kernels = devices.Kernels(ComputeBackend.Pocl, set);
            double oracle = RelionCorpusOracle.Classify(kernels, set, trueVolumes, truth).Accuracy;
            var focus = RelionFocus.ReadForEngine(RelionFocus.WriteFocusMask(dataset), set.Grid.CroppedBox);
            output.WriteLine($"oracle {oracle:0.0000}; focus mask {focus.Count(v => v > 0.5) / (double)focus.Length:P1} of the box");
            var engine = new ClassificationEngine(kernels, new ClassificationInput(set, truth, trueVolumes, FocusMask: focus));
            var results = new[] { 1, 2 }.Select(seed => engine.Run(ConfigSettings.Apply([new(ClassificationConfig.Keys.Seed, seed.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                pixelSizeAngstrom: CorpusLevel.Hard.PixelSizeAngstrom, particleCount: set.Count))).ToList();
            foreach (var result in results)
            {
                output.WriteLine($"seed {result.Config.Seed}: accuracy {result.Truth!.Accuracy:0.0000}, classes {string.Join('/', result.ClassFractionsHard.Select(f => f.ToString("0.000")))}, mean ESS {result.MeanEss:0.00}");
                Assert.True(result.Truth.Accuracy >= oracle - 0.05, $"seed {result.Config.Seed}: {result.Truth.Accuracy:0.0000} against the oracle's {oracle:0.0000}");
            }
            double agreement = ClusteringAgreement.BestPermutationAccuracy(results[0].Assignments, results[1].Assignments, 2, 2).Accuracy;
            output.WriteLine($"the seeds agree on {agreement:P1} of the particles");
            Assert.True(agreement >= 0.9, $"the seeds agree on {agreement:P1}");

            // Measured 0.8170 (seed 1); with the early stop that relion_em used to keep, 0.8103.
            var relionEm = engine.Run(ConfigSettings.Apply([new(ConfigSettings.AlgorithmKey, "relion_em"), new(ClassificationConfig.Keys.Seed, "1")],
                pixelSizeAngstrom: CorpusLevel.Hard.PixelSizeAngstrom, particleCount: set.Count));
            output.WriteLine($"relion_em seed 1: accuracy {relionEm.Truth!.Accuracy:0.0000} in {relionEm.Iterations.Count} iterations");
            Assert.Equal(25, relionEm.Iterations.Count);
            Assert.True(relionEm.Truth.Accuracy >= 0.815, $"relion_em {relionEm.Truth.Accuracy:0.0000}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
