using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using SweepLab.Core.IO;

namespace SweepLab.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (scancel, preemption, time limits) stop the program promptly with exit 130: at once
/// when nothing is being made final, else as soon as the open atomic write ends (<see cref="ExitGate"/>). Every
/// command's outputs are atomic, so a stop leaves each file either final or absent; the command says what was kept
/// (<see cref="Kept"/>) and a rerun resumes.
/// </summary>
internal static class Interruption
{
    public const int ExitInterrupted = 130;

    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static readonly List<Action> Cleanups = [];
    private static readonly Lock Gate = new();

    /// <summary>Says what an interrupted command leaves on disk; set by each command when it starts work.</summary>
    public static Func<string> Kept { get; set; } = () => "nothing was written";

    public static CancellationToken Token => Source.Token;

    public static bool Requested => Source.IsCancellationRequested;

    /// <summary>Takes SIGINT and SIGTERM for the whole process (the program calls it once, first).</summary>
    public static void Install()
    {
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            Registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    /// <summary>Work to do before stopping (removing this process's own temporary folders).</summary>
    public static IDisposable OnStop(Action cleanup)
    {
        lock (Gate) Cleanups.Add(cleanup);
        return new Unregister(cleanup);
    }

    private static void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        string name = context.Signal == PosixSignal.SIGINT ? "Ctrl-C" : "SIGTERM";
        bool first = !Source.IsCancellationRequested;
        if (first) Source.Cancel();
        ExitGate.Process.RequestStop(() => Stop(name));
    }

    private static void Stop(string signal)
    {
        Action[] cleanups;
        lock (Gate) cleanups = [.. Cleanups];
        foreach (var cleanup in cleanups)
        {
            try { cleanup(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        string kept;
        try { kept = Kept(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { kept = "see the output folder"; }
        Console.Out.Flush();
        Console.Error.WriteLine($"interrupted ({signal}): stopped; {kept}");
        Console.Error.Flush();
        Environment.Exit(ExitInterrupted);
    }

    /// <summary>The process's exit code: 130 when a stop was requested and the command still returned.</summary>
    public static int ExitCodeOr(int code) => Requested && code is CommandGuard.ExitOk or 3 ? ExitInterrupted : code;

    private sealed class Unregister(Action cleanup) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate) Cleanups.Remove(cleanup);
        }
    }

    /// <summary>The generic host's console lifetime, minus its Ctrl-C/SIGTERM handling (it swallowed the signals,
    /// waited for the command and exited 0).</summary>
    internal sealed class SilentLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
