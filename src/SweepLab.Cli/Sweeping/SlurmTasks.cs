using SweepLab.Core.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SweepLab.Cli.Sweeping;

/// <summary>One array task: a fixed share of runs (by id). Its id is its identity: a requeue resubmits the same share.</summary>
internal sealed record SlurmTask(int Id, IReadOnlyList<string> Runs);

/// <summary>DIR/slurm/tasks.json: the sweep file the folder came from (to resolve its relative paths) and every task so far.</summary>
internal sealed record SlurmTaskFile(string SweepSource, IReadOnlyList<SlurmTask> Tasks);

/// <summary>One sbatch submission: an array over <see cref="Tasks"/> (array index = task id - <see cref="TaskOffset"/>) or the merge job.</summary>
internal sealed record SlurmJob(string JobId, string Kind, int TaskOffset, IReadOnlyList<int> Tasks, IReadOnlyList<string> DependsOn, DateTimeOffset SubmittedUtc)
{
    public const string ArrayKind = "array";
    public const string MergeKind = "merge";

    /// <summary>squeue's id of one array element (<c>-r</c> lists each as JOBID_INDEX).</summary>
    public string ElementId(int task) => string.Create(CultureInfo.InvariantCulture, $"{JobId}_{task - TaskOffset}");
}

/// <summary>DIR/slurm/jobs.json: every submission for this sweep folder, oldest first.</summary>
internal sealed record SlurmJobFile(IReadOnlyList<SlurmJob> Jobs);

/// <summary>DIR/slurm/merge.json: written by <c>sweeplab merge</c>, so <c>--wait</c> knows which merge ran last.</summary>
internal sealed record SlurmMergeStamp(string? JobId, DateTimeOffset FinishedUtc, int Total, int Final);

/// <summary>Pure helpers of the SLURM executor: splitting runs into tasks, and tasks into job arrays.</summary>
internal static class SlurmTasks
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>
    /// Cuts <paramref name="items"/> into min(<paramref name="taskCount"/>, count) contiguous, non-empty shares,
    /// keeping each group (equal <paramref name="groupKey"/>) whole where the task count allows, since a task steps a
    /// group through one pass over the data. Items are first ordered so that groups are contiguous (groups in order
    /// of first appearance, input order inside). With no more tasks than groups, every cut is a group boundary: cut k
    /// is the boundary nearest to k·count/n (the lower on a tie) that leaves enough boundaries for the cuts after it.
    /// With more tasks than groups, each group gets at least one task and the rest by the largest remainder of
    /// n·size/count (earlier groups first on a tie), and each group is cut into near-equal pieces.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<T>> Split<T>(IReadOnlyList<T> items, Func<T, string> groupKey, int taskCount)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(groupKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(taskCount, 1);
        if (items.Count == 0) return [];
        var groups = new List<List<T>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            string key = groupKey(item);
            if (!index.TryGetValue(key, out int g)) { g = groups.Count; index[key] = g; groups.Add([]); }
            groups[g].Add(item);
        }
        long m = items.Count;
        int n = (int)Math.Min(taskCount, m);
        var shares = new List<IReadOnlyList<T>>(n);
        if (n <= groups.Count)
        {
            var ordered = groups.SelectMany(g => g).ToList();
            var boundaries = new List<int>();
            int sum = 0;
            foreach (var g in groups.Take(groups.Count - 1)) boundaries.Add(sum += g.Count);
            var cuts = new List<int> { 0 };
            int next = 0; // index of the first boundary still free
            for (int k = 1; k < n; k++)
            {
                // Boundaries next .. last-(n-1-k) leave one boundary for each later cut; distances compared as |b·n − k·m|.
                int last = boundaries.Count - (n - 1 - k) - 1, best = next;
                for (int b = next; b <= last; b++)
                    if (Math.Abs(boundaries[b] * (long)n - k * m) < Math.Abs(boundaries[best] * (long)n - k * m)) best = b;
                cuts.Add(boundaries[best]);
                next = best + 1;
            }
            cuts.Add(ordered.Count);
            for (int k = 0; k < n; k++) shares.Add(ordered.GetRange(cuts[k], cuts[k + 1] - cuts[k]));
            return shares;
        }
        var counts = groups.Select(g => 1 + (int)((n - groups.Count) * (long)g.Count / m)).ToArray();
        int left = n - counts.Sum();
        var order = Enumerable.Range(0, groups.Count)
            .OrderByDescending(g => (n - groups.Count) * (long)groups[g].Count % m)
            .ThenBy(g => g)
            .ToList();
        // Passes in remainder order; a group never gets more tasks than items (the items always suffice: n <= count).
        while (left > 0)
            foreach (int g in order)
                if (left > 0 && counts[g] < groups[g].Count) { counts[g]++; left--; }
        for (int g = 0; g < groups.Count; g++)
        {
            int size = groups[g].Count, pieces = counts[g];
            for (int p = 0; p < pieces; p++)
            {
                int from = (int)((long)p * size / pieces), to = (int)((long)(p + 1) * size / pieces);
                shares.Add(groups[g].GetRange(from, to - from));
            }
        }
        return shares;
    }

    /// <summary>
    /// Splits task ids (ascending, distinct) into job arrays whose indices (id - offset) stay below
    /// <paramref name="maxArraySize"/>, SLURM's limit on an array index; each array's offset is its first id.
    /// </summary>
    public static IReadOnlyList<(int Offset, IReadOnlyList<int> Tasks)> Arrays(IReadOnlyList<int> taskIds, int maxArraySize)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArraySize, 1);
        for (int i = 1; i < taskIds.Count; i++)
            if (taskIds[i] <= taskIds[i - 1]) throw new ArgumentException("task ids must be ascending and distinct", nameof(taskIds));
        var arrays = new List<(int, IReadOnlyList<int>)>();
        int start = 0;
        for (int i = 1; i <= taskIds.Count; i++)
        {
            if (i < taskIds.Count && taskIds[i] - taskIds[start] < maxArraySize) continue;
            arrays.Add((taskIds[start], taskIds.Skip(start).Take(i - start).ToList()));
            start = i;
        }
        return arrays;
    }

    /// <summary>sbatch's --array value: indices as ranges ("0-3,5,7-8"), then "%throttle" when positive.</summary>
    public static string ArraySpec(IReadOnlyList<int> indices, int throttle)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("an array needs at least one index", nameof(indices));
        var text = new StringBuilder();
        for (int i = 0; i < indices.Count;)
        {
            int j = i;
            while (j + 1 < indices.Count && indices[j + 1] == indices[j] + 1) j++;
            if (text.Length > 0) text.Append(',');
            text.Append(indices[i].ToString(CultureInfo.InvariantCulture));
            if (j > i) text.Append('-').Append(indices[j].ToString(CultureInfo.InvariantCulture));
            i = j + 1;
        }
        if (throttle > 0) text.Append('%').Append(throttle.ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    public static T? Read<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid ({e.Message})");
        }
    }

    public static void Write<T>(string path, T value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json) + "\n");
}
