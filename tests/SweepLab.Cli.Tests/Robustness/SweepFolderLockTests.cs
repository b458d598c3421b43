using SweepLab.Cli.Sweeping;

namespace SweepLab.Cli.Tests.Robustness;

/// <summary>A local run is alone on its folder; SLURM workers of one submission share it. flock locks belong to
/// each open file, so two handles in one process conflict as two processes would.</summary>
public class SweepFolderLockTests
{
    [Fact]
    public void WorkersShareTheFolderAndALocalRunIsAlone()
    {
        using var temp = new TempFolder();
        using (var worker1 = SweepFolderLock.Acquire(temp.Path, shared: true))
        using (var worker2 = SweepFolderLock.Acquire(temp.Path, shared: true))
        {
            var refused = Assert.Throws<UserInputException>(() => SweepFolderLock.Acquire(temp.Path, shared: false));
            Assert.Contains("in use by another sweeplab process", refused.Message);
        }
        using (var run = SweepFolderLock.Acquire(temp.Path, shared: false))
        {
            var second = Assert.Throws<UserInputException>(() => SweepFolderLock.Acquire(temp.Path, shared: false));
            Assert.Contains($"pid {Environment.ProcessId}", second.Message);
            Assert.Throws<UserInputException>(() => SweepFolderLock.Acquire(temp.Path, shared: true));
        }
        using var again = SweepFolderLock.Acquire(temp.Path, shared: false); // released on dispose (and on any exit)
    }
}
