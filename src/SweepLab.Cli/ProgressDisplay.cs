namespace SweepLab.Cli;

/// <summary>
/// How a long command reports progress on stderr. On a terminal: one live status line, rewritten in place (a
/// 2,000-run sweep does not scroll 2,000 lines), with messages printed above it. When stderr is redirected (a log
/// file, SLURM's output, CI): plain status lines at most every <see cref="PlainInterval"/> plus the last one, so a log
/// stays short and greppable. With <c>--quiet</c>: no progress and no messages (errors still go to stderr).
/// </summary>
internal sealed class ProgressDisplay : IDisposable
{
    public enum DisplayMode
    {
        Live,
        Lines,
        Quiet,
    }

    /// <summary>Status lines in plain mode come at most this often (the last one always); the environment variable
    /// <see cref="IntervalVariable"/> (seconds, 0 = every update) overrides it, e.g. for a script that follows the log.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    public const string IntervalVariable = "SWEEPLAB_PROGRESS_INTERVAL_SECONDS";

    private static TimeSpan ConfiguredInterval() =>
        double.TryParse(Environment.GetEnvironmentVariable(IntervalVariable), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double seconds) && seconds >= 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds) : PlainInterval;

    private readonly TextWriter _writer;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly object _gate = new();
    private DateTimeOffset? _lastStatus;
    private string? _shown;

    public DisplayMode Mode { get; }

    public ProgressDisplay(TextWriter writer, DisplayMode mode, TimeSpan interval, TimeProvider? clock = null)
    {
        _writer = writer;
        Mode = mode;
        _interval = interval;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The display of this process's command (a command sets it from its --quiet option).</summary>
    public static ProgressDisplay Current { get; set; } = ForStderr(quiet: false);

    /// <summary>Live on a terminal, plain lines when stderr is redirected, nothing with quiet.</summary>
    public static ProgressDisplay ForStderr(bool quiet, TimeSpan? plainInterval = null) =>
        new(Console.Error, quiet ? DisplayMode.Quiet : Console.IsErrorRedirected ? DisplayMode.Lines : DisplayMode.Live, plainInterval ?? ConfiguredInterval());

    /// <summary>The current state, replacing the previous one; <paramref name="final"/> is always printed.</summary>
    public void Status(string text, bool final = false)
    {
        lock (_gate)
        {
            switch (Mode)
            {
                case DisplayMode.Quiet:
                    return;
                case DisplayMode.Lines:
                    var now = _clock.GetUtcNow();
                    if (!final && _lastStatus is { } last && now - last < _interval) return;
                    _lastStatus = now;
                    _writer.WriteLine(text);
                    return;
                default:
                    int width = Math.Max(20, SafeWidth() - 1);
                    string line = text.Length > width ? text[..(width - 1)] + "…" : text;
                    _writer.Write("\r" + line.PadRight(Math.Max(line.Length, _shown?.Length ?? 0)));
                    _shown = line;
                    if (final) { _writer.WriteLine(); _shown = null; }
                    _writer.Flush();
                    return;
            }
        }
    }

    /// <summary>A line that stays (a device, a warning, a summary): above the live status, or as a plain line.</summary>
    public void Message(string line)
    {
        lock (_gate)
        {
            if (Mode == DisplayMode.Quiet) return;
            if (Mode == DisplayMode.Live && _shown is not null)
            {
                _writer.Write("\r" + new string(' ', _shown.Length) + "\r");
                _writer.WriteLine(line);
                _writer.Write(_shown);
                _writer.Flush();
                return;
            }
            _writer.WriteLine(line);
        }
    }

    /// <summary>Ends a live status line so the shell prompt starts on its own line.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (Mode == DisplayMode.Live && _shown is not null) { _writer.WriteLine(); _shown = null; }
        }
    }

    private static int SafeWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 120; }
        catch (IOException) { return 120; }
    }
}
