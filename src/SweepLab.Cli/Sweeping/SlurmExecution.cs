using SweepLab.Core.IO;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Sweeping;

/// <summary>How <c>sweeplab run --executor slurm</c> submits: what the workers run with, and whether to wait.</summary>
/// <param name="Device">The workers' --device.</param>
/// <param name="Workers">The workers' --workers (groups in flight per task); null: the sweep file's.</param>
/// <param name="GroupSize">Runs stepped together in one pass over the data; also the default runs per task.</param>
/// <param name="Report">Whether the merge step writes the HTML report.</param>
/// <param name="Wait">Poll squeue until every job ended, resubmitting tasks that ended with runs missing.</param>
/// <param name="TemplatePath">--slurm-template; overrides the sweep file's execution.slurm.template.</param>
internal sealed record SlurmSubmitOptions(
    string Device = "auto",
    int? Workers = null,
    int GroupSize = 64,
    bool Report = true,
    bool Wait = false,
    string? TemplatePath = null);

/// <summary>
/// The SLURM executor. A sweep folder DIR on a shared file system gets DIR/slurm/ with tasks.json (task id to run
/// ids; a task keeps its id and share when resubmitted), jobs.json (every sbatch submission), template.sh (the
/// template used, for a site to edit), submit.sh and merge.sh (rendered), logs/ and merge.json. Each array task runs
/// <c>sweeplab worker DIR --task I</c>: one process that loads the particle set once and steps its share of runs
/// through the engine, writing run folders and its own journal; a dependent job runs <c>sweeplab merge DIR</c>.
/// Adaptive searches (boundary, halving) are refused: each of their rounds depends on the results of the last.
/// </summary>
internal static partial class SweepExecution
{
    public const string SlurmFolder = "slurm";
    public const string TasksFile = "tasks.json";
    public const string JobsFile = "jobs.json";
    public const string MergeStampFile = "merge.json";
    public const string TemplateCopy = "template.sh";

    private static string SlurmPath(string output, string name) => Path.Combine(output, SlurmFolder, name);

    /// <param name="dataset">The sweep's dataset as the planner saw it (its table, once read, is reused).</param>
    public static int SubmitToSlurm(string output, string sweep, SweepPlan plan, SweepDataset dataset, SlurmSubmitOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        if (plan.IsAdaptive)
            throw new UserInputException($"{sweep}: search kind '{plan.Spec.Search.GetType().Name.Replace("SearchSpec", "", StringComparison.Ordinal).ToLowerInvariant()}' is adaptive (each round of runs depends on the results of the last), which the SLURM executor does not drive; run it with --executor local, or sweep the grid on SLURM");
        output = Path.GetFullPath(output);
        string source = Path.GetFullPath(sweep);
        var settings = SlurmSettings.Load(sweep);
        Directory.CreateDirectory(Path.Combine(output, SlurmFolder, "logs"));
        string template = ChooseTemplate(output, options.TemplatePath ?? settings.TemplatePath);

        // Simulated data is written once here, before any task starts, so array tasks never race to create it.
        dataset.Materialise(message => Console.Error.WriteLine(message));
        var table = dataset.Table;
        var client = new SlurmClient();
        var context = new SubmitContext(output, source, plan, settings, options, client, template, run => EngineObjective.GroupKeyOf(run, table));

        int resubmissions = 0;
        while (true)
        {
            SubmitMissing(context, round: resubmissions);
            if (!options.Wait) return CommandGuard.ExitOk;
            WaitForJobs(output, client, settings.PollSeconds);
            var summary = Summarize(output, plan);
            int open = summary.Total - summary.Complete - summary.Pruned;
            if (open == 0 || resubmissions >= settings.MaxRequeue)
            {
                EnsureMerged(output, options.Report);
                Console.WriteLine($"{output}: {summary.Total} runs: {summary.Complete} complete, {summary.Pruned} pruned, {summary.Failed} failed, {summary.Interrupted + summary.Missing} missing after {resubmissions} resubmission(s)");
                return open == 0 ? CommandGuard.ExitOk : 3;
            }
            resubmissions++;
            Console.Error.WriteLine($"slurm: {open} runs not final after the jobs ended; resubmitting their tasks ({resubmissions}/{settings.MaxRequeue})");
        }
    }

