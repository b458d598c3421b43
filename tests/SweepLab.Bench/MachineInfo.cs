using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SweepLab.Bench;

/// <summary>The machine a bench ran on, as a reader of the numbers needs it: cores, CPU model, memory, device.</summary>
public sealed record MachineInfo(
    int LogicalCores,
    string CpuModel,
    string CpuFlags,
    double MemoryGiB,
    string Os,
    string Runtime,
    string ComputeDevice,
    string RelionVersion,
    long L2BytesPerCore,
    long L3Bytes)
{
    public static MachineInfo Detect(string computeDevice)
    {
        string model = "unknown", mhz = "";
        var flags = new List<string>();
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                int colon = line.IndexOf(':');
                if (colon < 0) continue;
                string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
                if (key == "model name" && model == "unknown") model = value;
                else if (key == "cpu MHz" && mhz.Length == 0) mhz = value;
                else if (key == "flags" && flags.Count == 0)
                    flags.AddRange(value.Split(' ').Where(f => f is "avx2" or "fma" or "avx512f"));
            }
        }
        if (mhz.Length > 0 && double.TryParse(mhz, NumberStyles.Float, CultureInfo.InvariantCulture, out double m))
            model += $" ({m / 1000:0.0#} GHz reported)";
        string isa = string.Join(' ', flags) + $"; .NET uses Vector256 {(Vector256.IsHardwareAccelerated ? "yes" : "no")}, Vector512 {(Vector512.IsHardwareAccelerated ? "yes" : "no")}, FMA {(Fma.IsSupported ? "yes" : "no")}";
        return new MachineInfo(Environment.ProcessorCount, model, isa, TotalMemoryGiB(), RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, computeDevice, DetectRelionVersion(), CacheBytes(2), CacheBytes(3));
    }

    public IEnumerable<(string Key, string Value)> Describe()
    {
        yield return ("cores (logical, as .NET and PoCL see them)", LogicalCores.ToString(CultureInfo.InvariantCulture));
        yield return ("CPU model (/proc/cpuinfo)", CpuModel);
        yield return ("vector units", CpuFlags);
        yield return ("caches", $"L2 {L2BytesPerCore >> 10} KiB per core, L3 {L3Bytes >> 20} MiB");
        yield return ("memory", $"{MemoryGiB:0.#} GiB");
        yield return ("OS", Os);
        yield return ("runtime", Runtime);
        yield return ("kernel device", ComputeDevice);
        yield return ("RELION", RelionVersion);
    }

    /// <summary>Size of cpu0's unified or data cache of the given level from sysfs, 0 when unknown.</summary>
    private static long CacheBytes(int level)
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!Directory.Exists(root)) return 0;
        foreach (string index in Directory.GetDirectories(root, "index*"))
        {
            string levelFile = Path.Combine(index, "level"), typeFile = Path.Combine(index, "type"), sizeFile = Path.Combine(index, "size");
            if (!File.Exists(levelFile) || !File.Exists(sizeFile) || File.ReadAllText(levelFile).Trim() != level.ToString(CultureInfo.InvariantCulture)) continue;
            if (File.Exists(typeFile) && File.ReadAllText(typeFile).Trim() == "Instruction") continue;
            string size = File.ReadAllText(sizeFile).Trim();
            long unit = size.EndsWith('K') ? 1024 : size.EndsWith('M') ? 1 << 20 : 1;
            return long.Parse(size.TrimEnd('K', 'M'), CultureInfo.InvariantCulture) * unit;
        }
        return 0;
    }

    /// <summary>The 1-minute load average (runnable threads, machine-wide), NaN off Linux: above the core count,
    /// other work shared the CPU with the bench and every time here is inflated.</summary>
    public static double LoadAverage()
    {
        if (!File.Exists("/proc/loadavg")) return double.NaN;
        string first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        return double.Parse(first, CultureInfo.InvariantCulture);
    }

    private static double TotalMemoryGiB()
    {
        if (!File.Exists("/proc/meminfo")) return double.NaN;
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            string kb = line["MemTotal:".Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) / (1024.0 * 1024.0);
        }
        return double.NaN;
    }

    private static string DetectRelionVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("relion_refine", "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return "not installed";
            string text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            string? line = text.Split('\n').FirstOrDefault(l => l.Contains("RELION version", StringComparison.OrdinalIgnoreCase));
            return line?.Trim() ?? "relion_refine (version unknown)";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }
}
