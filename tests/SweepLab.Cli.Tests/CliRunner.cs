using System.Diagnostics;

namespace SweepLab.Cli.Tests;

/// <summary>Runs the built sweeplab program as a user would, capturing its output and exit code.</summary>
internal static class CliRunner
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr, long PeakWorkingSetBytes);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "sweeplab.dll");

    /// <summary>Catches a hung program only; how fast sweeps run is the bench's job.</summary>
    public static readonly TimeSpan HangWatchdog = TimeSpan.FromMinutes(5);

    public static Outcome Run(string workingDirectory, params string[] args) => Run(workingDirectory, HangWatchdog, args);

    public static Outcome Run(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        var clock = Stopwatch.StartNew();
        while (!process.WaitForExit(10))
        {
            try { process.Refresh(); peak = Math.Max(peak, process.PeakWorkingSet64); } catch (InvalidOperationException) { }
            if (clock.Elapsed > timeout)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"sweeplab {string.Join(' ', args)} ran past {timeout}");
            }
        }
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result, peak);
    }

    public static Process Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        // every progress update as a line: tests wait for or count them (throttling has its own unit test)
        info.Environment[ProgressDisplay.IntervalVariable] = "0";
        info.ArgumentList.Add(Dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
    }
}

/// <summary>A temporary folder removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("sweeplab-cli-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
