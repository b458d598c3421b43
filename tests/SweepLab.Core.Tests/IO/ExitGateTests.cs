using SweepLab.Core.IO;

namespace SweepLab.Core.Tests.IO;

/// <summary>The stop a signal requests runs at once outside sections, after the last one inside, and never cuts a nested one.</summary>
public class ExitGateTests
{
    [Fact]
    public void AStopOutsideEverySectionRunsAtOnce()
    {
        var gate = new ExitGate();
        int stops = 0;
        gate.RequestStop(() => stops++);
        Assert.Equal(1, stops);
        gate.RequestStop(() => stops++); // a second signal while the first is handled changes nothing
        Assert.Equal(1, stops);
    }

    [Fact]
    public void AStopInsideASectionWaitsForTheLastOneToEndAndNestedSectionsStillOpen()
    {
        var gate = new ExitGate();
        var log = new List<string>();
        using (gate.Open())
        {
            gate.RequestStop(() => log.Add("stop"));
            Assert.Empty(log);
            using (gate.Open()) log.Add("nested write"); // a journal line inside a run's commit must not deadlock
            Assert.Equal(["nested write"], log);
        }
        Assert.Equal(["nested write", "stop"], log);
    }

    [Fact]
    public void AfterAStopNoNewSectionStartsOnAnotherThread()
    {
        var gate = new ExitGate();
        var outer = gate.Open();
        gate.RequestStop(() => { });
        var entered = new ManualResetEventSlim();
        var thread = new Thread(() => { gate.Open(); entered.Set(); }) { IsBackground = true };
        thread.Start();
        // The other thread parks for good (the process is about to end); a second is plenty to show it did not enter.
        Assert.False(entered.Wait(TimeSpan.FromSeconds(1)));
        outer.Dispose();
    }
}
