using System.Text.RegularExpressions;
using System.Xml.Linq;
using SweepLab.Reports.Tests;

namespace SweepLab.Notebooks.Tests;

/// <summary>
/// The C# analyses (notebooks/*.cs, .NET 10 file-based apps) run for real with `dotnet run`, each once on its
/// committed data and 01/02 also on the small complete sweep folder, under a comma-decimal culture (de-DE), writing
/// into a temporary folder. The first `dotnet run` of a file compiles it (~30 s); later ones reuse the build.
/// </summary>
public sealed class AppRuns : IDisposable
{
    private readonly TempDir _dir = new();

    public static readonly string[] Apps = ["01-knife-edge", "02-ess-distributions", "03-choosing-settings"];

    /// <summary>(app, data folder name) -> the run and its output folder.</summary>
    internal Dictionary<(string App, string Data), (ProcessResult Run, string Out)> Runs { get; } = [];

    public AppRuns()
    {
        var plan = new (string App, string Data)[]
        {
            ("01-knife-edge", "knife-edge"), ("02-ess-distributions", "ess-spread"), ("03-choosing-settings", "knife-edge"),
            ("01-knife-edge", "small-sweep"), ("02-ess-distributions", "small-sweep"),
        };
        foreach (var (app, data) in plan)
            Runs[(app, data)] = Run(app, Repo.Data(data), Path.Combine(_dir.Path, data));
        // A folder that is not a sweep's: a one-line error naming the file, exit 2, nothing written.
        Directory.CreateDirectory(Path.Combine(_dir.Path, "empty"));
        Runs[("01-knife-edge", "empty")] = Run("01-knife-edge", Path.Combine(_dir.Path, "empty"), Path.Combine(_dir.Path, "empty-out"));
    }

