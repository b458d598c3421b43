namespace SweepLab.Notebooks.Tests;

/// <summary>
/// Every notebook under notebooks/ runs, cell by cell, against the built library (see <see cref="NotebookRunner"/>
/// for what the runner supplies in place of the notebooks' <c>#r</c> lines). A notebook that no longer runs fails
/// here with its name and the index of the failing cell.
/// </summary>
public class NotebookTests
{
    /// <summary>The repository root: the first folder above the test binaries that holds SweepLab.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SweepLab.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no SweepLab.sln above {AppContext.BaseDirectory}");
    }

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Fact]
    public void TheNotebooksAreThereAndAreCSharpPolyglotNotebooks()
    {
        var paths = Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb");
        Assert.True(paths.Length >= 2, $"expected at least two notebooks, found {paths.Length}");
        foreach (var path in paths)
        {
            var notebook = NotebookDocument.Load(path);
            Assert.Equal("csharp", notebook.DefaultLanguage);
            Assert.True(notebook.CodeCells.Count >= 3, $"{path}: only {notebook.CodeCells.Count} code cells");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryCodeCellRuns(string notebookFile)
    {
        string path = Path.Combine(RepositoryRoot(), "notebooks", notebookFile);
        var run = NotebookRunner.Run(path);
        var notebook = NotebookDocument.Load(path);

        // Every C# cell ran (none is silently skipped), and the notebook shows something: at least one chart, each
        // a complete Plotly document with data in it.
        Assert.Equal(notebook.CodeCells.Count, run.ExecutedCells.Count + run.SkippedCells.Count);
        Assert.All(run.SkippedCells, i => Assert.True(string.IsNullOrWhiteSpace(NotebookRunner.StripMagicLines(
            notebook.CodeCells.Single(c => c.CellIndex == i).Source)), $"{notebookFile}: cell {i} was skipped but has code"));
        var charts = run.Outputs.Where(o => o.IsChart).ToList();
        Assert.NotEmpty(charts);
        Assert.All(charts, c =>
        {
            Assert.Contains("Plotly.newPlot", c.Rendered);
            Assert.Contains("\"x\":[", c.Rendered.Replace(" ", ""));
        });
    }
}
