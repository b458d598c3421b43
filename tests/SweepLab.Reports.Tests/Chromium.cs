using System.Diagnostics;
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

    /// <summary>Catches a hung browser only: rendering takes seconds, and its speed is the bench's (scripts/bench.sh report).</summary>
    public static readonly TimeSpan HangWatchdog = TimeSpan.FromMinutes(5);

    private static string Run(string page, params string[] extra)
    {
        string exe = Executable ?? throw new InvalidOperationException(MissingReason);
        using var profile = new Profile();
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
        if (!process.WaitForExit(HangWatchdog))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within {HangWatchdog.TotalMinutes:0} minutes (hung?); stderr: {stderr.Result}");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"chromium exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>A throw-away browser profile folder (linked into other test projects, so no test-project helper).</summary>
    private sealed class Profile : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("sweeplab-chromium-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
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