    private sealed record SubmitContext(
        string Output, string Source, SweepPlan Plan, SlurmSettings Settings, SlurmSubmitOptions Options, SlurmClient Client, string Template,
        Func<RunSpec, string> GroupKey);

    /// <summary>
    /// Submits every run that is not final and not in a queued or running task: tasks that ended with runs missing
    /// are resubmitted as they are (same id, same share; the worker skips runs already final), runs no task holds
    /// yet get new tasks. Then a merge job after every array of this sweep still in the queue.
    /// </summary>
    private static void SubmitMissing(SubmitContext c, int round)
    {
        using var submitLock = TakeSubmitLock(c.Output);
        var tasksFile = SlurmTasks.Read<SlurmTaskFile>(SlurmPath(c.Output, TasksFile)) ?? new SlurmTaskFile(c.Source, []);
        var jobs = (SlurmTasks.Read<SlurmJobFile>(SlurmPath(c.Output, JobsFile)) ?? new SlurmJobFile([])).Jobs.ToList();
        var queue = c.Client.Queue();

        var activeTasks = new HashSet<int>();
        var activeArrays = new List<string>();
        foreach (var job in jobs.Where(j => j.Kind == SlurmJob.ArrayKind))
        {
            bool any = false;
            foreach (int task in job.Tasks)
                if (queue.TryGetValue(job.ElementId(task), out var state) && SlurmClient.IsActive(state)) { activeTasks.Add(task); any = true; }
            if (any) activeArrays.Add(job.JobId);
        }

        var open = new HashSet<string>(StringComparer.Ordinal);
        using (var store = new RunStore(c.Output, "slurm-submit"))
        {
            if (activeTasks.Count == 0 && !jobs.Any(j => queue.TryGetValue(j.JobId, out var s) && SlurmClient.IsActive(s)))
            {
                store.RemoveStaleTemporaryFolders();
                EngineSettings.AdoptEarlierRunIds(c.Output, c.Plan, store, message => Console.Error.WriteLine($"slurm: {message}"));
            }
            foreach (var run in c.Plan.Runs)
                if (!store.IsFinished(run.RunId)) open.Add(run.RunId);
        }

        var held = new HashSet<string>(StringComparer.Ordinal);
        var resubmit = new List<int>();
        foreach (var task in tasksFile.Tasks)
        {
            held.UnionWith(task.Runs);
            if (!activeTasks.Contains(task.Id) && task.Runs.Any(open.Contains)) resubmit.Add(task.Id);
        }
        var queuedRuns = tasksFile.Tasks.Where(t => activeTasks.Contains(t.Id)).SelectMany(t => t.Runs).Where(open.Contains).ToHashSet(StringComparer.Ordinal);
        var fresh = c.Plan.Runs.Where(r => open.Contains(r.RunId) && !held.Contains(r.RunId)).ToList();

        var tasks = tasksFile.Tasks.ToList();
        if (fresh.Count > 0)
        {
            int count = c.Settings.Tasks ?? (int)Math.Ceiling(fresh.Count / (double)Math.Max(1, c.Options.GroupSize));
            int next = tasks.Count == 0 ? 0 : tasks.Max(t => t.Id) + 1;
            foreach (var share in SlurmTasks.Split(fresh, c.GroupKey, count))
                tasks.Add(new SlurmTask(next++, share.Select(r => r.RunId).ToList()));
        }
        var known = tasksFile.Tasks.Select(t => t.Id).ToHashSet();
        var submit = resubmit.Concat(tasks.Where(t => !known.Contains(t.Id)).Select(t => t.Id)).Order().ToList();
        if (submit.Count == 0)
        {
            Console.WriteLine(open.Count == 0
                ? $"{c.Output}: every run is final; nothing to submit"
                : $"{c.Output}: nothing to submit: {queuedRuns.Count} open runs are in queued or running tasks ({string.Join(", ", activeTasks.Order())})");
            return;
        }
        SlurmTasks.Write(SlurmPath(c.Output, TasksFile), new SlurmTaskFile(c.Source, tasks));

        string worker = Render(c, merge: false);
        string merger = Render(c, merge: true);
        int maxArraySize = Math.Min(c.Settings.MaxArraySize ?? int.MaxValue, c.Client.MaxArraySize() ?? 1001);
        var newArrays = new List<string>();
        var runsOf = tasks.ToDictionary(t => t.Id);
        foreach (var (offset, ids) in SlurmTasks.Arrays(submit, maxArraySize))
        {
            string spec = SlurmTasks.ArraySpec(ids.Select(i => i - offset).ToList(), c.Settings.Throttle);
            string id = c.Client.Submit([$"--array={spec}", $"--export=ALL,SWEEPLAB_TASK_OFFSET={offset.ToString(CultureInfo.InvariantCulture)}"], worker);
            jobs.Add(new SlurmJob(id, SlurmJob.ArrayKind, offset, ids, [], DateTimeOffset.UtcNow));
            SlurmTasks.Write(SlurmPath(c.Output, JobsFile), new SlurmJobFile(jobs));
            newArrays.Add(id);
            int runs = ids.Sum(t => runsOf[t].Runs.Count(open.Contains));
            Console.WriteLine($"submitted job {id}: array {spec}, tasks {Ranges(ids)} (offset {offset}), {runs} runs{(round > 0 ? $", resubmission {round}" : "")}");
        }

        // The merge job waits for every array of this sweep still queued, so the last merge sees every run. Older
        // merge jobs still pending would only do the same work earlier with less, so they are cancelled.
        var after = activeArrays.Concat(newArrays).ToList();
        foreach (var old in jobs.Where(j => j.Kind == SlurmJob.MergeKind && queue.TryGetValue(j.JobId, out var s) && s == "PENDING"))
            c.Client.Cancel(old.JobId);
        string mergeId = c.Client.Submit([$"--dependency=afterany:{string.Join(':', after)}", "--kill-on-invalid-dep=no"], merger);
        jobs.Add(new SlurmJob(mergeId, SlurmJob.MergeKind, 0, [], after, DateTimeOffset.UtcNow));
        SlurmTasks.Write(SlurmPath(c.Output, JobsFile), new SlurmJobFile(jobs));
        Console.WriteLine($"submitted merge job {mergeId} after {string.Join(", ", after)}");
    }

