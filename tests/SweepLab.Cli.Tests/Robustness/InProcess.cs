using SweepLab.Simulation;

namespace SweepLab.Cli.Tests.Robustness;

/// <summary>Tests that swap the process's console run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>
/// Runs a command's method in this process (the same entry the program dispatches to, behind the same error guard),
/// capturing its exit code and stderr: hundreds of cases in seconds.
/// </summary>
internal static class InProcess
{
    public sealed record Outcome(int ExitCode, string Stderr)
    {
        public string FirstLine => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(l => l.StartsWith("error", StringComparison.Ordinal)) ?? "";

        /// <summary>A .NET stack frame or exception type name anywhere in the output.</summary>
        public bool HasTrace => Stderr.Contains("   at ", StringComparison.Ordinal) || Stderr.Contains("Exception", StringComparison.Ordinal) || Stderr.Contains("(unexpected)", StringComparison.Ordinal);
    }

    private static readonly Lock Gate = new();

    public static Outcome Run(Func<int> command)
    {
        lock (Gate)
        {
            var error = Console.Error;
            var output = Console.Out;
            using var captured = new StringWriter();
            Console.SetError(captured);
            Console.SetOut(TextWriter.Null);
            try
            {
                int code = command();
                return new Outcome(code, captured.ToString());
            }
            finally
            {
                Console.SetError(error);
                Console.SetOut(output);
            }
        }
    }

    /// <summary>A small simulated set (STAR + MRCS + .cs + truth) in <paramref name="folder"/>.</summary>
    public static void Simulate(string folder, int particles = 40, int box = 24) =>
        SimulatedDatasetWriter.Write(folder, ParticleSimulator.Simulate(new SimulationSettings { Particles = particles, BoxPixels = box, PixelSizeAngstrom = 5, Seed = 11 }));

    /// <summary>Every file and folder under <paramref name="root"/>, relative, sorted.</summary>
    public static string[] Listing(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal).ToArray()
            : [];
}