    private static (ProcessResult, string) Run(string app, string sweep, string output) =>
        (Processes.Run("dotnet", ["run", Path.Combine(Repo.Notebooks, app + ".cs"), "--", sweep, output], Repo.Root,
            new Dictionary<string, string> { ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" }),
         output);

    public string Output(string app, string data)
    {
        var (run, output) = Runs[(app, data)];
        Assert.True(run.ExitCode == 0, run.Describe($"dotnet run notebooks/{app}.cs {data}"));
        return output;
    }

    public void Dispose() => _dir.Dispose();
}

public partial class FileBasedAppTests(AppRuns runs) : IClassFixture<AppRuns>
{
    [Theory]
    [InlineData("01-knife-edge", "knife-edge", 4)]
    [InlineData("02-ess-distributions", "ess-spread", 2)]
    [InlineData("03-choosing-settings", "knife-edge", 2)]
    [InlineData("01-knife-edge", "small-sweep", 4)]
    [InlineData("02-ess-distributions", "small-sweep", 2)]
    public void Runs_and_its_page_renders_offline(string app, string data, int figures)
    {
        string output = runs.Output(app, data);
        string page = Path.Combine(output, app + ".html");
        Assert.Equal(figures, Pages.Figures(File.ReadAllText(page)).Count);
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        Assert.Equal(figures, Pages.AssertEveryFigureRendered(page));
    }

    [Fact]
    public void A_folder_without_tables_is_a_one_line_error_with_exit_2()
    {
        var (run, output) = runs.Runs[("01-knife-edge", "empty")];
        Assert.Equal(2, run.ExitCode);
        string error = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("results.csv: not found", error);
        Assert.False(Directory.Exists(output), "nothing is written for bad input");
    }

    [Fact]
    public void Knife_edge_numbers_equal_stability_csv()
    {
        string output = runs.Output("01-knife-edge", "knife-edge");
        ReportNumbers.AssertMatch(Path.Combine(output, "01-knife-edge-numbers.csv"), ReportNumbers.FromStabilityCsv(Repo.Data("knife-edge")));
    }

    [Fact]
    public void Knife_edge_numbers_equal_the_report_for_the_same_folder()
    {
        string output = runs.Output("01-knife-edge", "small-sweep");
        var report = ReportNumbers.FromReport(Repo.Data("small-sweep"));
        Assert.Equal(2, report.Count);
        ReportNumbers.AssertMatch(Path.Combine(output, "01-knife-edge-numbers.csv"), report);
        ReportNumbers.AssertMatch(Path.Combine(output, "01-knife-edge-numbers.csv"), ReportNumbers.FromStabilityCsv(Repo.Data("small-sweep")));
    }

    [Fact]
    public void Ess_tail_is_zero_for_force_hard_and_grows_with_the_similarity()
    {
        // Force-hard runs are one-hot by construction (every particle at ESS 1); in experiment 1 the soft runs' tail
        // above ESS 1.5 grows with the initial class similarity.
        var rows = Csv.Read(Path.Combine(runs.Output("02-ess-distributions", "ess-spread"), "02-ess-distributions-numbers.csv"));
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal("3", r["runs"]));
        Assert.All(rows.Where(r => r["schedule"] == "hard"), r => Assert.Equal(0, Csv.Number(r["ess_above_1_1_mean"])));
        var soft = rows.Where(r => r["schedule"] == "soft").OrderBy(r => Csv.Number(r["class_similarity"]))
            .Select(r => Csv.Number(r["ess_above_1_5_mean"])).ToArray();
        Assert.Equal(4, soft.Length);
        Assert.True(soft.All(v => v > 0.05) && soft[^1] > 2 * soft[0], string.Join(", ", soft));
    }

    [Fact]
    public void Ess_histograms_are_read_from_result_json_in_a_sweep_folder()
    {
        // small-sweep has no ess_histograms.csv: the app reads runs/<id>/result.json. Every run's histogram counts
        // its particles (1200) and the runs are grouped by class similarity.
        var rows = Csv.Read(Path.Combine(runs.Output("02-ess-distributions", "small-sweep"), "02-ess-distributions-numbers.csv"));
        Assert.Equal(["0", "0.5"], rows.Select(r => r["class_similarity"]));
        Assert.All(rows, r => Assert.Equal("3", r["runs"]));
        Assert.All(rows, r => Assert.InRange(Csv.Number(r["ess_above_1_1_mean"]), 1e-3, 1));
    }

    [Fact]
    public void Ranking_keeps_only_configurations_that_never_collapsed()
    {
        var ranking = Csv.Read(Path.Combine(runs.Output("03-choosing-settings", "knife-edge"), "03-choosing-settings-ranking.csv"));
        var stability = ReportNumbers.FromStabilityCsv(Repo.Data("knife-edge"));
        Assert.Equal(stability.Count(s => s.Value.PCollapsed == 0), ranking.Count);
        Assert.True(ranking.Count < stability.Count, "some configurations of experiment 2 collapse");
        Assert.All(ranking, r => Assert.Equal(0, stability[r["config_id"]].PCollapsed));
        Assert.Equal(Enumerable.Range(1, ranking.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ranking.Select(r => r["rank"]));
    }

    [GeneratedRegex("^#:package ([^@\\s]+)@(\\S+)$", RegexOptions.Multiline)]
    private static partial Regex PackageDirective();

    [Fact]
    public void Package_directives_use_the_central_versions()
    {
        var central = XDocument.Load(Path.Combine(Repo.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.Ordinal);
        foreach (string app in AppRuns.Apps)
        {
            string source = File.ReadAllText(Path.Combine(Repo.Notebooks, app + ".cs"));
            var packages = PackageDirective().Matches(source).ToList();
            Assert.True(packages.Count >= 2, $"{app}.cs: no #:package directives");
            foreach (Match p in packages)
                Assert.True(central.TryGetValue(p.Groups[1].Value, out string? version) && version == p.Groups[2].Value,
                    $"{app}.cs: #:package {p.Groups[1].Value}@{p.Groups[2].Value}, Directory.Packages.props has {version ?? "none"}");
        }
    }
}
