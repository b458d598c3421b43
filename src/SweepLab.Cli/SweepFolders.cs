using SweepLab.Reports;
using SweepLab.Sweeps;

namespace SweepLab.Cli;

/// <summary>
/// The CLI's side of sweep.json's <c>reproduce</c> blocks: the CLI is the one YAML reader, so it serialises the sweep
/// file's dataset and seed entries for reports to copy, and derives them for folders written before sweep.json held them.
/// </summary>
internal static class SweepFolders
{
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
}
