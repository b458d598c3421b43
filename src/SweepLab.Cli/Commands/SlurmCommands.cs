using System.Globalization;
using Cocona;
using SweepLab.Cli.Sweeping;

namespace SweepLab.Cli.Commands;

/// <summary>The two halves of a SLURM sweep that run on the cluster: one array task's share, and the merge.</summary>
internal sealed class SlurmCommands
{
    [Command("worker", Description = "Run one SLURM array task's share of a submitted sweep (what DIR/slurm/submit.sh runs).")]
    public int Worker(
        [Argument(Description = "Sweep output folder")] string dir,
        [Option(Description = "Task id in DIR/slurm/tasks.json (default: SWEEPLAB_TASK_OFFSET + SLURM_ARRAY_TASK_ID)")] int? task = null,
        [Option(Description = "auto | cuda | opencl | pocl | cpu")] string device = "auto",
        [Option(Description = "Groups in flight (default: the sweep file's execution.workers)")] int? workers = null,
        [Option("group-size", Description = "Runs stepped together in one pass over the data")] int groupSize = 64) =>
        CommandGuard.Run(() =>
        {
            Devices.Parse(device);
            if (workers is < 1) throw new UserInputException($"--workers: {workers} is not allowed; give at least 1");
            if (groupSize < 1) throw new UserInputException($"--group-size: {groupSize} is not allowed; give at least 1");
            return SweepExecution.RunWorker(dir, task ?? TaskFromEnvironment(), device, workers, groupSize);
        });

    [Command("merge", Description = "Build results.csv, stability.csv, iterations.csv and the report of a sweep folder from its run folders.")]
    public int Merge(
        [Argument(Description = "Sweep output folder")] string dir,
        [Option("no-report", Description = "Skip the HTML report")] bool noReport = false) =>
        CommandGuard.Run(() => SweepExecution.Merge(dir, report: !noReport));

    private static int TaskFromEnvironment()
    {
        static int Read(string name, bool required)
        {
            string? text = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(text))
                return required ? throw new UserInputException($"--task not given and {name} is not set (not inside a SLURM array job)") : 0;
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
                ? value : throw new UserInputException($"{name}='{text}' is not a task index");
        }
        return Read("SWEEPLAB_TASK_OFFSET", required: false) + Read("SLURM_ARRAY_TASK_ID", required: true);
    }
}
