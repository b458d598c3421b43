using SweepLab.Compute;
using SweepLab.Core.Fourier;
using SweepLab.Core.Metrics;
using SweepLab.Engine.Configuration;
using SweepLab.Formats.Mrc;
using Xunit.Abstractions;

namespace SweepLab.Engine.Tests.Relion;

/// <summary>
/// Issue 12's parity check: on particles that RELION made (relion_project from SweepLab's phantoms, seeded noise), RELION
/// 3.1's Class3D without alignment and the engine's <c>algorithm: relion_em</c>, both from the same consensus map, end
/// in the same partition (up to label order), the same class fractions and the same class maps (FSC and amplitude),
/// and both recover the truth. A gridding or scale error in the engine's reconstruction fails the amplitude check; a
/// likelihood or noise-model error fails the partition checks.
/// </summary>
[Collection(EngineDeviceCollection.Name)]
public class RelionParityTests(EngineDeviceFixture devices, ITestOutputHelper output)
{
    /// <summary>1,200 particles, 64 px at 3.5 A/px, a subunit of 10% of the mass in 60% of them, SNR 0.2.</summary>
    private static readonly CorpusLevel Level = new("parity", 2, [0.6, 0.4], 0.10, Snr: 0.2, Particles: 1200, Seed: 12);

    [SkippableFact]
    public void RelionEmAgreesWithRelionRefineOnRelionMadeParticles()
    {
        Skip.IfNot(RelionTool.Available && RelionTool.Find("relion_refine") is not null, RelionTool.SkipReason);
        Skip.IfNot(EngineTestData.PoclInstalled, "PoCL not installed");
        string folder = Directory.CreateTempSubdirectory("sweeplab-parity-").FullName;
        try
        {
            var dataset = RelionCorpus.Build(folder, Level);
            var relion = RelionCorpus.RunRelionRefine(dataset, seed: 1);
            output.WriteLine($"{relion.Command}: {relion.WallSeconds:0.0} s");

            var set = RelionCorpusOracle.LoadParticles(dataset, 8);
            var truth = RelionCorpusOracle.TrueClasses(dataset, set);
            using var kernels = devices.Kernels(ComputeBackend.Pocl, set);
            var input = new ClassificationInput(set, truth, RelionCorpusOracle.TrueVolumes(dataset, set));
            var config = ConfigSettings.Apply([new(ConfigSettings.AlgorithmKey, "relion_em"), new(ClassificationConfig.Keys.Seed, "1")],
                pixelSizeAngstrom: Level.PixelSizeAngstrom, particleCount: set.Count);
            var ours = new ClassificationEngine(kernels, input).Run(config);

            double relionAccuracy = ClusteringAgreement.BestPermutationAccuracy(truth.ToArray(), relion.Classes, 2, 2).Accuracy;
            var agreement = ClusteringAgreement.BestPermutationAccuracy(relion.Classes, ours.Assignments, 2, 2);
            var relionFractions = ClassFractions.Hard(relion.Classes, 2);
            output.WriteLine($"accuracy: RELION {relionAccuracy:0.0000}, SweepLab relion_em {ours.Truth!.Accuracy:0.0000}; agreement {agreement.Accuracy:0.0000}");
            Assert.True(relionAccuracy >= 0.98, $"RELION's accuracy {relionAccuracy} (the level is meant to be easy for it)");
            Assert.True(ours.Truth.Accuracy >= relionAccuracy - 0.01, $"relion_em {ours.Truth.Accuracy} vs RELION {relionAccuracy}");
            Assert.True(agreement.Accuracy >= 0.98, $"assignments agree for {agreement.Accuracy:P1} of the particles");

            int m = set.Grid.CroppedBox;
            for (int c = 0; c < 2; c++)
            {
                int relionClass = agreement.TrueClassOfPredicted[c];
                Assert.InRange(ours.ClassFractionsHard[c], relionFractions[relionClass] - 0.03, relionFractions[relionClass] + 0.03);
                var (_, map) = MrcFile.ReadVolume(Path.Combine(relion.OutputFolder, $"run_it{RelionCorpus.RelionIterations:D3}_class{relionClass + 1:D3}.mrc"));
                var relionMap = FourierVolume.FromRealSpace(map, Level.BoxPixels, m);
                var fsc = FourierShellCorrelation.Compute(ours.Volumes[c], relionMap, m, set.Grid.CroppedPixelSizeAngstrom);
                // Amplitude: least-squares scale of our map onto RELION's over the shells up to 20 A.
                double shell20 = Level.BoxPixels * Level.PixelSizeAngstrom / 20.0, dot = 0, norm = 0;
                var shellOf = FourierVolume.ShellIndices(m);
                for (int i = 0; i < shellOf.Length; i++)
                {
                    if (shellOf[i] > shell20) continue;
                    dot += ours.Volumes[c][2 * i] * (double)relionMap[2 * i] + ours.Volumes[c][2 * i + 1] * (double)relionMap[2 * i + 1];
                    norm += relionMap[2 * i] * (double)relionMap[2 * i] + relionMap[2 * i + 1] * (double)relionMap[2 * i + 1];
                }
                double scale = dot / norm;
                output.WriteLine($"class {c} (RELION class {relionClass + 1}): fraction {ours.ClassFractionsHard[c]:0.000} vs {relionFractions[relionClass]:0.000}, FSC 0.143 at {fsc.ResolutionAt0143Angstrom:0.0} A, amplitude {scale:0.000} of RELION's");
                Assert.True(fsc.ResolutionAt0143Angstrom <= 12, $"class {c}: FSC with RELION's map reaches only {fsc.ResolutionAt0143Angstrom:0.0} A");
                Assert.InRange(scale, 0.8, 1.25);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
