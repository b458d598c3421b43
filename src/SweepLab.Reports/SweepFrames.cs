using Microsoft.Data.Analysis;

namespace SweepLab.Reports;

/// <summary>
/// A sweep's tables as Microsoft.Data.Analysis DataFrames, for notebooks: settings stay text (their canonical form,
/// as in results.csv), metrics are doubles with empty cells as nulls. Built from the parsed folder, so no CSV is
/// parsed twice and no culture is involved.
/// </summary>
public static class SweepFrames
{
    /// <summary>One row per run: run_id, config_id, repeat, seed, status, every setting, every final metric.</summary>
    public static DataFrame Runs(SweepOutput sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var runs = sweep.Runs;
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("run_id", runs.Select(r => r.RunId)),
            new StringDataFrameColumn("config_id", runs.Select(r => r.ConfigId)),
            new Int32DataFrameColumn("repeat", runs.Select(r => r.Repeat)),
            new Int64DataFrameColumn("seed", runs.Select(r => r.Seed)),
            new StringDataFrameColumn("status", runs.Select(r => r.Status.ToString().ToLowerInvariant())),
        };
        foreach (string s in sweep.Info.Settings)
            columns.Add(new StringDataFrameColumn(s, runs.Select(r => r.Settings.TryGetValue(s, out var v) ? v : "")));
        foreach (string m in sweep.MetricNames)
            columns.Add(new DoubleDataFrameColumn(m, runs.Select(r => r.Metric(m) is var v && double.IsNaN(v) ? (double?)null : v)));
        return new DataFrame(columns);
    }

    /// <summary>One row per configuration in rank order: rank, config_id, stable, settings, finished, failed,
    /// p_collapsed, agreement, and &lt;metric&gt;_mean / &lt;metric&gt;_std for every final metric.</summary>
    public static DataFrame Configurations(SweepSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var configs = summary.Ranked;
        static double? N(double v) => double.IsNaN(v) ? null : v;
        var columns = new List<DataFrameColumn>
        {
            new Int32DataFrameColumn("rank", configs.Select(c => c.Rank)),
            new StringDataFrameColumn("config_id", configs.Select(c => c.ConfigId)),
            new BooleanDataFrameColumn("stable", configs.Select(c => c.Stable)),
        };
        foreach (string s in summary.Sweep.Info.Settings)
            columns.Add(new StringDataFrameColumn(s, configs.Select(c => c.Settings.TryGetValue(s, out var v) ? v : "")));
        columns.Add(new Int32DataFrameColumn("finished", configs.Select(c => c.Finished)));
        columns.Add(new Int32DataFrameColumn("failed", configs.Select(c => c.Failed)));
        columns.Add(new DoubleDataFrameColumn("p_collapsed", configs.Select(c => N(c.PCollapsed))));
        columns.Add(new DoubleDataFrameColumn("agreement", configs.Select(c => N(c.Agreement))));
        foreach (string m in summary.Sweep.MetricNames)
        {
            columns.Add(new DoubleDataFrameColumn($"{m}_mean", configs.Select(c => N(c.Stat(m).Mean))));
            columns.Add(new DoubleDataFrameColumn($"{m}_std", configs.Select(c => N(c.Stat(m).Std))));
        }
        return new DataFrame(columns);
    }
}
