using SweepLab.Cli.Outputs;
using SweepLab.Core.Metrics;
using SweepLab.Formats.Particles;
using SweepLab.Reports;
using SweepLab.Sweeps;

namespace SweepLab.Cli;

/// <summary>
/// A sweep output folder as the sweep commands and the executors (Sweeping) both need it: its file names, the
/// agreement between two run folders, and the CLI's side of sweep.json's <c>reproduce</c> blocks (the CLI is the one
/// YAML reader, so it serialises the sweep file's dataset and seed entries for reports to copy, and derives them for
/// folders written before sweep.json held them).
/// </summary>
internal static class SweepFolders
{
    /// <summary>The sweep file as given, copied in so status, SLURM tasks and resumes plan from the same text.</summary>
    public const string SpecCopy = "sweep.yaml";

    /// <summary>The plan's description (settings, varying axes, search, reproduce blocks) that the report reads.</summary>
    public const string SweepJson = "sweep.json";

    private static readonly string[] ReproduceKeys = ["dataset", "seed"];

    /// <summary>sweep.json's <c>reproduce</c>: each block as YAML text, null where the sweep file has none.</summary>
    public static IReadOnlyDictionary<string, string?> ReproduceJson(string yaml) => SweepSpecYaml.TopLevelYaml(yaml, ReproduceKeys);

    /// <summary>
    /// <see cref="SweepOutput.Load"/>, with the reproduce blocks of an older sweep.json taken from its copy of the sweep
    /// file; left unset (the report then says to copy them by hand) when that copy is missing or no longer parses.
    /// </summary>
    public static SweepOutput Load(string dir)
    {
        var sweep = SweepOutput.Load(dir);
        if (sweep.Info.Reproduce is not null || string.IsNullOrWhiteSpace(sweep.Info.Yaml)) return sweep;
        try
        {
            var blocks = ReproduceJson(sweep.Info.Yaml);
            return sweep.WithInfo(sweep.Info with { Reproduce = new ReproduceBlocks(blocks["dataset"], blocks["seed"]) });
        }
        catch (SweepSpecException)
        {
            return sweep;
        }
    }

    /// <summary>Mean agreement between two runs' final assignments (adjusted Rand index), from their particles.star.</summary>
    public static double Agreement(string runFolderA, string runFolderB)
    {
        static int[] Classes(string folder)
        {
            var table = RelionParticles.Read(Path.Combine(folder, RunOutputs.ParticlesFile));
            return table.ClassIndices?.ToArray() ?? throw new InvalidDataException($"{folder}: particles.star has no rlnClassNumber");
        }
        var a = Classes(runFolderA);
        var b = Classes(runFolderB);
        return ClusteringAgreement.AdjustedRandIndex(a, b, a.Max() + 1, b.Max() + 1);
    }
}
