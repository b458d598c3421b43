namespace SweepLab.Sweeps;

/// <summary>
/// A node of an opaque block of the sweep file (the dataset description): Sweeps keeps it, with lines, for the
/// CLI to interpret, and never looks inside.
/// </summary>
public abstract record SpecNode(int Line);

/// <summary>A scalar (string, number or boolean).</summary>
public sealed record SpecScalar(SettingValue Value, int Line) : SpecNode(Line);

/// <summary>A list.</summary>
public sealed record SpecList(IReadOnlyList<SpecNode> Items, int Line) : SpecNode(Line);

/// <summary>One key of a map, with the line of the key.</summary>
public sealed record SpecEntry(string Key, int Line, SpecNode Value);

/// <summary>An ordered map; keys are unique (the parser refuses repeats).</summary>
public sealed record SpecMap(IReadOnlyList<SpecEntry> Entries, int Line) : SpecNode(Line)
{
    public static SpecMap Empty { get; } = new([], 0);

    public SpecEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key == key);
}
