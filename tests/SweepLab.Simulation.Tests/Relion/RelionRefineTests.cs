using System.Diagnostics;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using Xunit.Abstractions;

namespace SweepLab.Simulation.Tests.Relion;

/// <summary>
/// Issue 3: a simulated dataset as SimulatedDatasetWriter writes it is accepted by RELION 3.1's Class3D without
/// alignment (relion_refine --skip_align), and SweepLab's STAR reader reads what relion_refine writes back.
/// </summary>
public class RelionRefineTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void RelionRefineSkipAlignRunsOnASimulatedSetAndWeReadItsOutput()
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        Skip.If(RelionTool.Find("relion_refine") is null, "relion_refine not on PATH (apt-get install relion)");
        using var dir = new TempDir();
        var settings = new SimulationSettings
        {
            Particles = 200, BoxPixels = 48, PixelSizeAngstrom = 4.0, Snr = 0.2, Seed = 5, CoreBlobs = 20, ShiftSigmaAngstrom = 4,
        };
        var dataset = ParticleSimulator.Simulate(settings);
        SimulatedDatasetWriter.Write(dir.Path, dataset);
        string reference = SimulatedDatasetWriter.TruthMapFileName(0);
        Assert.Equal(settings.PixelSizeAngstrom, MrcFile.ReadHeader(dir.File(reference)).PixelSizeAngstrom!.Value, 5);
        Directory.CreateDirectory(dir.File("out"));

        var clock = Stopwatch.StartNew();
        RelionTool.Run("relion_refine",
        [
            "--i", SimulatedDatasetWriter.StarFileName, "--o", "out/run", "--ref", reference,
            "--K", "2", "--iter", "2", "--tau2_fudge", "4", "--ini_high", "30", "--particle_diameter", "160",
            "--skip_align", "--ctf", "--firstiter_cc", "--sym", "C1", "--flatten_solvent", "--zero_mask",
            "--pad", "1", "--j", "2", "--dont_combine_weights_via_disc", "--random_seed", "1",
        ], dir.Path);
        output.WriteLine($"relion_refine --skip_align, 200 particles, 48 px, K = 2, 2 iterations: {clock.Elapsed.TotalSeconds:F1} s");

        string data = dir.File("out/run_it002_data.star");
        Assert.True(File.Exists(data), "relion_refine wrote no out/run_it002_data.star");
        var table = RelionParticles.Read(data);
        Assert.Equal(ParticleTableFormat.Relion31, table.Format);
        Assert.Equal(settings.Particles, table.Count);
        Assert.Equal(settings.BoxPixels, table.BoxSize);
        Assert.Equal(settings.PixelSizeAngstrom, table.PixelSizeAngstrom, 5);
        Assert.NotNull(table.ClassIndices);
        Assert.All(table.ClassIndices!, k => Assert.InRange(k, 0, 1));
        // Without alignment RELION keeps every pose, origin and CTF it was given (printed to 6 decimals).
        var byName = dataset.Particles.ToDictionary(q => q.ImageName);
        foreach (var q in table.Particles)
        {
            var truth = byName[q.ImageName];
            Assert.True(truth.Rotation.MaxAbsDifference(q.Rotation) < 1e-4, $"{q.ImageName}: pose changed by {truth.Rotation.MaxAbsDifference(q.Rotation)}");
            Assert.Equal(truth.OriginXAngstrom, q.OriginXAngstrom, 1e-4);
            Assert.Equal(truth.OriginYAngstrom, q.OriginYAngstrom, 1e-4);
            Assert.Equal(truth.Ctf.DefocusUAngstrom, q.Ctf.DefocusUAngstrom, 1e-3);
            Assert.Equal(truth.Ctf.DefocusVAngstrom, q.Ctf.DefocusVAngstrom, 1e-3);
            Assert.Equal(truth.Ctf.DefocusAngleDegrees, q.Ctf.DefocusAngleDegrees, 1e-4);
        }
        output.WriteLine($"class sizes after 2 iterations: {string.Join(", ", table.ClassIndices!.GroupBy(k => k).OrderBy(g => g.Key).Select(g => $"{g.Key + 1}: {g.Count()}"))}");
    }

    /// <summary>
    /// End to end with an independent classifier: started from the two true maps, RELION's Class3D without alignment
    /// assigns the simulated particles to their true classes (subunit present or absent). It could not if the poses,
    /// CTFs or origins in our STAR file disagreed with our images: with transposed poses the same run is near chance.
    /// </summary>
    [SkippableFact]
    public void RelionClass3DFromTheTrueMapsAssignsTheTrueClasses()
    {
        Skip.IfNot(RelionTool.Available, RelionTool.SkipReason);
        Skip.If(RelionTool.Find("relion_refine") is null, "relion_refine not on PATH (apt-get install relion)");
        using var dir = new TempDir();
        var settings = new SimulationSettings
        {
            Particles = 1000, BoxPixels = 48, PixelSizeAngstrom = 4.0, Snr = 0.1, Seed = 9, CoreBlobs = 20, ShiftSigmaAngstrom = 4,
            SubunitMassFraction = 0.25,
        };
        var dataset = ParticleSimulator.Simulate(settings);
        SimulatedDatasetWriter.Write(dir.Path, dataset);
        File.WriteAllText(dir.File("references.star"),
            $"data_\nloop_\n_rlnReferenceImage\n{SimulatedDatasetWriter.TruthMapFileName(0)}\n{SimulatedDatasetWriter.TruthMapFileName(1)}\n");
        var optics = RelionParticles.Read(dir.File(SimulatedDatasetWriter.StarFileName)).OpticsGroups;
        RelionParticles.WriteNew(dir.File("transposed.star"), dataset.Particles.Select(q => q with { Rotation = q.Rotation.Transpose() }).ToList(), optics);

        double Accuracy(string star, string name)
        {
            Directory.CreateDirectory(dir.File(name));
            RelionTool.Run("relion_refine",
            [
                "--i", star, "--o", $"{name}/run", "--ref", "references.star",
                "--K", "2", "--iter", "2", "--tau2_fudge", "4", "--ini_high", "30", "--particle_diameter", "160",
                "--skip_align", "--ctf", "--firstiter_cc", "--sym", "C1", "--flatten_solvent", "--zero_mask",
                "--pad", "1", "--j", "2", "--dont_combine_weights_via_disc", "--random_seed", "1",
            ], dir.Path);
            var table = RelionParticles.Read(dir.File($"{name}/run_it002_data.star"));
            Assert.Equal(dataset.Particles.Select(q => q.ImageName), table.Particles.Select(q => q.ImageName));
            // Reference k is true class k, so no relabelling: class index r must equal the truth.
            return table.ClassIndices!.Where((k, r) => k == dataset.TrueClass[r]).Count() / (double)table.Count;
        }

        var clock = Stopwatch.StartNew();
        double accuracy = Accuracy(SimulatedDatasetWriter.StarFileName, "true");
        double seconds = clock.Elapsed.TotalSeconds;
        double control = Accuracy("transposed.star", "transposed");
        output.WriteLine($"RELION Class3D --skip_align from the true maps, 1000 particles, SNR 0.1, 2 iterations ({seconds:F1} s): " +
            $"accuracy {accuracy:P1}; with transposed poses {control:P1}");
        Assert.True(accuracy >= 0.85, $"RELION assigned only {accuracy:P1} of the particles to their true class");
        Assert.True(control < 0.7, $"with transposed poses RELION still assigned {control:P1} correctly: the check cannot see poses");
    }
}
