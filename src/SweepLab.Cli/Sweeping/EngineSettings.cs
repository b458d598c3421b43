using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SweepLab.Core.IO;
using SweepLab.Engine.Configuration;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// A sweep's settings as the engine reads them. The planner (which knows nothing of the engine) gets the engine's
/// canonical form of each configuration from here, so <c>soft</c>, <c>off</c> and <c>OFF</c> are one run with one id,
/// and tables show the vocabulary result.json writes. Every command that plans a sweep folder plans through
/// <see cref="Plan"/>, so they all agree on the ids.
/// </summary>
internal static class EngineSettings
{
    /// <summary>The sweep's plan with canonical settings, checked by <paramref name="validator"/> when given.</summary>
    public static SweepPlan Plan(SweepSpec spec, Func<IReadOnlyDictionary<string, SettingValue>, IReadOnlyList<SettingIssue>>? validator = null) =>
        SweepPlanner.Plan(spec, validator, Canonical);

    /// <summary>
    /// Each setting in the engine's canonical text (<see cref="ConfigSettings.CanonicalText"/>), typed as that text reads:
    /// a number, true/false, or text. A value already canonical is kept as it is (an integer stays an integer), and so
    /// is a setting the engine does not know (validation reports it).
    /// </summary>
    public static SettingMap Canonical(SettingMap settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        bool withSwitch = settings.ContainsKey(ConfigSettings.HardSwitchIterationKey);
        return new SettingMap(settings.Select(p => new KeyValuePair<string, SettingValue>(p.Key, Canonical(p.Key, p.Value, withSwitch))));
    }

    /// <summary>Canonical values by (key, value, beside a switch iteration): a plan repeats few values many times.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, SettingValue, bool), SettingValue> Known = new();

    private static SettingValue Canonical(string key, SettingValue value, bool withSwitch)
    {
        var canonical = Known.GetOrAdd((key, value, withSwitch), k => Read(k.Item1, k.Item2, k.Item3));
        return canonical == value ? value : canonical.WithLine(value.Line);
    }

    private static SettingValue Read(string key, SettingValue value, bool withSwitch)
    {
        if (!ConfigSettings.IsKnown(key)) return value; // not the engine's: validation refuses it, nothing to rewrite
        string text = ConfigSettings.CanonicalText(key, value.CanonicalText, withSwitch);
        SettingValue canonical = text switch
        {
            "true" => SettingValue.FromBoolean(true, value.Line),
            "false" => SettingValue.FromBoolean(false, value.Line),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) => SettingValue.FromInteger(n, value.Line),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) => SettingValue.FromReal(d, value.Line),
            _ => SettingValue.FromString(text, value.Line),
        };
        return canonical == value ? value : canonical;
    }

    /// <summary>
    /// Once per sweep folder, while this process is its only writer: finished runs stored under the ids of an earlier
    /// SweepLab (whose ids hashed the settings as written, so soft and off differed) are moved to their current ids
    /// (<see cref="RunStore.MigrateRunIds"/>, each step crash-safe), the tables are written again under the new ids when
    /// the folder has them, and the folder is marked, so a resume finds every finished run and computes none twice.
    /// </summary>
    public static void AdoptEarlierRunIds(string output, SweepPlan plan, RunStore store, Action<string> log)
    {
        if (store.RunIdsCurrent) return;
        var migration = store.MigrateRunIds(Canonical, RewriteResultIds);
        if (migration.Renamed > 0)
            log($"{migration.Renamed} finished runs were stored under the ids of an earlier SweepLab (settings as written, such as soft for off); renamed to the current ids");
        if (migration.KeptBeside > 0)
            log($"{migration.KeptBeside} finished runs under earlier ids are also finished under their current ids; the earlier folders are left in {store.RunsDirectory}");
        if (File.Exists(Path.Combine(output, Reports.SweepOutput.ResultsFile)))
            SweepExecution.WriteTables(output, SweepStudy.ReplayAsync(plan, store).GetAwaiter().GetResult(), store);
        store.MarkRunIdsCurrent();
    }

    /// <summary>result.json names its run (extra.run_id, extra.config_id): the migrated run's ids replace the earlier ones.</summary>
    private static void RewriteResultIds(string folder, RunRecord migrated)
    {
        string path = Path.Combine(folder, Outputs.RunOutputs.ResultFile);
        if (JsonNode.Parse(File.ReadAllBytes(path)) is not JsonObject root || root["extra"] is not JsonObject extra) return;
        if (extra.ContainsKey("run_id")) extra["run_id"] = migrated.RunId;
        if (extra.ContainsKey("config_id")) extra["config_id"] = migrated.ConfigId;
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, root, Outputs.RunOutputs.Json));
    }
}
