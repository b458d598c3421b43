namespace SweepLab.Cli.Sweeping;

/// <summary>Executor and report hooks that later commits fill in (SLURM, HTML report).</summary>
internal static partial class SweepExecution
{
    public static int SubmitToSlurm(string output, string sweep, Sweeps.SweepPlan plan) =>
        throw new UserInputException($"{sweep}: the SLURM executor is not in this build yet; use --executor local");

    public static IEnumerable<string> QueueStatus(string output) => [];

    public static void WriteReport(string output) => Console.Error.WriteLine($"{output}: the HTML report is not in this build yet; tables are written");
}
