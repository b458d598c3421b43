namespace SweepLab.Reports.Charts;

/// <summary>
/// Category tick labels that stay readable at any configuration count: a sweep of 2,000 configurations must not print
/// 2,000 overlapping labels. Axes label every step-th category (plotly's dtick on a category axis) so that labels are
/// at least <see cref="MinSpacingPixels"/> apart, and long labels are cut with an ellipsis (the hover keeps the full text).
/// </summary>
internal static class TickLabels
{
    /// <summary>Smallest distance between neighbouring labels on a vertical axis (a 10-11 px font plus a gap).</summary>
    public const double MinSpacingPixels = 14;

    /// <summary>Horizontal space per label character at the report's tick font.</summary>
    public const double CharacterPixels = 7;

    /// <summary>Longest tick label shown; longer ones end in an ellipsis.</summary>
    public const int MaxCharacters = 48;

    /// <summary>Width the report's main column gives a full-width chart (HtmlDocument's max-width less padding and margins).</summary>
    public const double ChartWidthPixels = 1100;

    /// <summary>Label every step-th of <paramref name="count"/> categories on an axis <paramref name="axisPixels"/> long.</summary>
    public static int Step(int count, double axisPixels, double spacingPixels = MinSpacingPixels) =>
        count <= 1 ? 1 : Math.Max(1, (int)Math.Ceiling(count * spacingPixels / Math.Max(1, axisPixels)));

    /// <summary>Step for a horizontal category axis: labels need their text's width apart.</summary>
    public static int HorizontalStep(IReadOnlyList<string> labels, double axisPixels) =>
        Step(labels.Count, axisPixels, CharacterPixels * Math.Min(MaxCharacters, labels.Count == 0 ? 1 : labels.Max(l => l.Length)) + 8);

    /// <summary>The label cut to <see cref="MaxCharacters"/> with an ellipsis.</summary>
    public static string Shorten(string label) => label.Length <= MaxCharacters ? label : label[..(MaxCharacters - 1)] + "…";

    /// <summary>
    /// Sets a category axis to label every <paramref name="step"/>-th category (all when 1).
    /// </summary>
    public static void Thin(Dictionary<string, object> axis, int step)
    {
        if (step <= 1) return;
        axis["tickmode"] = "linear";
        axis["tick0"] = 0;
        axis["dtick"] = step;
    }

    /// <summary>Tick positions and texts for a numeric axis that stands for categories (parallel coordinates): every step-th.</summary>
    public static (int[] Values, string[] Texts) Every(IReadOnlyList<string> labels, int step)
    {
        var values = Enumerable.Range(0, labels.Count).Where(i => i % step == 0).ToArray();
        return (values, values.Select(i => Shorten(labels[i])).ToArray());
    }
}
