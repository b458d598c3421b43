using SweepLab.Cli.Sweeping;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Tests.Slurm;

public class SlurmSettingsTests
{
    private const string Sweep = """
        name: t
        base: {classes: 2}
        execution:
          executor: slurm
          slurm:
            tasks: 6
            throttle: 3
            max_array_size: 4
            max_requeue: 1
            poll_seconds: 0.5
            template: site/submit.sh
            partition: gpu
            account: lab
            time: "01:00:00"
            memory: 8G
            cpus: 4
            gpus: 1
            modules: [cuda/12.4, dotnet]
            setup: source /opt/env.sh
        """;

    [Fact]
    public void ReadsEveryKey()
    {
        var s = SlurmSettings.Parse(Sweep, "/data/sweeps/s.yaml");
        Assert.Equal(6, s.Tasks);
        Assert.Equal(3, s.Throttle);
        Assert.Equal(4, s.MaxArraySize);
        Assert.Equal(1, s.MaxRequeue);
        Assert.Equal(0.5, s.PollSeconds);
        Assert.Equal("/data/sweeps/site/submit.sh", s.TemplatePath);
        Assert.Equal(("gpu", "lab", "01:00:00", "8G", 4, 1), (s.Partition, s.Account, s.Time, s.Memory, s.Cpus, s.Gpus));
        Assert.Equal(["cuda/12.4", "dotnet"], s.Modules);
        Assert.Equal(["source /opt/env.sh"], s.Setup);

        // The sweep-file reader accepts the block and leaves it to SlurmSettings.
        Assert.Equal(ExecutorKind.Slurm, SweepSpecYaml.Parse(Sweep, "s.yaml").Execution.Executor);
    }

    [Fact]
    public void DefaultsWithoutABlock()
    {
        var s = SlurmSettings.Parse("base: {classes: 2}\n", "s.yaml");
        Assert.Equal((null, 0, null, 2, 1, 0), (s.Tasks, s.Throttle, s.TemplatePath, s.MaxRequeue, s.Cpus, s.Gpus));
    }

    [Fact]
    public void EveryErrorIsReportedWithItsLine()
    {
        const string bad = "base: {classes: 2}\nexecution:\n  slurm:\n    tasks: 0\n    partition: two words\n    gpus: many\n    nodes: 3\n";
        var e = Assert.Throws<UserInputException>(() => SlurmSettings.Parse(bad, "s.yaml"));
        Assert.Contains("s.yaml:4: execution.slurm.tasks: expected an integer from 1 to 100000, got '0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("s.yaml:5: execution.slurm.partition: 'two words' holds white space", e.Message, StringComparison.Ordinal);
        Assert.Contains("s.yaml:6: execution.slurm.gpus: expected an integer", e.Message, StringComparison.Ordinal);
        Assert.Contains("s.yaml:7: execution.slurm.nodes: unknown key", e.Message, StringComparison.Ordinal);
    }
}
