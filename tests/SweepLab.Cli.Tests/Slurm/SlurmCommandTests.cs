using SweepLab.Cli.Commands;
using SweepLab.Cli.Sweeping;

namespace SweepLab.Cli.Tests.Slurm;

/// <summary>The SLURM executor's refusals and lookups that need no cluster.</summary>
public sealed class SlurmCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweeplab-slurm-cmd-").FullName;

    private string Sweep(string search)
    {
        string path = Path.Combine(_folder, "s.yaml");
        File.WriteAllText(path, $$"""
            dataset:
              simulate: {particles: 300, box: 32, pixel_size: 4}
            base: {classes: 2, init_subset_size: 100, similarity_anneal_start: 0, similarity_anneal_end: 0}
            grid:
              learning_rate_init: [0.5, 1.0]
            execution: {executor: slurm}
            search: {{search}}
            """);
        return path;
    }

    [Fact]
    public void AdaptiveSearchesAreRefusedBeforeAnythingIsSubmitted()
    {
        string sweep = Sweep("{kind: boundary, axis: class_similarity, low: 0.0, high: 0.5, tolerance: 0.1, outcome: \"collapsed == 1\"}");
        string output = Path.Combine(_folder, "out");
        var (plan, dataset) = SweepCommands.Prepare(SweepCommands.LoadSpec(sweep), output);
        var e = Assert.Throws<UserInputException>(() => SweepExecution.SubmitToSlurm(output, sweep, plan, dataset, new SlurmSubmitOptions()));
        Assert.Contains("search kind 'boundary' is adaptive", e.Message, StringComparison.Ordinal);
        Assert.Contains("--executor local", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(output, SweepExecution.SlurmFolder)));
    }

    [Fact]
    public void WorkerAndMergeNameWhatIsMissing()
    {
        var notSweep = Assert.Throws<UserInputException>(() => SweepExecution.Merge(_folder, report: false));
        Assert.Contains("not a sweep folder (no sweep.yaml)", notSweep.Message, StringComparison.Ordinal);

        File.Copy(Sweep("{kind: grid}"), Path.Combine(_folder, SweepFolders.SpecCopy));
        var notSubmitted = Assert.Throws<UserInputException>(() => SweepExecution.RunWorker(_folder, 0, "cpu", null, 64));
        Assert.Contains("no slurm/tasks.json", notSubmitted.Message, StringComparison.Ordinal);

        Directory.CreateDirectory(Path.Combine(_folder, SweepExecution.SlurmFolder));
        SlurmTasks.Write(Path.Combine(_folder, SweepExecution.SlurmFolder, SweepExecution.TasksFile),
            new SlurmTaskFile(Path.Combine(_folder, "s.yaml"), [new SlurmTask(0, ["a"]), new SlurmTask(1, ["b"]), new SlurmTask(2, ["c"])]));
        var unknown = Assert.Throws<UserInputException>(() => SweepExecution.RunWorker(_folder, 7, "cpu", null, 64));
        Assert.Contains("task 7 is not in slurm/tasks.json (tasks 0-2)", unknown.Message, StringComparison.Ordinal);

        // No jobs recorded: status has nothing to add from SLURM.
        Assert.Empty(SweepExecution.QueueStatus(_folder));
    }

    [Fact]
    public void WorkersRunTheSameProgramThatSubmitted()
    {
        // Under the test host this is `dotnet .../sweeplab.dll`; from the apphost it would be the sweeplab executable alone.
        var command = SweepExecution.SelfCommand();
        Assert.Equal("sweeplab.dll", Path.GetFileName(command[^1]));
        Assert.True(File.Exists(command[^1]));
        Assert.Equal(Environment.ProcessPath, command[0]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
    }
}
