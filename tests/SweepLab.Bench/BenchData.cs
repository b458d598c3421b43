using System.Diagnostics;
using SweepLab.Core.Fourier;
using SweepLab.Core.Particles;
using SweepLab.Simulation;

namespace SweepLab.Bench;

/// <summary>A simulated dataset written to disk as a user gets it (STAR + MRCS + truth), with the in-memory original.</summary>
public sealed record BenchDataset(SimulatedDataset Simulated, string Folder)
{
    public SimulationSettings Settings => Simulated.Settings;
    public int Count => Settings.Particles;
    public string StarPath => Path.Combine(Folder, SimulatedDatasetWriter.StarFileName);
    public string StackPath => Path.Combine(Folder, SimulatedDatasetWriter.StackFileName);
    public string TruthPath => Path.Combine(Folder, SimulatedDatasetWriter.TruthFileName);
    public string TruthMapPath(int classIndex) => Path.Combine(Folder, SimulatedDatasetWriter.TruthMapFileName(classIndex));

    /// <summary>The particle set straight from the simulated images (no disk), for kernel and sweep benches.</summary>
    public ParticleSet ToParticleSet(double targetResolutionAngstrom) =>
        ParticleImages.ToParticleSet(Simulated.Images, Settings.BoxPixels, Settings.PixelSizeAngstrom, Simulated.Particles, targetResolutionAngstrom);

    /// <summary>The true maps in the engine's centred Fourier layout on the cropped box.</summary>
    public IReadOnlyList<float[]> TrueVolumes(int croppedBox) =>
        Simulated.Phantoms.Select(p => FourierVolume.FromRealSpace(p.Render(Settings.BoxPixels, Settings.PixelSizeAngstrom), Settings.BoxPixels, croppedBox)).ToList();
}

/// <summary>
/// The temporary folder of one bench run and the datasets in it, simulated once per particle count and shared by
/// the sections (the set: 64 px, 3.5 A/px, SNR 0.15, a subunit of 20% of the mass, two equal classes).
/// </summary>
public sealed class BenchWorkspace(string root, bool keep) : IDisposable
{
    public const double PixelSizeAngstrom = 3.5;
    public const int BoxPixels = 64;
    public const double Snr = 0.15;
    public const double SubunitMassFraction = 0.2;
    public const ulong SimulationSeed = 11;
    /// <summary>Target resolution of the E- and M-steps (the engine's default).</summary>
    public const double TargetResolutionAngstrom = 8.0;

    private readonly Dictionary<int, BenchDataset> _datasets = new();

    public string Root { get; } = root;

    public static SimulationSettings Settings(int particles) => new()
    {
        Particles = particles,
        BoxPixels = BoxPixels,
        PixelSizeAngstrom = PixelSizeAngstrom,
        Snr = Snr,
        SubunitMassFraction = SubunitMassFraction,
        Seed = SimulationSeed,
    };

    public BenchDataset Dataset(int particles)
    {
        if (_datasets.TryGetValue(particles, out var existing)) return existing;
        var clock = Stopwatch.StartNew();
        var simulated = ParticleSimulator.Simulate(Settings(particles));
        string folder = Path.Combine(Root, $"data-{particles}");
        SimulatedDatasetWriter.Write(folder, simulated);
        Console.WriteLine($"  simulated and wrote {particles} particles ({BoxPixels} px, {PixelSizeAngstrom} A/px, SNR {Snr}) to {folder} in {clock.Elapsed.TotalSeconds:0.0} s");
        var dataset = new BenchDataset(simulated, folder);
        _datasets[particles] = dataset;
        return dataset;
    }

    public void Dispose()
    {
        if (keep || !Directory.Exists(Root)) return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not delete {Root}: {e.Message}");
        }
    }
}

/// <summary>Median and spread of repeated wall-clock measurements (Stopwatch), after warm-up runs.</summary>
public sealed record Timing(double MedianSeconds, double MinSeconds, double MaxSeconds, int Repeats)
{
    public static Timing Measure(Action action, int warmups, int repeats)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        for (int i = 0; i < warmups; i++) action();
        var seconds = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(seconds);
        double median = repeats % 2 == 1 ? seconds[repeats / 2] : 0.5 * (seconds[repeats / 2 - 1] + seconds[repeats / 2]);
        return new Timing(median, seconds[0], seconds[^1], repeats);
    }

    public string Describe => $"median of {Repeats} (min {MinSeconds * 1e3:0.#} ms, max {MaxSeconds * 1e3:0.#} ms)";
}
