namespace SweepLab.Core.IO;

/// <summary>
/// Lets a process stop at once (Ctrl-C, SIGTERM) except while it makes something final: an atomic write, a staged
/// folder's renames, a journal line. Outside such a section every file on disk is either final or a temporary the
/// next run removes, so stopping there loses nothing; inside one, the stop waits until the section ends. Signals are
/// process-wide, so <see cref="Process"/> is too; libraries only mark their sections, the program decides how to stop.
/// </summary>
public sealed class ExitGate
{
    /// <summary>The gate every atomic write of this process marks.</summary>
    public static ExitGate Process { get; } = new();

    private readonly Lock _gate = new();
    private readonly ThreadLocal<int> _openHere = new(() => 0);
    private int _open;
    private Action? _pending;

    /// <summary>Marks a section of <see cref="Process"/>; see <see cref="Open"/>.</summary>
    public static Section Enter() => Process.Open();

    /// <summary>Marks a section that must not be cut; dispose to end it. Once a stop was requested, a new section never
    /// starts (the thread waits for the process to end), except one nested in a section this thread has open, or the
    /// outer one could never end.</summary>
    public Section Open()
    {
        lock (_gate)
        {
            if (_pending is null || _openHere.Value > 0)
            {
                _open++;
                _openHere.Value++;
                return new Section(this);
            }
        }
        Thread.Sleep(Timeout.Infinite);
        return default;
    }

    /// <summary>Runs <paramref name="stop"/> now when no section is open, else when the last open one ends; a second
    /// request while one is pending is ignored.</summary>
    public void RequestStop(Action stop)
    {
        ArgumentNullException.ThrowIfNull(stop);
        lock (_gate)
        {
            if (_pending is not null) return;
            _pending = stop;
            if (_open > 0) return;
        }
        stop();
    }

    private void Leave()
    {
        Action? stop = null;
        lock (_gate)
        {
            _open--;
            _openHere.Value--;
            if (_open == 0) stop = _pending;
        }
        stop?.Invoke();
    }

    /// <summary>An open section; ending it may run a pending stop on this thread.</summary>
    public readonly struct Section : IDisposable
    {
        private readonly ExitGate? _owner;

        internal Section(ExitGate owner) => _owner = owner;

        public void Dispose() => _owner?.Leave();
    }
}
