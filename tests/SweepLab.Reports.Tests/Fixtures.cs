namespace SweepLab.Reports.Tests;

/// <summary>The standard 108-run sweep (4 x 3 x 3 configurations, 3 seeds, truth, 16^3 maps), written once per test class.</summary>
public sealed class StandardSweep : IDisposable
{
    private readonly TempDir _dir = new();

    internal IReadOnlyList<FixtureRun> Runs { get; }
    public string Dir => _dir.Path;

    public StandardSweep() => Runs = SweepFixture.Write(Dir, new FixtureSpec());

    public void Dispose() => _dir.Dispose();
}
