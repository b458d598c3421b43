using System.Globalization;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>A 100-configuration sweep holds the particle data once, not once per configuration.</summary>
public class SweepMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static string Sweep(int particles, int box, double pixel, double resolution, int batchPerClass) => string.Create(CultureInfo.InvariantCulture, $"""
        name: hundred
        dataset:
          simulate: {"{"}particles: {particles}, box: {box}, pixel_size: {pixel}, snr: 0.3, subunit_mass: 0.3, seed: 2{"}"}
        base:
          classes: 2
          target_resolution_angstrom: {resolution}
          batch_size_per_class: {batchPerClass}
          init_subset_size: {batchPerClass}
          oem_epochs: 1
          full_batch_iterations: 1
          similarity_anneal_start: 0
          similarity_anneal_end: 1
        grid:
          class_similarity: {"{"}linspace: [0, 0.96, 25]{"}"}
          hard_classification: [soft, hard, soft_then_hard, hard_then_soft]
        conditional:
          - when: {"{"}hard_classification: [soft_then_hard, hard_then_soft]{"}"}
            grid: {"{"}hard_switch_iteration: [1]{"}"}
        seed: 4
        """);

    [Fact]
    public void AHundredConfigurationsPreprocessTheParticlesOnce()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), Sweep(particles: 300, box: 32, pixel: 6, resolution: 15, batchPerClass: 75));
        var run = CliRunner.Run(temp.Path, TimeSpan.FromMinutes(8), "run", "sweep.yaml", "--out", "out", "--no-report");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(1, run.Stderr.Split('\n').Count(l => l.StartsWith("preprocessed ", StringComparison.Ordinal)));
        Assert.Equal(101, File.ReadAllLines(Path.Combine(temp.Path, "out", "results.csv")).Length);
        output.WriteLine($"peak working set {run.PeakWorkingSetBytes / (1 << 20)} MiB");
    }

    [Fact]
    [Trait("Category", "Expensive")]
    public void AHundredConfigurationsStayFarBelowACopyOfTheDataPerConfiguration()
    {
        // 20,000 particles x ~420 kept Fourier pixels x 8 bytes = ~67 MB of particle data; a copy per configuration
        // would need 6.7 GB. Per run the engine keeps its class volumes and sums (~4 MB at a 34^3 cropped box).
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), Sweep(particles: 20000, box: 32, pixel: 6, resolution: 12, batchPerClass: 2000));
        var run = CliRunner.Run(temp.Path, TimeSpan.FromMinutes(20), "run", "sweep.yaml", "--out", "out", "--no-report");
        Assert.True(run.ExitCode == 0, run.Stderr);
        string preprocessed = run.Stderr.Split('\n').Single(l => l.StartsWith("preprocessed ", StringComparison.Ordinal));
        output.WriteLine(preprocessed);
        output.WriteLine($"peak working set {run.PeakWorkingSetBytes / (1 << 20)} MiB");
        Assert.InRange(run.PeakWorkingSetBytes, 1, 2L << 30);
    }
}
