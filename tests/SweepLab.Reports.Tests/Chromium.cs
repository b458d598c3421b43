using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace SweepLab.Reports.Tests;

/// <summary>
/// Debian's chromium, headless, with the network made unreachable (no background networking, every host name
/// resolving to nothing, a dead proxy), so a page that needed anything online would fail to render.
/// </summary>
internal static partial class Chromium
{
    public static string? Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public const string MissingReason = "chromium is not installed (apt-get install -y chromium; scripts/install-deps.sh does it)";

    private static string Run(string page, params string[] extra)
    {
        string exe = Executable ?? throw new InvalidOperationException(MissingReason);
        using var profile = new TempDir();
        var start = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-extensions", "--disable-default-apps", "--mute-audio",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            $"--user-data-dir={profile.Path}", "--virtual-time-budget=10000", .. extra, new Uri(Path.GetFullPath(page)).AbsoluteUri])
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 120 s; stderr: {stderr.Result}");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"chromium exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>The DOM after the page's scripts ran.</summary>
    public static string DumpDom(string page) => Run(page, "--dump-dom");

    public static void Screenshot(string page, string png, int width, int height) =>
        Run(page, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars");

    [GeneratedRegex("<div class=\"chart[^\"]*\" id=\"(chart-\\d+)\"")]
    private static partial Regex ChartStart();

    /// <summary>Each chart's part of the rendered DOM (from its div to the next chart's), by id.</summary>
    public static Dictionary<string, string> ChartSegments(string dom)
    {
        var starts = ChartStart().Matches(dom).ToList();
        var segments = new Dictionary<string, string>();
        for (int i = 0; i < starts.Count; i++)
        {
            int end = i + 1 < starts.Count ? starts[i + 1].Index : dom.Length;
            segments[starts[i].Groups[1].Value] = dom[starts[i].Index..end];
        }
        return segments;
    }
}

/// <summary>Just enough PNG decoding (8-bit RGB/RGBA, non-interlaced) to look at a screenshot's pixels.</summary>
internal static class Png
{
    public static (int Width, int Height, byte[] Rgb) Decode(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        Assert.True(file.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "not a PNG");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (int pos = 8; pos < file.Length;)
        {
            int length = (file[pos] << 24) | (file[pos + 1] << 16) | (file[pos + 2] << 8) | file[pos + 3];
            string type = System.Text.Encoding.ASCII.GetString(file, pos + 4, 4);
            var body = file.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = (body[0] << 24) | (body[1] << 16) | (body[2] << 8) | body[3];
                height = (body[4] << 24) | (body[5] << 16) | (body[6] << 8) | body[7];
                Assert.Equal(8, body[8]); // bit depth
                channels = body[9] switch { 2 => 3, 6 => 4, var t => throw new NotSupportedException($"PNG colour type {t}") };
                Assert.Equal(0, body[12]); // not interlaced
            }
            else if (type == "IDAT") idat.Write(body);
            pos += 12 + length;
        }
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(inflated);
        byte[] raw = inflated.ToArray();
        int stride = width * channels;
        var previous = new byte[stride];
        var current = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            Array.Copy(raw, y * (stride + 1) + 1, current, 0, stride);
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? current[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
                current[x] = (byte)(current[x] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
            for (int x = 0; x < width; x++)
                for (int k = 0; k < 3; k++) rgb[(y * width + x) * 3 + k] = current[x * channels + k];
            (previous, current) = (current, previous);
        }
        return (width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
