namespace SweepLab.Core.IO;

/// <summary>
/// Lets a process stop at once (Ctrl-C, SIGTERM) except while it makes something final: an atomic write, a staged
/// folder's renames, a journal line. Outside such a section every file on disk is either final or a temporary the
/// next run removes, so stopping there loses nothing; inside one, the stop waits until the section ends. Signals are
/// process-wide, so this one gate is too; libraries only mark their sections, the program decides how to stop.
/// </summary>
public static class ExitGate
{
    private static readonly Lock Gate = new();
    private static int _open;
    private static Action? _pending;

    /// <summary>Marks a section that must not be cut; dispose to end it. After a stop was requested, a new section
    /// never starts (the thread waits for the process to end).</summary>
    public static Section Enter()
    {
        lock (Gate)
        {
            if (_pending is null)
            {
                _open++;
                return new Section(true);
            }
        }
        Thread.Sleep(Timeout.Infinite);
        return default;
    }

    /// <summary>Runs <paramref name="stop"/> now when no section is open, else when the last open one ends.</summary>
    public static void RequestStop(Action stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        lock (Gate)
        {
            if (_pending is not null) return;
            _pending = stop;
            if (_open > 0) return;
        }
        stop();
    }

    private static void Leave()
    {
        Action? stop = null;
        lock (Gate)
        {
            _open--;
            if (_open == 0) stop = _pending;
        }
        stop?.Invoke();
    }

    /// <summary>An open section; ending it may run a pending stop on this thread.</summary>
    public readonly struct Section(bool open) : IDisposable
    {
        public void Dispose()
        {
            if (open) Leave();
        }
    }
}
