using System.Globalization;

namespace SweepLab.Reports.Tests;

public class FrameAndCultureTests(StandardSweep sweep) : IClassFixture<StandardSweep>
{
    [Fact]
    public void Data_frames_hold_runs_and_ranked_configurations()
    {
        var output = SweepOutput.Load(sweep.Dir);
        var runs = SweepFrames.Runs(output);
        Assert.Equal(108, runs.Rows.Count);
        Assert.Equal(5 + output.Info.Settings.Count + output.MetricNames.Count, runs.Columns.Count);
        int first = sweep.Runs.ToList().FindIndex(r => r.Status == "complete");
        Assert.Equal(sweep.Runs[first].Metrics["split_ratio"], (double)runs["split_ratio"][first]!);
        int failed = sweep.Runs.ToList().FindIndex(r => r.Status == "failed");
        Assert.Null(runs["split_ratio"][failed]);
        var summary = new SweepSummary(output);
        var configs = SweepFrames.Configurations(summary);
        Assert.Equal(36, configs.Rows.Count);
        Assert.Equal(1, configs["rank"][0]);
        Assert.Equal(summary.Ranked[0].ConfigId, configs["config_id"][0]);
        Assert.Equal(summary.Ranked[0].Stat("split_ratio").Std, (double)configs["split_ratio_std"][0]!);
    }

    [Fact]
    public void Report_and_summary_are_the_same_under_a_comma_decimal_culture()
    {
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        SweepReport invariant, german;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            invariant = ReportBuilder.BuildReport(sweep.Dir);
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            german = ReportBuilder.BuildReport(sweep.Dir);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }
        Assert.Equal(invariant.Markdown, german.Markdown);
        Assert.Equal(invariant.Html, german.Html);
        Assert.Contains("0.05", german.Markdown);
    }
}