    /// <summary>One submitter per sweep folder at a time: a second one would hand the same runs to two tasks.</summary>
    private static FileStream TakeSubmitLock(string output)
    {
        string path = SlurmPath(output, ".submit.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new UserInputException($"{output}: another sweeplab is submitting this sweep right now ({path} is locked)");
        }
    }

    private static string ChooseTemplate(string output, string? userTemplate)
    {
        string copy = SlurmPath(output, TemplateCopy);
        string text;
        if (userTemplate is not null)
        {
            if (!File.Exists(userTemplate)) throw new UserInputException($"{userTemplate}: SLURM template not found");
            text = File.ReadAllText(userTemplate);
        }
        else
        {
            text = File.Exists(copy) ? File.ReadAllText(copy) : SlurmTemplate.BuiltIn();
        }
        // Checked now, so a broken template fails before anything is submitted.
        SlurmTemplate.Render(text, userTemplate ?? copy, new Dictionary<string, string> { ["command"] = "true" });
        AtomicFile.WriteAllText(copy, text);
        return text;
    }

    private static string Render(SubmitContext c, bool merge)
    {
        var s = c.Settings;
        string self = string.Join(' ', SelfCommand().Select(SlurmTemplate.ShellQuote));
        string dir = SlurmTemplate.ShellQuote(c.Output);
        string command = merge
            ? $"{self} merge {dir}{(c.Options.Report ? "" : " --no-report")}"
            : string.Create(CultureInfo.InvariantCulture,
                $"{self} worker {dir} --task $((SWEEPLAB_TASK_OFFSET + SLURM_ARRAY_TASK_ID)) --device {SlurmTemplate.ShellQuote(c.Options.Device)} --group-size {c.Options.GroupSize}{(c.Options.Workers is int w ? $" --workers {w}" : "")}");
        string name = new((c.Plan.Spec.Name ?? Path.GetFileNameWithoutExtension(c.Source)).Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_').ToArray());
        var values = new Dictionary<string, string>
        {
            ["job_name"] = $"sweeplab-{name}{(merge ? "-merge" : "")}",
            ["partition"] = s.Partition ?? "",
            ["account"] = s.Account ?? "",
            ["qos"] = s.Qos ?? "",
            ["time"] = s.Time ?? "",
            ["memory"] = s.Memory ?? "",
            ["cpus"] = (merge ? 1 : s.Cpus).ToString(CultureInfo.InvariantCulture),
            ["gpus"] = merge || s.Gpus == 0 ? "" : s.Gpus.ToString(CultureInfo.InvariantCulture),
            ["modules"] = s.Modules.Count == 0 ? "" : "module load " + string.Join(' ', s.Modules.Select(SlurmTemplate.ShellQuote)),
            ["setup"] = string.Join('\n', s.Setup),
            ["log_file"] = Path.Combine(c.Output, SlurmFolder, "logs", merge ? "merge-%j.out" : "task-%A_%a.out"),
            ["sweep_dir"] = c.Output,
            ["command"] = command,
        };
        string script = SlurmTemplate.Render(c.Template, SlurmPath(c.Output, TemplateCopy), values);
        string path = SlurmPath(c.Output, merge ? "merge.sh" : "submit.sh");
        AtomicFile.WriteAllText(path, script);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead);
        return path;
    }

