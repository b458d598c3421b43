using System.Text.Json;
using SweepLab.Reports.Tests;

namespace SweepLab.Notebooks.Tests;

/// <summary>
/// Every Jupyter notebook (notebooks/*.ipynb) executed top to bottom with nbclient on Debian's Python and the
/// "python3" kernel that Debian's python3-ipykernel registers, on its committed data, writing its page and numbers to
/// a temporary folder ($OUT); 01 also once on the small complete sweep folder ($SWEEP).
/// </summary>
public sealed class NotebookRuns : IDisposable
{
    /// <summary>Debian's interpreter: the one python3-pandas, -plotly, -mrcfile, -nbclient and -ipykernel install into.</summary>
    public const string Python = "/usr/bin/python3";

    private readonly TempDir _dir = new();

    /// <summary>Why the notebooks cannot run here, or null.</summary>
    public string? MissingReason { get; }

    public string DefaultOut => Path.Combine(_dir.Path, "default");
    public string SmallSweepOut => Path.Combine(_dir.Path, "small-sweep");

    /// <summary>Per notebook file name (and "small-sweep/" + name): the runner's record.</summary>
    public Dictionary<string, JsonElement> Records { get; } = new(StringComparer.Ordinal);

    internal ProcessResult? DefaultRun { get; }
    internal ProcessResult? SmallSweepRun { get; }

    public static string[] Notebooks() =>
        Directory.GetFiles(Repo.Notebooks, "*.ipynb").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public NotebookRuns()
    {
        if (!File.Exists(Python)) { MissingReason = $"{Python} is missing (scripts/install-deps.sh installs Debian's Python packages)"; return; }
        var probe = Processes.Run(Python, ["-c", "import pandas, plotly, mrcfile, nbclient, ipykernel"], Repo.Root);
        if (probe.ExitCode != 0)
        {
            MissingReason = $"Debian's python3-pandas/-plotly/-mrcfile/-nbclient/-ipykernel are not installed (run scripts/install-deps.sh): {probe.Stderr.Trim()}";
            return;
        }
        string runner = Path.Combine(Repo.Root, "tests", "SweepLab.Notebooks.Tests", "run_notebooks.py");
        var environment = new Dictionary<string, string> { ["OUT"] = DefaultOut, ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1" };
        DefaultRun = Processes.Run(Python, [runner, .. Notebooks()], Repo.Notebooks, environment);
        Collect(DefaultRun, "");
        environment["OUT"] = SmallSweepOut;
        environment["SWEEP"] = Repo.Data("small-sweep");
        SmallSweepRun = Processes.Run(Python, [runner, "01-knife-edge-figures.ipynb"], Repo.Notebooks, environment);
        Collect(SmallSweepRun, "small-sweep/");
    }

    private void Collect(ProcessResult run, string prefix)
    {
        foreach (string line in run.Stdout.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var doc = JsonDocument.Parse(line);
            Records[prefix + doc.RootElement.GetProperty("notebook").GetString()] = doc.RootElement.Clone();
        }
    }

    /// <summary>Asserts the notebook ran without an error and returns the folder it wrote to.</summary>
    public string AssertRan(string key)
    {
        Skip.If(MissingReason is not null, MissingReason);
        var run = key.StartsWith("small-sweep/", StringComparison.Ordinal) ? SmallSweepRun! : DefaultRun!;
        Assert.True(Records.TryGetValue(key, out var record), run.Describe($"nbclient on {key} reported nothing;"));
        Assert.True(record.GetProperty("ok").GetBoolean(),
            $"{key} failed in cell {record.GetProperty("cell")}: {record.GetProperty("error")}");
        return key.StartsWith("small-sweep/", StringComparison.Ordinal) ? SmallSweepOut : DefaultOut;
    }

    public void Dispose() => _dir.Dispose();
}

public class JupyterNotebookTests(NotebookRuns runs) : IClassFixture<NotebookRuns>
{
    public static TheoryData<string, int> Pages() => new()
    {
        { "01-knife-edge-figures.ipynb", 4 }, { "02-ess-distributions.ipynb", 2 }, { "03-choosing-settings.ipynb", 2 },
        { "04-convergence-and-class-maps.ipynb", 2 }, { "small-sweep/01-knife-edge-figures.ipynb", 4 },
    };

