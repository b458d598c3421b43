using System.Diagnostics;
using System.Text;

namespace SweepLab.Simulation.Tests.Relion;

/// <summary>
/// Runs Debian's RELION 3.1 programs (an independent implementation of the conventions SweepLab follows) in a test's
/// temporary folder, with a timeout, and fails with the program's output when it exits non-zero.
/// </summary>
internal static class RelionTool
{
    public const string SkipReason = "relion_project not on PATH (apt-get install relion)";

    /// <summary>True when relion_project is on PATH; tests that need RELION skip with <see cref="SkipReason"/> otherwise.</summary>
    public static bool Available => Find("relion_project") is not null;

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>;
    /// returns stdout + stderr. Fails the test on a non-zero exit code or after <paramref name="timeoutSeconds"/>.</summary>
    public static string Run(string program, IEnumerable<string> arguments, string workingDirectory, int timeoutSeconds = 60)
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
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{command} did not finish within {timeoutSeconds} s; stderr: {Tail(stderr)}");
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

/// <summary>A fresh folder per test, deleted afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sweeplab-relion-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Pearson correlation of two images: insensitive to RELION's and SweepLab's different intensity scales.</summary>
internal static class ImageCompare
{
    public static double Correlation(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"images of {a.Length} and {b.Length} pixels");
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length;
        mb /= b.Length;
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i] - ma, y = b[i] - mb;
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
