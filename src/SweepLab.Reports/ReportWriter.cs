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

    public static SweepReport Write(string sweepDir, ReportOptions? options = null)
    {
        var report = ReportBuilder.BuildReport(sweepDir, options);
        WriteText(Path.Combine(sweepDir, ReportFile), report.Html);
        WriteText(Path.Combine(sweepDir, SummaryFile), report.Markdown);
        return report;
    }

    internal static void WriteText(string path, string text) =>
        AtomicFile.Write(path, stream => stream.Write(Utf8.GetBytes(text)));
}
