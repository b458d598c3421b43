namespace SweepLab.Reports;

/// <summary>
/// How a sweep's configurations map onto a chart: the two axes with the most values become x and y, a third becomes
/// facets, and any further varying axes are averaged over (each cell then summarises several configurations and the
/// report says so). With one varying axis only x is set; with none, neither.
/// </summary>
public sealed class AxisGrid
{
    private readonly Dictionary<(string, string, string), List<ConfigSummary>> _cells = [];

    public SweepAxis? X { get; }
    public SweepAxis? Y { get; }
    public SweepAxis? Facet { get; }

    /// <summary>Varying axes not drawn; cells average over them.</summary>
    public IReadOnlyList<SweepAxis> Averaged { get; }

    public IReadOnlyList<string> FacetValues => Facet?.Values ?? [""];

    public AxisGrid(IReadOnlyList<SweepAxis> axes, IEnumerable<ConfigSummary> configs)
    {
        ArgumentNullException.ThrowIfNull(axes);
        X = axes.Count > 0 ? axes[0] : null;
        Y = axes.Count > 1 ? axes[1] : null;
        Facet = axes.Count > 2 ? axes[2] : null;
        Averaged = axes.Skip(3).ToList();
        foreach (var c in configs)
        {
            var key = (Value(c, X), Value(c, Y), Value(c, Facet));
            if (!_cells.TryGetValue(key, out var list)) _cells[key] = list = [];
            list.Add(c);
        }
    }

    private static string Value(ConfigSummary c, SweepAxis? axis) =>
        axis is null ? "" : c.Settings.TryGetValue(axis.Name, out var v) ? v : "";

    /// <summary>Configurations in one cell (empty when the sweep did not visit it).</summary>
    public IReadOnlyList<ConfigSummary> At(string x, string y, string facet) =>
        _cells.TryGetValue((x, y, facet), out var list) ? list : [];
}
