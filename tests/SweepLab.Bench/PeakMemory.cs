using System.Globalization;
using System.Runtime;

namespace SweepLab.Bench;

/// <summary>
/// Peak resident memory of this process during one stage (host arrays and PoCL device buffers alike, since PoCL's
/// device memory is host memory): the kernel's high-water mark VmHWM reset through /proc/self/clear_refs when
/// Linux allows it, and a 10 ms RSS poll as well (the larger of the two is reported).
/// </summary>
public sealed class PeakMemory : IDisposable
{
    private readonly Thread _poller;
    private volatile bool _stop;
    private long _polledPeak;

    public long BaselineBytes { get; }
    public bool HighWaterMarkReset { get; }

    private PeakMemory()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        BaselineBytes = ReadStatus("VmRSS:") ?? 0;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            HighWaterMarkReset = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            HighWaterMarkReset = false;
        }
        _polledPeak = BaselineBytes;
        _poller = new Thread(Poll) { IsBackground = true, Name = "peak-memory" };
        _poller.Start();
    }

    public static PeakMemory Start() => new();

    /// <summary>Peak resident bytes since <see cref="Start"/>.</summary>
    public long PeakBytes
    {
        get
        {
            long peak = Interlocked.Read(ref _polledPeak);
            if (HighWaterMarkReset && ReadStatus("VmHWM:") is long hwm) peak = Math.Max(peak, hwm);
            return peak;
        }
    }

    private void Poll()
    {
        while (!_stop)
        {
            if (ReadStatus("VmRSS:") is long rss && rss > Interlocked.Read(ref _polledPeak)) Interlocked.Exchange(ref _polledPeak, rss);
            Thread.Sleep(10);
        }
    }

    /// <summary>A "Key:   123 kB" line of /proc/self/status in bytes, or null off Linux.</summary>
    private static long? ReadStatus(string key)
    {
        if (!File.Exists("/proc/self/status")) return null;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            string kb = line[key.Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        return null;
    }

    public void Dispose()
    {
        _stop = true;
        _poller.Join();
    }
}
