using SweepLab.Reports;

namespace SweepLab.Notebooks.Tests;

/// <summary>Per configuration: the split ratio's mean and SD across seeds and the collapse probability.</summary>
internal readonly record struct SplitNumbers(double Mean, double Std, double PCollapsed);

/// <summary>
/// The numbers a notebook writes beside its figures (config_id, split_ratio_mean, split_ratio_std, p_collapsed),
/// checked against the sweep's own: stability.csv as SweepLab.Sweeps wrote it, and what SweepLab.Reports computes for
/// the same folder (the report's tables and heatmaps).
/// </summary>
internal static class ReportNumbers
{
    /// <summary>Two sums of a few doubles in another order differ in the last bits only.</summary>
    private const double Tolerance = 1e-12;

    public static Dictionary<string, SplitNumbers> FromStabilityCsv(string sweep) =>
        Csv.Read(Path.Combine(sweep, "stability.csv")).ToDictionary(r => r["config_id"],
            r => new SplitNumbers(Csv.Number(r["split_ratio_mean"]), Csv.Number(r["split_ratio_std"]), Csv.Number(r["p_collapsed"])),
            StringComparer.Ordinal);

    public static Dictionary<string, SplitNumbers> FromReport(string sweep) =>
        new SweepSummary(SweepOutput.Load(sweep)).Configs.ToDictionary(c => c.ConfigId,
            c => new SplitNumbers(c.Stat(SweepSummary.SplitRatio).Mean, c.Stat(SweepSummary.SplitRatio).Std, c.PCollapsed),
            StringComparer.Ordinal);

    /// <summary>Every configuration appears once in the notebook's numbers, each value equal to the expected one.</summary>
    public static void AssertMatch(string numbersCsv, IReadOnlyDictionary<string, SplitNumbers> expected)
    {
        var rows = Csv.Read(numbersCsv);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => r["config_id"]).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            string id = row["config_id"];
            var want = expected[id];
            Close(want.Mean, Csv.Number(row["split_ratio_mean"]), $"{numbersCsv}: {id} split_ratio_mean");
            Close(want.Std, Csv.Number(row["split_ratio_std"]), $"{numbersCsv}: {id} split_ratio_std");
            Close(want.PCollapsed, Csv.Number(row["p_collapsed"]), $"{numbersCsv}: {id} p_collapsed");
        }
    }

    private static void Close(double expected, double actual, string what)
    {
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}");
        else Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
