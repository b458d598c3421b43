using SweepLab.Cli.Sweeping;

namespace SweepLab.Cli.Tests.Slurm;

public class SlurmTasksTests
{
    /// <summary>Items "g{group}-{i}" in an interleaved order, as a planner with the seed axis varying fastest gives them.</summary>
    private static List<string> Interleaved(params int[] groupSizes)
    {
        var items = new List<string>();
        for (int i = 0; i < groupSizes.Max(); i++)
            for (int g = 0; g < groupSizes.Length; g++)
                if (i < groupSizes[g]) items.Add($"g{g}-{i}");
        return items;
    }

    private static string Group(string item) => item[..item.IndexOf('-', StringComparison.Ordinal)];

    private static void AssertPartition(List<string> items, IReadOnlyList<IReadOnlyList<string>> shares, int expectedCount)
    {
        Assert.Equal(expectedCount, shares.Count);
        Assert.All(shares, s => Assert.NotEmpty(s));
        var all = shares.SelectMany(s => s).ToList();
        Assert.Equal(items.Count, all.Count);
        Assert.Equal(items.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        // Within a group, input order is kept.
        foreach (var group in all.GroupBy(Group))
            Assert.Equal(items.Where(i => Group(i) == group.Key), group);
    }

    [Fact]
    public void WholeGroupsWhenTasksDoNotExceedGroups()
    {
        var items = Interleaved(4, 4, 4, 4);
        var shares = SlurmTasks.Split(items, Group, 2);
        AssertPartition(items, shares, 2);
        Assert.Equal(["g0", "g1"], shares[0].Select(Group).Distinct());
        Assert.Equal(["g2", "g3"], shares[1].Select(Group).Distinct());

        var three = SlurmTasks.Split(items, Group, 3);
        AssertPartition(items, three, 3);
        // Boundaries at 4, 8, 12; ideal cuts at 5.33 and 10.67: nearest are 4 and 12; each task holds whole groups.
        Assert.Equal([4, 8, 4], three.Select(s => s.Count));
        Assert.All(three, s => Assert.All(s.GroupBy(Group), g => Assert.Equal(4, g.Count())));
    }

    [Fact]
    public void UnequalGroupsCutAtTheNearestBoundary()
    {
        var items = Interleaved(5, 1, 1, 1);
        var shares = SlurmTasks.Split(items, Group, 2);
        AssertPartition(items, shares, 2);
        Assert.Equal([5, 3], shares.Select(s => s.Count));

        // One task per group when the counts match, whatever the sizes.
        var four = SlurmTasks.Split(items, Group, 4);
        Assert.Equal([5, 1, 1, 1], four.Select(s => s.Count));
        Assert.All(four, s => Assert.Single(s.Select(Group).Distinct()));
    }

    [Fact]
    public void MoreTasksThanGroupsSplitGroupsProportionally()
    {
        var items = Interleaved(4, 4);
        var shares = SlurmTasks.Split(items, Group, 3);
        AssertPartition(items, shares, 3);
        // 1 extra task; equal remainders, so the first group takes it: [2, 2 | 4].
        Assert.Equal([2, 2, 4], shares.Select(s => s.Count));
        Assert.All(shares, s => Assert.Single(s.Select(Group).Distinct()));

        var big = Interleaved(9, 3);
        var four = SlurmTasks.Split(big, Group, 4);
        AssertPartition(big, four, 4);
        // extra = 2: 9·2/12 = 1.5 -> 1 + 1, 3·2/12 = 0.5 -> 1 + 0; one left, remainders 6 vs 6 -> first group.
        Assert.Equal([3, 3, 3, 3], four.Select(s => s.Count));

        var singles = Interleaved(1, 1, 1, 5);
        var seven = SlurmTasks.Split(singles, Group, 7);
        AssertPartition(singles, seven, 7);
        Assert.Equal([1, 1, 1, 1, 1, 1, 2], seven.Select(s => s.Count));
    }

    [Fact]
    public void OneGroupIsCutEvenlyAndTaskCountIsCappedByItems()
    {
        var items = Enumerable.Range(0, 10).Select(i => $"g0-{i}").ToList();
        Assert.Equal([3, 3, 4], SlurmTasks.Split(items, Group, 3).Select(s => s.Count));
        Assert.Equal(10, SlurmTasks.Split(items, Group, 50).Count);
        Assert.Empty(SlurmTasks.Split(new List<string>(), Group, 3));
    }

    [Fact]
    public void ArraysKeepIndicesBelowTheMaximumArraySize()
    {
        var arrays = SlurmTasks.Arrays([0, 1, 2, 3, 4, 5, 6], 3);
        Assert.Equal([0, 3, 6], arrays.Select(a => a.Offset));
        Assert.Equal([[0, 1, 2], [3, 4, 5], [6]], arrays.Select(a => a.Tasks.ToArray()));

        // Resubmitted tasks with gaps: 2 and 4 fit one array of size 3 (indices 0 and 2); 9 starts a new one.
        var gaps = SlurmTasks.Arrays([2, 4, 9, 10], 3);
        Assert.Equal([2, 9], gaps.Select(a => a.Offset));
        Assert.Equal([[2, 4], [9, 10]], gaps.Select(a => a.Tasks.ToArray()));
        Assert.Equal("0,2", SlurmTasks.ArraySpec(gaps[0].Tasks.Select(t => t - gaps[0].Offset).ToList(), 0));
        Assert.Throws<ArgumentException>(() => SlurmTasks.Arrays([3, 1], 8));
    }

    [Fact]
    public void ArraySpecCompressesRangesAndAddsTheThrottle()
    {
        Assert.Equal("0-3%2", SlurmTasks.ArraySpec([0, 1, 2, 3], 2));
        Assert.Equal("0,2-4,7", SlurmTasks.ArraySpec([0, 2, 3, 4, 7], 0));
        Assert.Equal("5", SlurmTasks.ArraySpec([5], 0));
        Assert.Throws<ArgumentException>(() => SlurmTasks.ArraySpec([], 1));
    }
}
