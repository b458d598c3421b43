using SweepLab.Core.IO;
using System.Globalization;
using System.Text.Json;
using Cocona;
using SweepLab.Cli.Sweeping;
using SweepLab.Engine.Configuration;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Commands;

internal sealed class SweepCommands
{
    [Command("plan", Description = "Expand a sweep file and print its runs without running anything.")]
    public int Plan([Argument(Description = "sweeps.yaml")] string sweep, [Option(Description = "Print at most this many runs")] int show = 40) =>
        CommandGuard.Run(() =>
        {
            var spec = LoadSpec(sweep);
            var (plan, _) = Prepare(spec, Path.GetTempPath());
            Console.WriteLine($"{plan.Runs.Count} runs: {plan.Configurations.Count} configurations x {plan.Seeds.Count} seeds ({SearchStrategies.For(spec.Search).Name} search{(plan.IsAdaptive ? $", at most {plan.MaxRunCount} runs" : "")})");
            Console.WriteLine($"varying: {(plan.VaryingSettings.Count == 0 ? "(nothing)" : string.Join(", ", plan.VaryingSettings))}");
            var columns = new List<string> { "run_id", "seed" };
            columns.AddRange(plan.VaryingSettings);
            var rows = plan.Runs.Take(show).Select(r =>
            {
                var cells = new List<string> { r.RunId, r.Seed.ToString(CultureInfo.InvariantCulture) };
                cells.AddRange(plan.VaryingSettings.Select(s => r.Settings.TryGetValue(s, out var v) ? v.CanonicalText : "-"));
                return cells;
            }).ToList();
            var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            Console.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))));
            foreach (var row in rows) Console.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))));
            if (plan.Runs.Count > show) Console.WriteLine($"... {plan.Runs.Count - show} more");
            return CommandGuard.ExitOk;
        });

    [Command("run", Description = "Run a sweep: every configuration through the engine over one shared particle set; resumes where it stopped.")]
    public int Run(
        [Argument(Description = "sweeps.yaml")] string sweep,
        [Option(Description = "Output folder (default: sweep-output/<name>)")] string? @out = null,
        [Option(Description = "Parallel workers (default: the sweep file's execution.workers)")] int? workers = null,
        [Option(Description = "local | slurm (default: the sweep file's execution.executor)")] string? executor = null,
        [Option(Description = "auto | cuda | opencl | pocl | cpu")] string device = "auto",
        [Option("group-size", Description = "Runs stepped together in one pass over the data")] int groupSize = 64,
        [Option(ParticleMemory.Option, Description = ParticleMemory.OptionDescription)] double? particleMemoryGb = null,
        [Option("no-report", Description = "Skip the HTML report")] bool noReport = false,
        [Option(Description = "SLURM: wait for the jobs, resubmitting tasks that ended with runs missing (execution.slurm.max_requeue times)")] bool wait = false,
        [Option("slurm-template", Description = "SLURM: submit-script template (default: execution.slurm.template, else DIR/slurm/template.sh, else the built-in one)")] string? slurmTemplate = null,
        [Option(Description = "No progress display or messages (errors and the final summary only)")] bool quiet = false) =>
        CommandGuard.Run(() =>
        {
            ProgressDisplay.Current = ProgressDisplay.ForStderr(quiet);
            using var display = ProgressDisplay.Current;
            var spec = LoadSpec(sweep);
            string output = Path.GetFullPath(@out ?? Path.Combine("sweep-output", spec.Name ?? Path.GetFileNameWithoutExtension(sweep)));
            // Every option is checked before anything is written (a bad --device left sweep.yaml and a simulated set).
            Devices.Parse(device);
            ParticleMemory.Set(particleMemoryGb);
            if (workers is < 1) throw new UserInputException($"--workers: {workers} is not allowed; give at least 1");
            if (groupSize < 1) throw new UserInputException($"--group-size: {groupSize} is not allowed; give at least 1");
            var kind = executor is null ? spec.Execution.Executor : executor.ToLowerInvariant() switch
            {
                "local" => ExecutorKind.Local,
                "slurm" => ExecutorKind.Slurm,
                _ => throw new UserInputException($"--executor: '{executor}' is not local or slurm"),
            };
            if (slurmTemplate is not null && !File.Exists(slurmTemplate)) throw new UserInputException($"--slurm-template: {slurmTemplate} not found");
            OutputCheck.EnsureWritable(output, @out is null ? "output folder" : "--out");
            var (plan, dataset) = Prepare(spec, output);
            dataset.CheckImages();
            if (kind == ExecutorKind.Slurm)
            {
                Directory.CreateDirectory(output);
                WriteSweepFiles(output, sweep, plan);
                return SweepExecution.SubmitToSlurm(output, sweep, plan, dataset, new SlurmSubmitOptions(device, workers, groupSize, Report: !noReport, Wait: wait, TemplatePath: slurmTemplate is null ? null : Path.GetFullPath(slurmTemplate)));
            }
            using var folderLock = SweepFolderLock.Acquire(output, shared: false);
            WriteSweepFiles(output, sweep, plan);
            return SweepExecution.RunLocal(output, plan, dataset, device, workers ?? spec.Execution.Workers, groupSize, report: !noReport, runs: null);
        });

    [Command("status", Description = "Say how many runs of a sweep folder are done, failed, running or missing.")]
    public int Status([Argument(Description = "Sweep output folder")] string dir) =>
        CommandGuard.Run(() =>
        {
            string specPath = Path.Combine(dir, SweepFolders.SpecCopy);
            if (!File.Exists(specPath)) throw new UserInputException($"{dir}: not a sweep folder (no {SweepFolders.SpecCopy})");
            var plan = EngineSettings.Plan(SweepSpecYaml.Load(specPath));
            using var store = new RunStore(dir, "status");
            // Status only reads: runs under an earlier SweepLab's ids are renamed by the next run or merge.
            if (!store.RunIdsCurrent && store.RunsUnderEarlierIds(EngineSettings.Canonical).Count is int earlier and > 0)
                Console.WriteLine($"{dir}: {earlier} finished runs are stored under the ids of an earlier SweepLab; the next sweeplab run (or merge) renames them, and until then they count as missing below");
            // An adaptive search's runs depend on results: replay it from the store to learn which it has asked for.
            var (runs, study) = SweepExecution.PlannedRuns(plan, store);
            var summary = store.Summarize(runs);
            Console.WriteLine($"{dir}: {summary.Total} runs: {summary.Complete} complete, {summary.Pruned} pruned, {summary.Failed} failed, {summary.Interrupted} interrupted, {summary.Missing} missing");
            if (SweepExecution.SearchStatus(plan, study) is { } search) Console.WriteLine(search);
            foreach (string line in SweepExecution.QueueStatus(dir)) Console.WriteLine(line);
            return summary.Failed > 0 ? 3 : CommandGuard.ExitOk;
        });

    internal static SweepSpec LoadSpec(string sweep) =>
        File.Exists(sweep) ? SweepSpecYaml.Load(sweep) : throw new FileNotFoundException($"{sweep}: sweep file not found");

    /// <summary>Validates every run's settings against the engine and the dataset, and plans; no work.</summary>
    internal static (SweepPlan Plan, SweepDataset Dataset) Prepare(SweepSpec spec, string output)
    {
        var dataset = SweepDataset.FromSpec(spec, output);
        // A simulated set is known from its settings; a file's table is read here once and kept for the run.
        var (pixel, count) = dataset.Simulation is { } s ? (s.PixelSizeAngstrom, (long)s.Particles) : (dataset.Table.PixelSizeAngstrom, dataset.Table.Count);
        var plan = EngineSettings.Plan(spec, settings => Validate(settings, pixel, count));
        return (plan, dataset);
    }

    private static IReadOnlyList<SettingIssue> Validate(IReadOnlyDictionary<string, SettingValue> settings, double pixel, long count)
    {
        var issues = new List<SettingIssue>();
        foreach (string key in settings.Keys.Where(k => !ConfigSettings.IsKnown(k)))
            issues.Add(new SettingIssue(key, $"unknown engine setting; known: {string.Join(", ", ConfigSettings.KnownKeys.Append(ConfigSettings.HardSwitchIterationKey))}"));
        var known = settings.Where(p => ConfigSettings.IsKnown(p.Key)).Select(p => new KeyValuePair<string, string>(p.Key, p.Value.CanonicalText));
        var (config, errors) = ConfigSettings.TryApply(known);
        issues.AddRange(errors.Select(e => new SettingIssue(e.Key, e.Message)));
        if (config is not null) issues.AddRange(config.Validate(pixel, count).Select(e => new SettingIssue(e.Key, e.Message)));
        return issues;
    }

    internal static void WriteSweepFiles(string output, string sweep, SweepPlan plan)
    {
        string yaml = File.ReadAllText(sweep);
        AtomicFile.WriteAllText(Path.Combine(output, SweepFolders.SpecCopy), yaml);
        // Settings are every run's columns, the search's own (bisected axis, budget setting) included, so readers of
        // the folder (report, compare, merge, notebooks) treat them like any grid axis.
        var json = JsonSerializer.Serialize(new
        {
            name = plan.Spec.Name ?? Path.GetFileNameWithoutExtension(sweep),
            settings = plan.SettingNames,
            varying = plan.VaryingSettings,
            runs = plan.Runs.Count,
            max_runs = plan.MaxRunCount,
            search = SearchStrategies.For(plan.Spec.Search).Describe(plan.Spec.Search),
            reproduce = SweepFolders.ReproduceJson(yaml),
            yaml,
        }, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(Path.Combine(output, SweepFolders.SweepJson), json);
    }
}
