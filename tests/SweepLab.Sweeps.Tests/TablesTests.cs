using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SweepLab.Sweeps.Tests;

public class TablesTests
{
    private static SweepPlan Plan(int configs = 6, int repeats = 3) => SweepPlanner.Plan(
        Specs.Grid(Specs.Map(("label", "a,b \"q\""), ("rate", 0.25)),
                new GridAxis("x", Enumerable.Range(0, configs).Select(i => SettingValue.FromInteger(i)).ToArray()),
                Specs.Axis("mode", "soft", "hard"))
            with { Repeats = new Located<int>(repeats), Seed = new Located<long>(11) });

    /// <summary>Awkward doubles (no short decimal form), a 0/1 flag, and a per-iteration curve.</summary>
    private static SyntheticObjective Objective(Func<RunSpec, bool>? failsOnce = null, Action<RunSpec>? beforeRun = null, int groupSize = 2) => new()
    {
        Iterations = 4,
        PreferredGroupSize = groupSize,
        Key = r => r.Seed.ToString(CultureInfo.InvariantCulture),
        Metric = (run, it) => new Dictionary<string, double>
        {
            ["score"] = Math.Sin(run.Seed * 1e-3 + run.Settings["x"].AsDouble) / it,
            ["collapsed"] = (run.Seed + (long)run.Settings["x"].AsDouble) % 3 == 0 ? 1 : 0,
        },
        FailsOnce = failsOnce ?? (_ => false),
        BeforeRun = beforeRun,
    };

