using SweepLab.Core.IO;
using System.Text;
using SweepLab.Formats;

namespace SweepLab.Reports;

/// <summary>Writes DIR/report.html and DIR/summary.md, each through a temporary file renamed into place.</summary>
public static class ReportWriter
{
    public const string ReportFile = "report.html";
    public const string SummaryFile = "summary.md";

    private static readonly UTF8Encoding Utf8 = new(false);

    public static SweepReport Write(string sweepDir, ReportOptions? options = null) => Write(SweepOutput.Load(sweepDir), options);

    /// <summary>Writes the report of an already loaded folder into that folder.</summary>
    public static SweepReport Write(SweepOutput sweep, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var report = ReportBuilder.BuildReport(sweep, options);
        WriteText(Path.Combine(sweep.Directory, ReportFile), report.Html);
        WriteText(Path.Combine(sweep.Directory, SummaryFile), report.Markdown);
        return report;
    }

    internal static void WriteText(string path, string text) =>
        AtomicFile.Write(path, stream => stream.Write(Utf8.GetBytes(text)));
}