    [Fact]
    public void Every_notebook_is_a_python_notebook_and_is_tested()
    {
        var notebooks = NotebookRuns.Notebooks();
        Assert.Equal(Pages().Select(p => (string)p[0]).Where(n => !n.Contains('/')).Order(StringComparer.Ordinal), notebooks);
        foreach (string name in notebooks)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Repo.Notebooks, name)));
            Assert.Equal("python3", doc.RootElement.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
            foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
            {
                string source = string.Concat(cell.GetProperty("source").ValueKind == JsonValueKind.Array
                    ? cell.GetProperty("source").EnumerateArray().Select(s => s.GetString()) : [cell.GetProperty("source").GetString()]);
                Assert.DoesNotContain("#r \"nuget:", source, StringComparison.Ordinal);
                if (cell.GetProperty("cell_type").GetString() == "code")
                    Assert.Empty(cell.GetProperty("outputs").EnumerateArray()); // committed without outputs
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Runs_top_to_bottom_and_its_page_renders_offline(string key, int figures)
    {
        string output = runs.AssertRan(key);
        string page = Path.Combine(output, Path.GetFileNameWithoutExtension(key) + ".html");
        Assert.Equal(figures, SweepLab.Notebooks.Tests.Pages.Figures(File.ReadAllText(page)).Count);
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        Assert.Equal(figures, SweepLab.Notebooks.Tests.Pages.AssertEveryFigureRendered(page));
    }

    [Fact]
    public void The_runner_fails_on_an_error_and_names_the_cell()
    {
        // A notebook whose third cell (index 2) raises: the runner reports it failed there and exits 1, so an error in
        // any notebook fails the test above instead of passing unseen.
        Skip.If(runs.MissingReason is not null, runs.MissingReason);
        using var dir = new TempDir();
        string notebook = Path.Combine(dir.Path, "broken.ipynb");
        File.WriteAllText(notebook, """
            {"nbformat": 4, "nbformat_minor": 5,
             "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
             "cells": [
              {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# broken"]},
              {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": null, "outputs": [], "source": ["x = 1"]},
              {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": null, "outputs": [], "source": ["raise ValueError('cell two broke')"]}]}
            """);
        var run = Processes.Run(NotebookRuns.Python, [Path.Combine(Repo.Root, "tests", "SweepLab.Notebooks.Tests", "run_notebooks.py"), notebook],
            dir.Path, new Dictionary<string, string> { ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1" });
        Assert.Equal(1, run.ExitCode);
        using var record = JsonDocument.Parse(run.Stdout.Split('\n').Single(l => l.StartsWith('{')));
        Assert.False(record.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(2, record.RootElement.GetProperty("cell").GetInt32());
        Assert.Contains("cell two broke", record.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void Knife_edge_numbers_equal_stability_csv()
    {
        string output = runs.AssertRan("01-knife-edge-figures.ipynb");
        ReportNumbers.AssertMatch(Path.Combine(output, "01-knife-edge-figures-numbers.csv"), ReportNumbers.FromStabilityCsv(Repo.Data("knife-edge")));
    }

    [Fact]
    public void Numbers_equal_the_report_for_the_same_folder()
    {
        var report = ReportNumbers.FromReport(Repo.Data("small-sweep"));
        ReportNumbers.AssertMatch(Path.Combine(runs.AssertRan("small-sweep/01-knife-edge-figures.ipynb"), "01-knife-edge-figures-numbers.csv"), report);
        ReportNumbers.AssertMatch(Path.Combine(runs.AssertRan("04-convergence-and-class-maps.ipynb"), "04-convergence-and-class-maps-numbers.csv"), report);
    }

    [Fact]
    public void Ranking_keeps_only_configurations_that_never_collapsed()
    {
        var ranking = Csv.Read(Path.Combine(runs.AssertRan("03-choosing-settings.ipynb"), "03-choosing-settings-ranking.csv"));
        var stability = ReportNumbers.FromStabilityCsv(Repo.Data("knife-edge"));
        Assert.Equal(stability.Count(s => s.Value.PCollapsed == 0), ranking.Count);
        Assert.All(ranking, r => Assert.Equal(0, stability[r["config_id"]].PCollapsed));
    }

    [Fact]
    public void Ess_tail_is_zero_for_force_hard()
    {
        var rows = Csv.Read(Path.Combine(runs.AssertRan("02-ess-distributions.ipynb"), "02-ess-distributions-numbers.csv"));
        Assert.Equal(8, rows.Count);
        Assert.All(rows.Where(r => r["schedule"] == "hard"), r => Assert.Equal(0, Csv.Number(r["ess_above_1_1_mean"])));
        Assert.All(rows.Where(r => r["schedule"] == "soft"), r => Assert.InRange(Csv.Number(r["ess_above_1_5_mean"]), 0.05, 1));
    }
}
