using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SweepLab.Reports.Tests;

namespace SweepLab.Notebooks.Tests;

/// <summary>Paths of the repository and its notebooks.</summary>
internal static class Repo
{
    /// <summary>The repository root: the first folder above the test binaries that holds SweepLab.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Notebooks => Path.Combine(Root, "notebooks");

    public static string Data(string name) => Path.Combine(Notebooks, "data", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SweepLab.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no SweepLab.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A finished child process.</summary>
internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public string Describe(string what) => $"{what} exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

internal static class Processes
{
    /// <summary>Catches a hung child only (a first `dotnet run` compiles for ~30 s; nbclient runs a notebook in ~10 s).</summary>
    public static readonly TimeSpan HangWatchdog = TimeSpan.FromMinutes(5);

    /// <summary>Runs a program to the end. MSBuild's and the test host's variables are removed from its environment, so
    /// a `dotnet run` inside a test builds as it would from a shell; <paramref name="environment"/> adds or overrides.</summary>
    public static ProcessResult Run(string exe, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        foreach (string key in start.Environment.Keys.ToList())
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(HangWatchdog))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', arguments)} did not finish within {HangWatchdog.TotalMinutes:0} minutes");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A figure page opened in headless Chromium: every figure drew the traces it says it holds.</summary>
internal static partial class Pages
{
    [GeneratedRegex("id=\"(figure-\\d+)\" data-traces=\"(\\d+)\"")]
    private static partial Regex Figure();

    [GeneratedRegex("data-rendered-traces=\"(\\d+)\"")]
    private static partial Regex Rendered();

    /// <summary>The figures a page holds (id, expected traces), read from the file as written.</summary>
    public static List<(string Id, int Traces)> Figures(string html) =>
        Figure().Matches(html).Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();

    /// <summary>Renders the page offline and checks each figure; returns how many there were.</summary>
    public static int AssertEveryFigureRendered(string page)
    {
        Assert.True(File.Exists(page), $"{page} was not written");
        string html = File.ReadAllText(page);
        Assert.DoesNotContain("<script src=", html, StringComparison.OrdinalIgnoreCase); // nothing fetched
        var figures = Figures(html);
        Assert.NotEmpty(figures);
        string dom = Chromium.DumpDom(page);
        Assert.DoesNotContain("data-render-error=\"", dom);
        foreach (var (id, traces) in figures)
        {
            Assert.True(traces > 0, $"{page}: {id} has no traces");
            int at = dom.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
            Assert.True(at >= 0, $"{page}: {id} is missing from the rendered page");
            string tag = dom[dom.LastIndexOf('<', at)..dom.IndexOf('>', at)];
            var rendered = Rendered().Match(tag);
            Assert.True(rendered.Success, $"{page}: {id} did not finish drawing ({tag})");
            Assert.Equal(traces, int.Parse(rendered.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        return figures.Count;
    }
}

/// <summary>Just enough CSV (quoted fields with commas) to read the numbers the notebooks write.</summary>
internal static class Csv
{
    public static List<Dictionary<string, string>> Read(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = Split(lines[0]);
        return lines.Skip(1).Select(l =>
        {
            var cells = Split(l);
            Assert.True(cells.Count == header.Count, $"{path}: '{l}' has {cells.Count} fields, the header {header.Count}");
            return header.Zip(cells).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        }).ToList();
    }

    public static double Number(string text) => text switch
    {
        "" or "NaN" or "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
