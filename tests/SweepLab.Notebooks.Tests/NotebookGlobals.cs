using Plotly.NET;

namespace SweepLab.Notebooks.Tests;

/// <summary>
/// The globals object of the script session: what a notebook cell can call without a using. It stands in for
/// Polyglot Notebooks' <c>display(...)</c> (Microsoft.DotNet.Interactive.Kernel.display): every displayed value is
/// recorded, and a Plotly chart is rendered to HTML at once so that a chart that cannot be serialised fails in the
/// cell that displays it, as it would in the notebook.
/// </summary>
public class NotebookGlobals
{
    private readonly List<DisplayedOutput> _outputs = [];

    /// <summary>The cell being run (0-based index among all cells), set by the runner.</summary>
    public int CurrentCellIndex { get; internal set; }

    /// <summary>Everything displayed so far, in order.</summary>
    public IReadOnlyList<DisplayedOutput> Outputs => _outputs;

    /// <summary>Records a value as the notebook would show it; returns the value (Polyglot returns a handle).</summary>
#pragma warning disable IDE1006 // lower-case on purpose: the notebook API is display(...)
    public object? display(object? value, params string[] mimeTypes)
#pragma warning restore IDE1006
    {
        _outputs.Add(DisplayedOutput.From(CurrentCellIndex, value));
        return value;
    }
}

/// <summary>One displayed value: the cell it came from, the value, and its rendering (HTML for a chart, text else).</summary>
public sealed record DisplayedOutput(int CellIndex, object? Value, string Rendered, bool IsChart)
{
    internal static DisplayedOutput From(int cellIndex, object? value) => value switch
    {
        GenericChart chart => new DisplayedOutput(cellIndex, value, GenericChart.toChartHTML(chart), true),
        null => new DisplayedOutput(cellIndex, null, "<null>", false),
        _ => new DisplayedOutput(cellIndex, value, value.ToString() ?? "", false),
    };
}
