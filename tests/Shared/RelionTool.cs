using System.Diagnostics;
using System.Text;

namespace SweepLab.TestSupport.Relion;

/// <summary>
/// Runs Debian's RELION 3.1 programs (an independent implementation of the conventions SweepLab follows) in a test's
/// temporary folder, under a hang watchdog, and fails with the program's output when it exits non-zero.
/// </summary>
public static class RelionTool
{
    public const string SkipReason = "relion_project not on PATH (apt-get install relion)";

    /// <summary>Catches a hung program only: on a machine shared with other jobs a tighter limit would fail tests for
    /// being slow.</summary>
    public static readonly TimeSpan HangWatchdog = TimeSpan.FromMinutes(5);

    /// <summary>True when relion_project is on PATH; tests that need RELION skip with <see cref="SkipReason"/> otherwise.</summary>
    public static bool Available => Find("relion_project") is not null;

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>;
    /// returns stdout + stderr. Fails the test on a non-zero exit code or when it hangs (<see cref="HangWatchdog"/>).</summary>
    public static string Run(string program, IEnumerable<string> arguments, string workingDirectory) =>
        Run(program, arguments, workingDirectory, HangWatchdog);

    /// <summary>As above with a longer hang watchdog, for the corpus runner's full-size RELION jobs (never a speed limit).</summary>
    public static string Run(string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan hangWatchdog)
    {
        string path = Find(program) ?? throw new InvalidOperationException($"{program} is not on PATH");
        var psi = new ProcessStartInfo(path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        // One thread per RELION process: the machine is shared with the test runner's own parallelism.
        psi.Environment["OMP_NUM_THREADS"] = "1";
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string command = $"{program} {string.Join(' ', psi.ArgumentList)}";
        if (!process.WaitForExit(hangWatchdog))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{command} did not finish within {hangWatchdog.TotalMinutes:0} minutes (hung?); stderr: {Tail(stderr)}");
        }
        process.WaitForExit(); // flushes the asynchronous readers
        string output = stdout + "\n" + stderr;
        Assert.True(process.ExitCode == 0, $"{command} exited with {process.ExitCode}; stderr: {Tail(stderr)}; stdout: {Tail(stdout)}");
        return output;
    }

    private static string Tail(StringBuilder text)
    {
        string s = text.ToString();
        return s.Length <= 4000 ? s : s[^4000..];
    }
}
