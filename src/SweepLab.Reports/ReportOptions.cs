namespace SweepLab.Reports;

/// <summary>Choices for a report; the defaults suit a sweep of a few hundred runs.</summary>
public sealed record ReportOptions
{
    /// <summary>A configuration is stable only if its split ratio varies across seeds by less than this (sample
    /// standard deviation; the split ratio is smallest over largest class fraction, so 0.05 is five points).</summary>
    public double StableSplitStd { get; init; } = 0.05;

    /// <summary>Seeds a configuration needs before its spread means anything.</summary>
    public int MinSeedsForStability { get; init; } = 2;

    /// <summary>A configuration whose smallest class holds less than this fraction on average (a near-collapse, e.g.
    /// 4% at accuracy 0.54) is never ranked above a healthy one, however stable.</summary>
    public double MinClassFraction { get; init; } = 0.05;

    /// <summary>A configuration whose seeds agree less than this (mean pairwise ARI) is never ranked above one whose
    /// seeds agree: it found different partitions, not a stable setting.</summary>
    public double MinAgreement { get; init; } = 0.5;

    /// <summary>Rows of the ranked table (each with the YAML that reproduces it).</summary>
    public int RankedRows { get; init; } = 10;

    /// <summary>Configurations whose convergence curves are drawn: the best-ranked ones, then the worst.</summary>
    public int ConvergenceConfigs { get; init; } = 6;

    /// <summary>Runs (best-ranked configurations, first finished seed each) whose class maps are shown as slices.</summary>
    public int SliceRuns { get; init; } = 3;

    /// <summary>Slices wider than this are block-averaged down, to keep the file small for large boxes.</summary>
    public int MaxSlicePixels { get; init; } = 96;

    /// <summary>Above this many configurations, ESS distributions are drawn as one heatmap instead of one line each.</summary>
    public int EssLinesLimit { get; init; } = 12;

    /// <summary>Most rows of the ESS heatmap (16 px each, so labels stay readable); more configurations show the best- and worst-ranked.</summary>
    public int EssRowsLimit { get; init; } = 60;

    public void Validate()
    {
        if (!(StableSplitStd > 0)) throw new ArgumentOutOfRangeException(nameof(StableSplitStd), StableSplitStd, "must be positive");
        if (!(MinClassFraction >= 0 && MinClassFraction < 1)) throw new ArgumentOutOfRangeException(nameof(MinClassFraction), MinClassFraction, "must lie in [0, 1)");
        if (!(MinAgreement >= -1 && MinAgreement <= 1)) throw new ArgumentOutOfRangeException(nameof(MinAgreement), MinAgreement, "must lie in [-1, 1]");
        if (MinSeedsForStability < 1) throw new ArgumentOutOfRangeException(nameof(MinSeedsForStability), MinSeedsForStability, "must be at least 1");
        if (RankedRows < 1 || ConvergenceConfigs < 0 || SliceRuns < 0 || MaxSlicePixels < 8 || EssLinesLimit < 1 || EssRowsLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(RankedRows), "RankedRows >= 1, ConvergenceConfigs >= 0, SliceRuns >= 0, MaxSlicePixels >= 8, EssLinesLimit >= 1, EssRowsLimit >= 1");
    }
}