    /// <summary>How this very process was started: dotnet + sweeplab.dll from a build folder, or the sweeplab executable.</summary>
    internal static IReadOnlyList<string> SelfCommand()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this process is unknown");
        string dll = typeof(SweepExecution).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) && dll.Length > 0 ? [process, dll] : [process];
    }

    private static void WaitForJobs(string output, SlurmClient client, double pollSeconds)
    {
        string last = "";
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var jobs = SlurmTasks.Read<SlurmJobFile>(SlurmPath(output, JobsFile))?.Jobs ?? [];
            var ids = jobs.Select(j => j.JobId).ToHashSet(StringComparer.Ordinal);
            var queue = client.Queue();
            var ours = queue.Where(p => ids.Contains(p.Key.Split('_')[0]) && SlurmClient.IsActive(p.Value)).ToList();
            if (ours.Count == 0) return;
            string now = string.Join(", ", ours.GroupBy(p => p.Value).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key.ToLowerInvariant()}"));
            if (now != last) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"slurm: {now} ({watch.Elapsed.TotalSeconds:0}s)"));
            last = now;
            Thread.Sleep(TimeSpan.FromSeconds(pollSeconds));
        }
    }

    private static StoreSummary Summarize(string output, SweepPlan plan)
    {
        using var store = new RunStore(output, "slurm-submit");
        return store.Summarize(plan.Runs);
    }

    /// <summary>After --wait: the tables come from the last merge job, or are built here when it did not finish.</summary>
    private static void EnsureMerged(string output, bool report)
    {
        var lastMerge = SlurmTasks.Read<SlurmJobFile>(SlurmPath(output, JobsFile))?.Jobs.LastOrDefault(j => j.Kind == SlurmJob.MergeKind);
        var stamp = SlurmTasks.Read<SlurmMergeStamp>(SlurmPath(output, MergeStampFile));
        if (lastMerge is not null && stamp?.JobId == lastMerge.JobId) return;
        Console.Error.WriteLine($"slurm: merge job {lastMerge?.JobId ?? "(none)"} left no stamp; merging here");
        Merge(output, report);
    }

    /// <summary>What DIR/sweep.yaml plans, with relative paths resolved against the sweep file it was copied from.</summary>
    private static (SweepPlan Plan, SweepDataset Dataset, SlurmTaskFile? Tasks) LoadFolder(string output)
    {
        string specPath = Path.Combine(output, SweepFolders.SpecCopy);
        if (!File.Exists(specPath)) throw new UserInputException($"{output}: not a sweep folder (no {SweepFolders.SpecCopy})");
        var tasks = SlurmTasks.Read<SlurmTaskFile>(SlurmPath(output, TasksFile));
        var spec = SweepSpecYaml.Parse(File.ReadAllText(specPath), tasks?.SweepSource ?? specPath);
        return (EngineSettings.Plan(spec), SweepDataset.FromSpec(spec, output), tasks);
    }

    /// <summary><c>sweeplab worker</c>: runs one task's share in this process (one load of the particles, groups stepped together).</summary>
    public static int RunWorker(string output, int task, string device, int? workers, int groupSize)
    {
        output = Path.GetFullPath(output);
        var (plan, dataset, tasks) = LoadFolder(output);
        if (tasks is null) throw new UserInputException($"{output}: no {SlurmFolder}/{TasksFile}; submit with sweeplab run --executor slurm first");
        var share = tasks.Tasks.FirstOrDefault(t => t.Id == task)
            ?? throw new UserInputException($"{output}: task {task} is not in {SlurmFolder}/{TasksFile} (tasks {Ranges(tasks.Tasks.Select(t => t.Id).Order().ToList())})");
        var byId = new Dictionary<string, RunSpec>(StringComparer.Ordinal);
        foreach (var run in plan.Runs) byId.TryAdd(run.RunId, run);
        var runs = share.Runs.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        if (runs.Count < share.Runs.Count)
            Console.Error.WriteLine($"task {task}: {share.Runs.Count - runs.Count} of its runs are no longer in {SweepFolders.SpecCopy}; skipped");
        string? job = Environment.GetEnvironmentVariable("SLURM_JOB_ID");
        string writer = job is { Length: > 0 } && job.All(char.IsAsciiDigit) ? $"task-{task}-{job}" : $"task-{task}";
        Console.Error.WriteLine($"task {task}: {runs.Count} runs, journal.{writer}.jsonl");
        using var folderLock = SweepFolderLock.Acquire(output, shared: true);
        return RunLocal(output, plan, dataset, device, workers ?? plan.Spec.Execution.Workers, groupSize, report: false, runs: runs, writerName: writer);
    }

    /// <summary><c>sweeplab merge</c>: tables (and the report) from the store alone; returns 3 while runs are open.</summary>
    public static int Merge(string output, bool report)
    {
        output = Path.GetFullPath(output);
        var (plan, _, _) = LoadFolder(output);
        StoreSummary summary;
        using (var store = new RunStore(output, "merge"))
        {
            // Runs under an earlier SweepLab's ids are renamed only while nothing else writes the folder.
            if (!store.RunIdsCurrent && TryLockAlone(output) is { } alone)
                using (alone) EngineSettings.AdoptEarlierRunIds(output, plan, store, message => Console.Error.WriteLine(message));
            var study = SweepStudy.ReplayAsync(plan, store).GetAwaiter().GetResult();
            WriteTables(output, study, store);
            summary = store.Summarize(study.Runs);
        }
        if (report) WriteReport(output);
        Directory.CreateDirectory(Path.Combine(output, SlurmFolder));
        string? job = Environment.GetEnvironmentVariable("SLURM_JOB_ID");
        SlurmTasks.Write(SlurmPath(output, MergeStampFile), new SlurmMergeStamp(job is { Length: > 0 } ? job : null, DateTimeOffset.UtcNow, summary.Total, summary.Complete + summary.Pruned));
        int open = summary.Total - summary.Complete - summary.Pruned;
        Console.WriteLine($"{output}: merged {summary.Complete + summary.Pruned} of {summary.Total} runs ({summary.Complete} complete, {summary.Pruned} pruned, {summary.Failed} failed, {summary.Interrupted + summary.Missing} missing)");
        return open == 0 ? CommandGuard.ExitOk : 3;
    }

    /// <summary>The folder's lock held alone, or null while another process holds it.</summary>
    private static SweepFolderLock? TryLockAlone(string output)
    {
        try
        {
            return SweepFolderLock.Acquire(output, shared: false);
        }
        catch (UserInputException)
        {
            return null;
        }
    }

    /// <summary>
    /// For <c>sweeplab status</c>: one line per task (queued, running, done or failed) from squeue and the run folders,
    /// and a summary line; nothing when the folder was never submitted to SLURM.
    /// </summary>
    public static IEnumerable<string> QueueStatus(string output)
    {
        var jobs = SlurmTasks.Read<SlurmJobFile>(SlurmPath(output, JobsFile))?.Jobs ?? [];
        var tasks = SlurmTasks.Read<SlurmTaskFile>(SlurmPath(output, TasksFile))?.Tasks ?? [];
        if (jobs.Count == 0) return [];
        var lines = new List<string>();
        IReadOnlyDictionary<string, string> queue;
        try
        {
            queue = new SlurmClient().Queue();
        }
        catch (UserInputException e)
        {
            lines.Add($"slurm: squeue failed, so queued and running tasks read as ended: {e.Message}");
            queue = new Dictionary<string, string>();
        }
        using var store = new RunStore(output, "slurm-status");
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal) { ["queued"] = 0, ["running"] = 0, ["done"] = 0, ["failed"] = 0 };
        var detail = new List<string>();
        foreach (var task in tasks.OrderBy(t => t.Id))
        {
            var job = jobs.LastOrDefault(j => j.Kind == SlurmJob.ArrayKind && j.Tasks.Contains(task.Id));
            int final = task.Runs.Count(store.IsFinished);
            string? state = job is not null && queue.TryGetValue(job.ElementId(task.Id), out var s) ? s : null;
            string word = state switch
            {
                "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD" => "queued",
                not null when SlurmClient.IsActive(state) => "running",
                _ => final == task.Runs.Count ? "done" : "failed",
            };
            counts[word]++;
            int submissions = jobs.Count(j => j.Kind == SlurmJob.ArrayKind && j.Tasks.Contains(task.Id));
            detail.Add(string.Create(CultureInfo.InvariantCulture,
                $"  task {task.Id,-4} job {job?.ElementId(task.Id) ?? "-",-12} {word,-8} {final}/{task.Runs.Count} runs final{(submissions > 1 ? $", submitted {submissions} times" : "")}{(state is not null && word == "failed" ? $" ({state.ToLowerInvariant()})" : "")}"));
        }
        lines.Add($"slurm: {tasks.Count} tasks: {counts["queued"]} queued, {counts["running"]} running, {counts["done"]} done, {counts["failed"]} failed");
        lines.AddRange(detail);
        if (jobs.LastOrDefault(j => j.Kind == SlurmJob.MergeKind) is { } merge)
        {
            string word = queue.TryGetValue(merge.JobId, out var s) ? s.ToLowerInvariant() : File.Exists(SlurmPath(output, MergeStampFile)) ? "ended" : "ended without a stamp";
            lines.Add($"  merge     job {merge.JobId,-12} {word}");
        }
        return lines;
    }

    private static string Ranges(IReadOnlyList<int> ids) => ids.Count == 0 ? "(none)" : SlurmTasks.ArraySpec(ids, 0);
}
