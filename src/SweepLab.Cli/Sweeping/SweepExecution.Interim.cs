namespace SweepLab.Cli.Sweeping;

/// <summary>Report hook that a later commit fills in (HTML report).</summary>
internal static partial class SweepExecution
{
    public static void WriteReport(string output) => Console.Error.WriteLine($"{output}: the HTML report is not in this build yet; tables are written");
}
