using System.Globalization;
using System.Text;
using System.Text.Json;
using SweepLab.Core.IO;
using SweepLab.Engine.Configuration;
using SweepLab.Reports;

namespace SweepLab.Cli.Outputs;

/// <summary>
/// A finished run's configuration as cryoSPARC parameters or a relion_refine command. Shared by <c>sweeplab export</c>
/// and the sweep's report step, so it lives below both (the Sweeping folder never calls into Commands).
/// </summary>
internal static class ConfigurationExport
{
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
    public static (RunRow Run, string ResultJson)? FirstResult(SweepSummary summary, ConfigSummary config) =>
        config.Runs.Where(x => x.Finished).OrderBy(x => x.Repeat)
            .Select(x => (Run: x, ResultJson: Path.Combine(summary.Sweep.RunDirectory(x.RunId), "result.json")))
            .Where(x => File.Exists(x.ResultJson))
            .Select(x => ((RunRow, string)?)x).FirstOrDefault();

    /// <summary>The export text of one result.json.</summary>
    public static string Render(string resultJson, string target, string label)
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
