using System.Text;
using Cocona;
using SweepLab.Cli.Outputs;
using SweepLab.Core.IO;
using SweepLab.Reports;

namespace SweepLab.Cli.Commands;

internal sealed class ExportCommand
{
    [Command("export", Description = "A configuration as cryoSPARC 3D Classification parameters or a relion_refine Class3D command, with a note wherever SweepLab's meaning differs. DIR is a sweep folder (pick --rank or --config) or one classify output folder.")]
    public int Export(
        [Argument(Description = "Sweep output folder, or a classify output folder (result.json)")] string dir,
        [Option(Description = "cryosparc | relion")] string to,
        [Option(Description = "Configuration id (results.csv's config_id)")] string? config = null,
        [Option(Description = "Position in the report's ranked table (1 = best)")] int? rank = null,
        [Option(Description = "Write here instead of printing")] string? @out = null) =>
        CommandGuard.Run(() =>
        {
            string target = to.Trim().ToLowerInvariant();
            if (target is not ("cryosparc" or "relion")) throw new UserInputException($"--to: '{to}' is not cryosparc or relion");
            if (config is not null && rank is not null) throw new UserInputException("--config and --rank: give one of them");
            if (rank is < 1) throw new UserInputException($"--rank: {rank} is not a position (1 = best)");
            var (resultJson, label) = ResultOf(dir, config, rank);
            string text = ConfigurationExport.Render(resultJson, target, label);
            if (@out is null) Console.Write(text);
            else
            {
                AtomicFile.Write(@out, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
                Console.WriteLine($"wrote {Path.GetFullPath(@out)}");
            }
            return CommandGuard.ExitOk;
        });

    /// <summary>The result.json to export and a line saying which run it is.</summary>
    private static (string Path, string Label) ResultOf(string dir, string? config, int? rank)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: folder not found");
        string single = Path.Combine(dir, "result.json");
        if (File.Exists(single) && config is null && rank is null) return (single, $"classify output {Path.GetFullPath(dir)}");
        var summary = new SweepSummary(SweepOutput.Load(dir));
        ConfigSummary chosen;
        if (config is not null)
            chosen = summary.Configs.FirstOrDefault(c => c.ConfigId == config)
                ?? throw new UserInputException($"--config: {config} is not a configuration of {dir} (see results.csv's config_id)");
        else
        {
            int r = rank ?? 1;
            chosen = r <= summary.Ranked.Count ? summary.Ranked[r - 1]
                : throw new UserInputException($"--rank: {r} is beyond the {summary.Ranked.Count} configurations of {dir}");
        }
        var (run, result) = ConfigurationExport.FirstResult(summary, chosen)
            ?? throw new UserInputException($"configuration {chosen.ConfigId} has no finished run with a result.json in {dir}");
        return (result,
            $"configuration {chosen.ConfigId} (rank {chosen.Rank} of {summary.Ranked.Count}), run {run.RunId}, seed {run.Seed}");
    }
}
