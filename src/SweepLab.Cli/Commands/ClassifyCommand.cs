using Cocona;
using SweepLab.Cli.Outputs;
using SweepLab.Compute;
using SweepLab.Engine;
using SweepLab.Engine.Configuration;

namespace SweepLab.Cli.Commands;

internal sealed class ClassifyCommand
{
    /// <summary>The knob options of this invocation, taken from the arguments by <see cref="KnobArguments"/> in Program.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Knobs { get; set; } = [];

    [Command("classify", Description = "3D classification without alignment of one particle set with one configuration. Every engine setting is an option too (listed below).")]
    public int Classify(
        [Option(Description = "particles.star (RELION) or particles.cs (cryoSPARC)")] string particles,
        [Option(Description = "Output folder")] string @out,
        [Option(Description = "truth.csv of a simulated set: accuracy, ARI and FSC against the true maps")] string? truth = null,
        [Option("input-volumes", Description = "Comma-separated MRC maps to start from (initialisation input_volumes)")] string? inputVolumes = null,
        [Option(Description = "Solvent mask (MRC on the particles' box): every class map is multiplied by it")] string? mask = null,
        [Option("focus-mask", Description = "Focus mask (MRC on the particles' box): the classes may differ only inside it (focused classification); outside, every class is their weighted mean")] string? focusMask = null,
        [Option(Description = "auto | cuda | opencl | pocl | cpu")] string device = "auto",
        [Option(Description = "Folder keeping the preprocessed particles between runs (read, FFT'd and cropped once per input and target resolution)")] string? cache = null,
        [Option(ParticleMemory.Option, Description = ParticleMemory.OptionDescription)] double? particleMemoryGb = null,
        [Option(Description = "No per-iteration display or messages (errors and the final summary only)")] bool quiet = false) =>
        CommandGuard.Run(() =>
        {
            // every iteration is worth a line in a log; on a terminal it is one line rewritten in place
            ProgressDisplay.Current = ProgressDisplay.ForStderr(quiet, plainInterval: TimeSpan.Zero);
            using var display = ProgressDisplay.Current;
            ConfigSettings.Apply(Knobs); // every setting's own problems first, before any file is read
            Devices.Parse(device);
            ParticleMemory.Set(particleMemoryGb);
            if (cache is not null) OutputCheck.EnsureWritable(cache, "--cache");
            OutputCheck.EnsureWritable(@out, "--out"); // last: it names the folder whose disk is watched
            Interruption.Kept = () => $"nothing was written to {Path.GetFullPath(@out)}";
            var table = ParticleFiles.Read(particles);
            var config = ConfigSettings.Apply(Knobs, pixelSizeAngstrom: table.PixelSizeAngstrom, particleCount: table.Count);
            var volumes = inputVolumes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var loaded = DataLoader.Load(table, particles, config.TargetResolutionAngstrom, truth, volumes, mask, Log, cache, focusMask);
            using var compute = Devices.Open(device);
            using var set = loaded.Set;
            using var kernels = ParticleMemory.Kernels(compute, loaded.Set, ParticleMemory.BudgetBytes, Log);
            var engine = new ClassificationEngine(kernels, loaded.Input);
            var result = engine.Run(config, (_, it) =>
            {
                display.Status($"iteration {it.Iteration,3}  s {it.Similarity:0.###}  eta {it.LearningRate:0.###}  {(it.Hard ? "hard" : "soft")}  classes {string.Join('/', it.ClassFractionsHard.Select(f => f.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))}  ESS {it.MeanEss:0.###}  changed {it.FractionChanged:0.####}");
                return false;
            });
            RunOutputs.Write(@out, loaded.Table, result, Path.GetFullPath(particles), truth is null ? null : Path.GetFullPath(truth));
            Console.WriteLine($"classes {string.Join(" / ", result.ClassFractionsHard.Select(f => f.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}, mean ESS {result.MeanEss:0.###}, {(result.Collapsed ? "COLLAPSED" : "no collapse")}{(result.Truth is { } t ? $", accuracy {t.Accuracy:0.0000}, ARI {t.AdjustedRandIndex:0.0000}" : "")}");
            Console.WriteLine($"wrote {Path.GetFullPath(@out)}");
            return CommandGuard.ExitOk;
        });

    private static void Log(string message) => ProgressDisplay.Current.Message(message);
}
