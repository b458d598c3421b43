// Chromium.cs (linked from the report tests) makes its browser profile in a TempDir of its own namespace.
namespace SweepLab.Reports.Tests;

/// <summary>A temporary folder removed when the test ends.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sweeplab-notebooks-" + Guid.NewGuid().ToString("N"));

    public TempDir() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
