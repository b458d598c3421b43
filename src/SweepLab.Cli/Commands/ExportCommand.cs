using System.Globalization;
using System.Text;
using System.Text.Json;
using Cocona;
using SweepLab.Core.IO;
using SweepLab.Engine.Configuration;
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
            string text = Render(resultJson, target, label);
            if (@out is null) Console.Write(text);
            else
            {
                AtomicFile.Write(@out, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
                Console.WriteLine($"wrote {Path.GetFullPath(@out)}");
            }
            return CommandGuard.ExitOk;
        });

    /// <summary>
    /// exports/CONFIG.cryosparc.txt and exports/CONFIG.relion.sh for the configurations the report's ranked table shows,
    /// so each row links to its settings in the users' programs. Configurations without a finished run are skipped.
    /// </summary>
    public static void WriteForRanked(string dir, ReportOptions? options = null)
    {
        var summary = new SweepSummary(SweepOutput.Load(dir), options);
        foreach (var c in summary.Ranked.Take(summary.Options.RankedRows))
        {
            if (FirstResult(summary, c) is not { } first) continue;
            var (run, result) = first;
            string label = $"configuration {c.ConfigId} (rank {c.Rank} of {summary.Ranked.Count}), run {run.RunId}, seed {run.Seed}";
            string folder = Path.Combine(dir, "exports");
            Directory.CreateDirectory(folder);
            foreach (var (target, suffix) in new[] { ("cryosparc", ".cryosparc.txt"), ("relion", ".relion.sh") })
            {
                string text = Render(result, target, label);
                AtomicFile.Write(Path.Combine(folder, c.ConfigId + suffix), stream => stream.Write(Encoding.UTF8.GetBytes(text)));
            }
        }
    }

    /// <summary>A configuration's first finished seed that has a result.json, and that file; null when none has.</summary>
    private static (RunRow Run, string ResultJson)? FirstResult(SweepSummary summary, ConfigSummary config) =>
        config.Runs.Where(x => x.Finished).OrderBy(x => x.Repeat)
            .Select(x => (Run: x, ResultJson: Path.Combine(summary.Sweep.RunDirectory(x.RunId), "result.json")))
            .Where(x => File.Exists(x.ResultJson))
            .Select(x => ((RunRow, string)?)x).FirstOrDefault();

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
        var (run, result) = FirstResult(summary, chosen)
            ?? throw new UserInputException($"configuration {chosen.ConfigId} has no finished run with a result.json in {dir}");
        return (result,
            $"configuration {chosen.ConfigId} (rank {chosen.Rank} of {summary.Ranked.Count}), run {run.RunId}, seed {run.Seed}");
    }

    /// <summary>The export text of one result.json.</summary>
    internal static string Render(string resultJson, string target, string label)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(resultJson));
        var root = json.RootElement;
        var settings = root.GetProperty("config").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString() ?? "")).ToList();
        var cfg = ConfigSettings.Apply(settings);
        long particles = (long)root.GetProperty("timeline").GetProperty("particle_count").GetDouble();
        double? mask = root.GetProperty("metrics").TryGetProperty("mask_radius_used_angstrom", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetDouble() : null;
        var text = new StringBuilder();
        text.AppendLine($"# SweepLab {label}");
        text.AppendLine($"# measured on {particles.ToString(CultureInfo.InvariantCulture)} particles ({root.GetProperty("particles").GetString()})");
        if (target == "relion")
        {
            text.Append(SettingsExport.RelionCommand(cfg, particles, mask));
            return text.ToString();
        }
        text.AppendLine("# cryoSPARC 3D Classification: parameter | value | note");
        foreach (var p in SettingsExport.CryoSparc(cfg, particles))
            text.AppendLine($"{p.Name} | {p.Value}{(p.Note.Length > 0 ? " | " + p.Note : "")}");
        return text.ToString();
    }
}
