using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SweepLab.Formats.Tests;

/// <summary>A fresh folder per test, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sweeplab-formats-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Deterministic test values (SplitMix64), so failures reproduce.</summary>
public sealed class TestRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextULong()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();
}

/// <summary>Runs an action under a given culture and restores the old one.</summary>
public static class Culture
{
    public static T Under<T>(string name, Func<T> action)
    {
        var old = CultureInfo.CurrentCulture;
        var oldUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
            return action();
        }
        finally
        {
            CultureInfo.CurrentCulture = old;
            CultureInfo.CurrentUICulture = oldUi;
        }
    }
}

/// <summary>Builds MRC headers byte by byte, independently of the library's writer.</summary>
public static class RawMrc
{
    public static byte[] Header(int nx, int ny, int nz, int mode, float cellX, int mx, int nsymbt = 0, int ispg = 0,
        (int C, int R, int S)? axes = null, byte stamp0 = 0x44, byte stamp1 = 0x44)
    {
        var h = new byte[1024];
        void I(int word, int v) => BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4 * word), v);
        void F(int word, float v) => BinaryPrimitives.WriteSingleLittleEndian(h.AsSpan(4 * word), v);
        I(0, nx); I(1, ny); I(2, nz); I(3, mode);
        I(7, mx); I(8, ny); I(9, 1);
        F(10, cellX); F(11, cellX); F(12, cellX);
        var (c, r, s) = axes ?? (1, 2, 3);
        I(16, c); I(17, r); I(18, s);
        I(22, ispg); I(23, nsymbt);
        Encoding.ASCII.GetBytes("MAP ").CopyTo(h, 208);
        h[212] = stamp0; h[213] = stamp1;
        return h;
    }
}
