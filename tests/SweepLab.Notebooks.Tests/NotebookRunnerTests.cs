using System.Text.Json;

namespace SweepLab.Notebooks.Tests;

/// <summary>The runner itself: it must fail loudly, keep state, skip magic lines and other kernels, and resolve paths.</summary>
public sealed class NotebookRunnerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sweeplab-notebook-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, params (string Type, string Kernel, string Source)[] cells)
    {
        var notebook = new
        {
            cells = cells.Select(c => new Dictionary<string, object>
            {
                ["cell_type"] = c.Type,
                ["metadata"] = c.Type == "code"
                    ? new Dictionary<string, object> { ["polyglot_notebook"] = new Dictionary<string, string> { ["kernelName"] = c.Kernel } }
                    : new Dictionary<string, object>(),
                ["source"] = SourceLines(c.Source),
                ["outputs"] = Array.Empty<object>(),
            }).ToArray(),
            metadata = new { kernelspec = new { display_name = ".NET (C#)", language = "C#", name = ".net-csharp" } },
            nbformat = 4,
            nbformat_minor = 5,
        };
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, JsonSerializer.Serialize(notebook));
        return path;
    }

    /// <summary>nbformat's list-of-lines form, each line but the last keeping its newline.</summary>
    private static string[] SourceLines(string source)
    {
        var lines = source.Split('\n');
        return lines.Select((l, i) => i < lines.Length - 1 ? l + "\n" : l).ToArray();
    }

    [Fact]
    public void AThrowingCellFailsWithTheNotebookNameAndCellIndex()
    {
        string path = Write("throws.ipynb",
            ("markdown", "", "# title"),
            ("code", "csharp", "int x = 1;"),
            ("code", "csharp", "if (x == 1) throw new InvalidOperationException(\"boom\");"));
        var e = Assert.Throws<NotebookCellException>(() => NotebookRunner.Run(path));
        Assert.Equal(2, e.CellIndex);
        Assert.Contains("throws.ipynb: cell 2 failed", e.Message);
        Assert.Contains("boom", e.Message);
    }

    [Fact]
    public void ACellThatDoesNotCompileFailsWithTheCompilerError()
    {
        string path = Write("bad.ipynb", ("code", "csharp", "int a = 1;"), ("code", "csharp", "int b = notDefined + a;"));
        var e = Assert.Throws<NotebookCellException>(() => NotebookRunner.Run(path));
        Assert.Equal(1, e.CellIndex);
        Assert.Contains("CS0103", e.Message);
    }

    [Fact]
    public void StateCarriesMagicLinesAreSkippedAndTrailingExpressionsAreDisplayed()
    {
        string path = Write("state.ipynb",
            ("code", "csharp", "#r \"nuget: Plotly.NET, 6.0.0\"\n#!about\n  #i \"nuget: https://example.org/feed\"\nvar a = 20;"),
            ("code", "csharp", "display(a * 2 + 2);"),
            ("code", "csharp", "a + 1"),
            ("code", "fsharp", "let notCSharp = 1"),
            ("code", "csharp", "#r \"../nothing.dll\""));
        var run = NotebookRunner.Run(path);
        Assert.Equal([0, 1, 2], run.ExecutedCells);
        Assert.Equal([3, 4], run.SkippedCells);
        Assert.Equal(2, run.Outputs.Count);
        Assert.Equal((1, 42), (run.Outputs[0].CellIndex, (int)run.Outputs[0].Value!));
        Assert.Equal((2, 21), (run.Outputs[1].CellIndex, (int)run.Outputs[1].Value!));
    }

    [Fact]
    public void RelativePathsResolveAgainstTheNotebookFolderAndTheCultureIsCommaDecimal()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        File.WriteAllText(Path.Combine(_folder, "data", "x.txt"), "seven");
        string before = Environment.CurrentDirectory;
        string path = Write("paths.ipynb",
            ("code", "csharp", "File.ReadAllText(\"data/x.txt\")"),
            ("code", "csharp", "(1.5).ToString()"),
            ("code", "csharp", "(1.5).ToString(System.Globalization.CultureInfo.InvariantCulture)"));
        var run = NotebookRunner.Run(path);
        Assert.Equal(["seven", "1,5", "1.5"], run.Outputs.Select(o => (string)o.Value!));
        Assert.Equal(before, Environment.CurrentDirectory);
    }

    [Fact]
    public void ADisplayedChartIsRenderedToHtml()
    {
        string path = Write("chart.ipynb", ("code", "csharp",
            "display(Plotly.NET.CSharp.Chart.Point<double, double, string>(x: new[] { 1.0, 2.0 }, y: new[] { 3.0, 4.0 }, Name: \"pts\"));"));
        var run = NotebookRunner.Run(path);
        var output = Assert.Single(run.Outputs);
        Assert.True(output.IsChart);
        Assert.Contains("\"name\":\"pts\"", output.Rendered);
        Assert.Contains("Plotly.newPlot", output.Rendered);
    }
}