    private static Dictionary<string, byte[]> Tables(string dir, SweepPlan plan, RunStore store)
    {
        string outDir = Path.Combine(dir, "tables");
        ResultTables.Write(outDir, plan.Runs, store);
        return new[] { "results.csv", "iterations.csv", "stability.csv" }.ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(outDir, n)));
    }

    [Fact]
    public async Task AResumedSweepWritesTheSameBytesAsAnUninterruptedOne()
    {
        var plan = Plan();
        using var cleanDir = new TempDir();
        Dictionary<string, byte[]> expected;
        using (var store = new RunStore(cleanDir.Path))
        {
            var result = await new SweepRunner(store, Objective(), new SweepRunnerOptions { Workers = 2 }).RunAsync(plan.Runs);
            Assert.Equal(36, result.Completed);
            expected = Tables(cleanDir.Path, plan, store);
        }

        using var dir = new TempDir();
        // Sweep 1: two runs throw, and Ctrl-C arrives after 20 runs have started.
        using (var cts = new CancellationTokenSource())
        using (var store = new RunStore(dir.Path))
        {
            int started = 0;
            var failing = new HashSet<string> { plan.Runs[3].RunId, plan.Runs[17].RunId };
            var objective = Objective(r => failing.Contains(r.RunId), _ => { if (Interlocked.Increment(ref started) == 20) cts.Cancel(); }, groupSize: 3);
            var result = await new SweepRunner(store, objective, new SweepRunnerOptions { Workers = 3 }).RunAsync(plan.Runs, cts.Token);
            Assert.True(result.Cancelled);
            Assert.True(result.Failed >= 1);
            // Tables of the partial sweep hold only what finished or failed.
            var partial = Tables(dir.Path, plan, store);
            Assert.NotEqual(expected["results.csv"], partial["results.csv"]);
        }
        // A crash (kill -9) mid-run and mid-journal-write: a half-written run folder and a torn journal line.
        var victim = plan.Runs[30];
        string half = Path.Combine(dir.Path, "runs", $".tmp-{victim.RunId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(half);
        File.WriteAllText(Path.Combine(half, RunStore.ResultFileName), "{\"score\": 0.12");
        File.AppendAllText(Path.Combine(dir.Path, "journal.jsonl"), "{\"event\":\"started\",\"run_id\":\"" + victim.RunId);

        // Sweep 2: the same command again, another worker count.
        using (var store = new RunStore(dir.Path))
        {
            Assert.Equal(1, store.UnreadableJournalLines);
            var result = await new SweepRunner(store, Objective(), new SweepRunnerOptions { Workers = 1 }).RunAsync(plan.Runs);
            Assert.Equal((0, false), (result.Failed, result.Cancelled));
            Assert.Equal(36, result.Skipped + result.Completed);
            Assert.True(result.Skipped > 0);
            var actual = Tables(dir.Path, plan, store);
            foreach (var name in expected.Keys) Assert.True(expected[name].SequenceEqual(actual[name]), $"{name} differs");
        }
        Assert.False(Directory.Exists(half));
    }

    [Fact]
    public async Task TablesAreCultureInvariant()
    {
        var plan = Plan(2, 2);
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);
        await new SweepRunner(store, Objective()).RunAsync(plan.Runs);
        var invariant = Tables(dir.Path, plan, store);
        var culture = CultureInfo.CurrentCulture;
        Dictionary<string, byte[]> german;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("de-DE");
            Assert.Equal("0,25", 0.25.ToString(CultureInfo.CurrentCulture));
            german = Tables(dir.Path, plan, store);
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture;
        }
        foreach (var name in invariant.Keys) Assert.Equal(invariant[name], german[name]);
        string results = Encoding.UTF8.GetString(german["results.csv"]);
        Assert.StartsWith("run_id,config_id,repeat,seed,status,pruned_at_iteration,label,rate,x,mode,score,collapsed\n", results);
        Assert.Contains(",complete,,\"a,b \"\"q\"\"\",0.25,0,soft,", results);
    }

    [Fact]
    public async Task ResultsAndIterationsHoldEveryValueExactly()
    {
        var plan = Plan(2, 2);
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);
        var objective = Objective(r => r.RunId == plan.Runs[5].RunId);
        await new SweepRunner(store, objective).RunAsync(plan.Runs);
        var results = Csv.Read(ResultTables.ResultsCsv(plan.Runs, store));
        Assert.Equal(8, results.Count);
        for (int i = 0; i < 8; i++)
        {
            var run = plan.Runs[i];
            var row = results[i];
            Assert.Equal((run.RunId, run.ConfigId, run.RepeatIndex.ToString(CultureInfo.InvariantCulture), run.Seed.ToString(CultureInfo.InvariantCulture)),
                (row["run_id"], row["config_id"], row["repeat"], row["seed"]));
            if (i == 5)
            {
                Assert.Equal(("failed", ""), (row["status"], row["score"]));
                continue;
            }
            Assert.Equal("complete", row["status"]);
            double score = double.Parse(row["score"], CultureInfo.InvariantCulture);
            Assert.Equal(objective.Metric(run, 4)["score"], score); // exact round trip
        }
        var iterations = Csv.Read(ResultTables.IterationsCsv(plan.Runs, store));
        Assert.Equal(7 * 4 * 2, iterations.Count);
        Assert.Equal(["iteration", "metric", "run_id", "value"], iterations[0].Keys.Order());
        Assert.Equal((plan.Runs[0].RunId, "1", "score"), (iterations[0]["run_id"], iterations[0]["iteration"], iterations[0]["metric"]));
        Assert.Equal(objective.Metric(plan.Runs[0], 3)["collapsed"], double.Parse(iterations[5]["value"], CultureInfo.InvariantCulture));
        Assert.Equal("collapsed", iterations[5]["metric"]);

        var noScore = Csv.Read(ResultTables.ResultsCsv(plan.Runs, store, new ResultTableOptions { ExcludedMetrics = ["score"] }));
        Assert.False(noScore[0].ContainsKey("score"));
    }

    [Fact]
    public async Task StabilitySummarisesSeedsWithKnownNumbers()
    {
        var plan = SweepPlanner.Plan(Specs.Grid(SettingMap.Empty, Specs.Axis("x", 1, 2)) with { Repeats = new Located<int>(3) });
        double[] values = [1, 2, 4];
        double[] flags = [1, 0, 1];
        var objective = new SyntheticObjective
        {
            Iterations = 1,
            Metric = (run, _) => new Dictionary<string, double>
            {
                ["v"] = values[run.RepeatIndex] * run.Settings["x"].AsDouble,
                ["collapsed"] = flags[run.RepeatIndex],
            },
            FailsOnce = r => r.Settings["x"].AsDouble == 2 && r.RepeatIndex == 2,
        };
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);
        await new SweepRunner(store, objective).RunAsync(plan.Runs);
        var folders = new List<(string, string)>();
        double Agreement(string a, string b)
        {
            folders.Add((a, b));
            double va = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, RunStore.ResultFileName))).RootElement.GetProperty("v").GetDouble();
            double vb = JsonDocument.Parse(File.ReadAllText(Path.Combine(b, RunStore.ResultFileName))).RootElement.GetProperty("v").GetDouble();
            return 1 / (1 + Math.Abs(va - vb));
        }
        var rows = Csv.Read(ResultTables.StabilityCsv(plan.Runs, store, new ResultTableOptions { Agreement = Agreement, StabilityMetrics = ["v"] }));
        Assert.Equal(["config_id", "x", "runs", "failed", "v_mean", "v_std", "p_collapsed", "mean_pairwise_agreement"], Csv.Header(ResultTables.StabilityCsv(plan.Runs, store)).Take(4).Concat(["v_mean", "v_std", "p_collapsed", "mean_pairwise_agreement"]));
        Assert.Equal(2, rows.Count);
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        Assert.Equal(("1", "3", "0"), (rows[0]["x"], rows[0]["runs"], rows[0]["failed"]));
        Assert.Equal(7.0 / 3, D(rows[0]["v_mean"]), 12);
        Assert.Equal(Math.Sqrt(7.0 / 3), D(rows[0]["v_std"]), 12);
        Assert.Equal(2.0 / 3, D(rows[0]["p_collapsed"]), 12);
        Assert.Equal((1 / 2.0 + 1 / 4.0 + 1 / 3.0) / 3, D(rows[0]["mean_pairwise_agreement"]), 12);
        // Config 2 lost its third repeat: two runs, values 2 and 4.
        Assert.Equal(("2", "1"), (rows[1]["runs"], rows[1]["failed"]));
        Assert.Equal(3.0, D(rows[1]["v_mean"]), 12);
        Assert.Equal(Math.Sqrt(2), D(rows[1]["v_std"]), 12);
        Assert.Equal(0.5, D(rows[1]["p_collapsed"]), 12);
        Assert.Equal(1 / 3.0, D(rows[1]["mean_pairwise_agreement"]), 12);
        Assert.Equal(3 + 1, folders.Count);
        Assert.All(folders, f => Assert.True(File.Exists(Path.Combine(f.Item1, RunRecord.FileName))));
    }

    [Fact]
    public async Task ClashingNamesGetPrefixes()
    {
        var plan = SweepPlanner.Plan(Specs.Grid(Specs.Map(("status", "x"), ("score", 1))));
        var objective = new SyntheticObjective { Iterations = 1, Metric = (_, _) => new Dictionary<string, double> { ["score"] = 2, ["seed"] = 3 } };
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);
        await new SweepRunner(store, objective).RunAsync(plan.Runs);
        var header = Csv.Header(ResultTables.ResultsCsv(plan.Runs, store));
        Assert.Equal(["run_id", "config_id", "repeat", "seed", "status", "pruned_at_iteration", "setting_status", "score", "metric_score", "metric_seed"], header);
    }

    [Fact]
    public async Task SearchTablesAreWritten()
    {
        var plan = SweepPlanner.Plan(Specs.Grid(SettingMap.Empty, Specs.Axis("x", 0, 1))
            with { Search = new BoundarySearchSpec("s", 0, 1, 0.1, MetricPredicate.Parse("flip == 1")) });
        var objective = new SyntheticObjective
        {
            Iterations = 1,
            Metric = (run, _) => new Dictionary<string, double> { ["flip"] = run.Settings["s"].AsDouble > 0.3 + run.Settings["x"].AsDouble ? 1 : 0 },
        };
        using var dir = new TempDir();
        using var store = new RunStore(dir.Path);
        var study = await SweepStudy.RunAsync(plan, new SweepRunner(store, objective));
        ResultTables.Write(dir.Sub("t"), study, store);
        var rows = Csv.Read(File.ReadAllBytes(dir.Sub("t/boundary.csv")));
        Assert.Equal(["found", "no_flip"], rows.Select(r => r["status"]));
        Assert.Equal(("0.25", "0.3125", "0.28125", "false", "true", "6"),
            (rows[0]["low"], rows[0]["high"], rows[0]["estimate"], rows[0]["outcome_at_low"], rows[0]["outcome_at_high"], rows[0]["evaluations"]));
        Assert.Equal("", rows[1]["estimate"]);
        Assert.Equal(study.Runs.Count, Csv.Read(File.ReadAllBytes(dir.Sub("t/results.csv"))).Count);
    }
}

/// <summary>A small RFC 4180 reader for checking tables (quoted fields, doubled quotes, LF records).</summary>
internal static class Csv
{
    public static List<string[]> Records(byte[] bytes)
    {
        string text = Encoding.UTF8.GetString(bytes);
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\n') { fields.Add(field.ToString()); field.Clear(); records.Add(fields.ToArray()); fields.Clear(); }
            else field.Append(c);
        }
        Assert.Equal(0, field.Length + fields.Count); // ends with a newline
        return records;
    }

    public static string[] Header(byte[] bytes) => Records(bytes)[0];

    public static List<Dictionary<string, string>> Read(byte[] bytes)
    {
        var records = Records(bytes);
        var header = records[0];
        Assert.All(records, r => Assert.Equal(header.Length, r.Length));
        return records.Skip(1).Select(r => header.Zip(r).ToDictionary(p => p.First, p => p.Second)).ToList();
    }
}
