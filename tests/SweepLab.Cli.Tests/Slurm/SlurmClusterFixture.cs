using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SweepLab.Cli.Tests.Slurm;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0}s\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// A real single-node SLURM cluster started by scripts/slurm-cluster.sh in a temporary folder (installing Debian's
/// packages when missing, which needs root), shared by the tests of one class and stopped by the PIDs the script
/// recorded. When it cannot start, <see cref="SkipReason"/> says why and the tests report skipped.
/// </summary>
public sealed class SlurmClusterFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("sweeplab-slurm-").FullName;
    public string ClusterDirectory => Path.Combine(Root, "cluster");
    public string SlurmConf => Path.Combine(ClusterDirectory, "slurm.conf");
    public string? SkipReason { get; }
    public TimeSpan StartTime { get; }
    private readonly string? _script;

    /// <summary>Catches a hung sweep, client or daemon only; on a machine shared with other jobs a tighter limit would
    /// fail tests for being slow. Starting the cluster gets twice as long: it may install packages first.</summary>
    public static readonly TimeSpan HangWatchdog = TimeSpan.FromMinutes(5);

    /// <summary>slurmctld's and slurmd's ports, free when the fixture starts, not SLURM's fixed 6817/6818: two clusters
    /// on one machine (test projects run in parallel, and other developers share it) must not answer each other.</summary>
    private readonly (int Controller, int Node) _ports = FreePorts();

    public SlurmClusterFixture()
    {
        if (!OperatingSystem.IsLinux()) { SkipReason = "SLURM tests need Linux"; return; }
        _script = FindScript();
        if (_script is null) { SkipReason = "scripts/slurm-cluster.sh not found above " + AppContext.BaseDirectory; return; }
        var start = Run("/bin/bash", [_script, "start", ClusterDirectory], 2 * HangWatchdog);
        StartTime = start.Elapsed;
        if (start.ExitCode != 0) SkipReason = $"the single-node SLURM cluster did not start: {start}";
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "scripts", "slurm-cluster.sh");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The built CLI (sweeplab.dll, copied next to the tests) run with `dotnet`, SLURM_CONF pointing here.</summary>
    public ProcessResult Cli(IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "sweeplab.dll");
        Assert.True(File.Exists(dll), $"{dll} missing: the test project must reference the CLI project");
        return Run(DotnetPath(), [dll, .. args], timeout, workingDirectory);
    }

    /// <summary>Starts the CLI without waiting; the caller waits with <see cref="Finish"/>.</summary>
    public (Process Process, Task<string> Stdout, Task<string> Stderr) StartCli(IEnumerable<string> args, string? workingDirectory = null)
    {
        var process = Process.Start(Info(DotnetPath(), [Path.Combine(AppContext.BaseDirectory, "sweeplab.dll"), .. args], workingDirectory))!;
        return (process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    public static ProcessResult Finish((Process Process, Task<string> Stdout, Task<string> Stderr) started, TimeSpan timeout, Stopwatch watch)
    {
        using var process = started.Process;
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} ran past {timeout}; stderr so far:\n{started.Stderr.Result}");
        }
        return new ProcessResult(process.ExitCode, started.Stdout.Result, started.Stderr.Result, watch.Elapsed);
    }

    /// <summary>A SLURM client command (squeue, scancel) against this cluster.</summary>
    public ProcessResult Slurm(string command, params string[] args) => Run(command, args, HangWatchdog);

    private static string DotnetPath()
    {
        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private ProcessStartInfo Info(string file, IEnumerable<string> args, string? workingDirectory)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Root,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["SLURM_CONF"] = SlurmConf;
        // Read by `slurm-cluster.sh start` into slurm.conf, where the clients find them.
        info.Environment["SLURMCTLD_PORT"] = _ports.Controller.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["SLURMD_PORT"] = _ports.Node.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The script's wait for the node to come up (60 s by default) is a hang watchdog too: a loaded machine is slow.
        info.Environment["SLURM_START_TIMEOUT"] = HangWatchdog.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return info;
    }

    /// <summary>Two distinct TCP ports the system reports free (both held while asking, then released).</summary>
    private static (int, int) FreePorts()
    {
        var a = new TcpListener(IPAddress.Any, 0);
        var b = new TcpListener(IPAddress.Any, 0);
        a.Start();
        b.Start();
        try
        {
            return (((IPEndPoint)a.LocalEndpoint).Port, ((IPEndPoint)b.LocalEndpoint).Port);
        }
        finally
        {
            a.Stop();
            b.Stop();
        }
    }

    private ProcessResult Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null)
    {
        var watch = Stopwatch.StartNew();
        var process = Process.Start(Info(file, args, workingDirectory))!;
        return Finish((process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync()), timeout, watch);
    }

    public void Dispose()
    {
        if (_script is not null && File.Exists(Path.Combine(ClusterDirectory, "pids")))
        {
            var stop = Run("/bin/bash", [_script, "stop", ClusterDirectory], HangWatchdog);
            if (stop.ExitCode != 0) Console.Error.WriteLine($"slurm-cluster.sh stop failed: {stop}");
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static string Tail(string text, int lines = 40) => string.Join('\n', text.Split('\n').TakeLast(lines));

    public static string Utf8(string path) => Encoding.UTF8.GetString(File.ReadAllBytes(path));
}
