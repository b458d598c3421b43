using System.Text;
using SweepLab.Cli.Commands;

namespace SweepLab.Cli.Tests.Robustness;

/// <summary>
/// A corpus of bad inputs, generated here: hostile YAML, argument mistakes, unusable output folders, options that
/// must be checked before anything is written, empty tables, missing or short image stacks, silently wrong truth and
/// .cs types. Every case must exit 2 with a first line that names the file, line, key or option, print no stack
/// trace, and leave nothing behind.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class BadInputCorpusTests
{
    /// <param name="Name">What is wrong.</param>
    /// <param name="Setup">Writes the case's files into the folder and returns the command to run.</param>
    /// <param name="Names">What the first line must name.</param>
    public sealed record Case(string Name, Func<string, Func<int>> Setup, string Names)
    {
        public override string ToString() => Name;
    }

    private const string Head = "name: bad\ndataset:\n  simulate: {particles: 40, box: 24, pixel_size: 5}\n";

    private static Func<int> Plan(string folder, string yaml)
    {
        string path = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(path, yaml);
        return () => new SweepCommands().Plan(path);
    }

    private static Func<int> Run(string folder, string yaml, string? @out = null, int? workers = null, string? executor = null, string device = "cpu", int groupSize = 64)
    {
        string path = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(path, yaml);
        return () => new SweepCommands().Run(path, @out ?? Path.Combine(folder, "out"), workers, executor, device, groupSize, noReport: true);
    }

    /// <summary>classify in-process; <paramref name="knobs"/> are option/value pairs as Program hands them over (see KnobArguments).</summary>
    private static Func<int> Classify(string particles, string @out, string[]? knobs = null, string? truth = null, string device = "cpu") =>
        () =>
        {
            ClassifyCommand.Knobs = KnobArguments.Extract(["classify", .. knobs ?? []]).Settings;
            return new ClassifyCommand().Classify(particles, @out, truth, device: device);
        };

    /// <summary>The simulated set with its particle table emptied (loop header kept, rows dropped).</summary>
    private static string EmptyStar(string folder)
    {
        InProcess.Simulate(Path.Combine(folder, "data"));
        string star = Path.Combine(folder, "data", "particles.star");
        var lines = File.ReadAllLines(star);
        int start = Array.FindIndex(lines, l => l.StartsWith("data_particles", StringComparison.Ordinal));
        var kept = lines.Where((l, i) => i <= start || !(l.Length > 0 && char.IsAsciiDigit(l[0]))).ToArray();
        string empty = Path.Combine(folder, "data", "empty.star");
        File.WriteAllLines(empty, kept);
        return empty;
    }

    private static string FileSweep(string star, string? truth = null) =>
        $"name: files\ndataset:\n  particles: {star}\n{(truth is null ? "" : $"  truth: {truth}\n")}base: {{classes: 2, target_resolution_angstrom: 15}}\ngrid:\n  class_similarity: [0.0, 0.5]\n";

    public static TheoryData<Case> Cases()
    {
        var cases = new List<Case>
        {
            // Hostile or broken YAML.
            new("alias cycle", f => Plan(f, "name: bad\ndataset:\n  x: &a [1, *a]\nbase: {classes: 2}\n"), "sweep.yaml:3"),
            new("billion laughs", f => Plan(f, Head + "base: {classes: 2}\nx:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                + string.Concat("bcdefghi".Select((c, i) => $"  {c}: &{c} [{string.Join(", ", Enumerable.Repeat("*" + "abcdefghi"[i], 9))}]\n"))), "sweep.yaml:7"),
            new("200,000 nested lists", f => Plan(f, Head + "base: {classes: 2}\ngrid:\n  x: " + new string('[', 200_000) + new string(']', 200_000) + "\n"), "sweep.yaml:6"),
            new("100 nested maps", f => Plan(f, Head + "base:\n" + string.Concat(Enumerable.Range(1, 100).Select(i => new string(' ', 2 * i) + "a:\n")) + new string(' ', 202) + "b: 1\n"), "sweep.yaml"),
            new("unclosed { then more keys", f => Plan(f, Head + "base:\n  classes: {\ngrid:\n  class_similarity: [0.1]\n"), "sweep.yaml:5"),
            new("unclosed { in dataset", f => Plan(f, "name: bad\ndataset:\n  simulate: {particles: 100\nbase: {classes: 2}\n"), "sweep.yaml:3"),
            new("unclosed [", f => Plan(f, Head + "base: {classes: 2}\ngrid:\n  class_similarity: [0.1, 0.2\n"), "sweep.yaml"),
            new("1000^3 grid with a huge max_runs", f => Plan(f, Head + "base: {classes: 2}\ngrid:\n  class_similarity: {linspace: [0, 1, 1000]}\n  learning_rate_init: {linspace: [0.1, 0.9, 1000]}\n  oem_epochs: {range: [1, 1001, 1]}\nexecution: {max_runs: 2000000000}\n"), "execution.max_runs"),
            new("empty sweep file", f => Plan(f, ""), "sweep.yaml"),
            new("sweep file is a list", f => Plan(f, "- a\n- b\n"), "sweep.yaml"),
            new("binary garbage", f => Plan(f, Encoding.Latin1.GetString(Enumerable.Range(0, 512).Select(i => (byte)(i * 97 % 251)).ToArray())), "sweep.yaml"),
            new("unknown top-level key", f => Plan(f, Head + "base: {classes: 2}\ngird: {class_similarity: [0.1]}\n"), "gird"),
            new("bad setting value", f => Plan(f, Head + "base: {classes: 2, target_resolution_angstrom: 15}\ngrid:\n  class_similarity: [0.1, 7]\n"), "sweep.yaml:6: grid.class_similarity"),

            // Output folders checked before any work.
            new("classify --out is a file", f => { InProcess.Simulate(Path.Combine(f, "data")); File.WriteAllText(Path.Combine(f, "taken"), "x"); return Classify(Path.Combine(f, "data", "particles.star"), Path.Combine(f, "taken")); }, "--out"),
            new("simulate --out is a file", f => { File.WriteAllText(Path.Combine(f, "taken"), "x"); return () => new SimulateCommand().Simulate(Path.Combine(f, "taken"), particles: 20, box: 24); }, "--out"),
            new("run --out is a file", f => { File.WriteAllText(Path.Combine(f, "taken"), "x"); return Run(f, Head + "base: {classes: 2}\n", @out: Path.Combine(f, "taken")); }, "--out"),
            new("run --out below a file", f => { File.WriteAllText(Path.Combine(f, "taken"), "x"); return Run(f, Head + "base: {classes: 2}\n", @out: Path.Combine(f, "taken", "sub")); }, "--out"),

            // Every option checked before anything is written.
            new("run --device quantum", f => Run(f, Head + "base: {classes: 2}\n", device: "quantum"), "--device"),
            new("run --workers 0", f => Run(f, Head + "base: {classes: 2}\n", workers: 0), "--workers"),
            new("run --group-size 0", f => Run(f, Head + "base: {classes: 2}\n", groupSize: 0), "--group-size"),
            new("run --executor pbs", f => Run(f, Head + "base: {classes: 2}\n", executor: "pbs"), "--executor"),
            new("classify --device quantum", f => { InProcess.Simulate(Path.Combine(f, "data")); return Classify(Path.Combine(f, "data", "particles.star"), Path.Combine(f, "out"), device: "quantum"); }, "--device"),
            new("classify --class-similarity 2", f => { InProcess.Simulate(Path.Combine(f, "data")); return Classify(Path.Combine(f, "data", "particles.star"), Path.Combine(f, "out"), ["--class-similarity", "2", "--target-resolution", "15"]); }, "class_similarity"),
            new("simulate --particles 0", f => () => new SimulateCommand().Simulate(Path.Combine(f, "out"), particles: 0), "--particles"),

            // Empty tables, missing and short stacks.
            new("inspect an empty table", f => { string s = EmptyStar(f); return () => new InspectCommand().Inspect(s); }, "empty.star"),
            new("classify an empty table", f => { string s = EmptyStar(f); return Classify(s, Path.Combine(f, "out")); }, "empty.star"),
            new("sweep over a missing .mrcs", f => { InProcess.Simulate(Path.Combine(f, "data")); File.Delete(Path.Combine(f, "data", "particles.mrcs")); return Run(f, FileSweep(Path.Combine(f, "data", "particles.star"))); }, "particles.star"),
            new("sweep over a short stack", f =>
            {
                InProcess.Simulate(Path.Combine(f, "data"));
                string star = Path.Combine(f, "data", "particles.star");
                File.WriteAllText(star, File.ReadAllText(star).Replace("000040@particles.mrcs", "000099@particles.mrcs", StringComparison.Ordinal));
                return Run(f, FileSweep(star));
            }, "99@particles.mrcs"),

            // Silently wrong before: a truth naming half the particles, a true class without a map, integer poses.
            new("truth names half the particles", f =>
            {
                InProcess.Simulate(Path.Combine(f, "data"));
                string truth = Path.Combine(f, "data", "half.csv");
                File.WriteAllLines(truth, File.ReadAllLines(Path.Combine(f, "data", "truth.csv")).Take(21));
                return Classify(Path.Combine(f, "data", "particles.star"), Path.Combine(f, "out"), ["--target-resolution", "15"], truth: truth);
            }, "half.csv"),
            new("truth class without a map", f =>
            {
                InProcess.Simulate(Path.Combine(f, "data"));
                string truth = Path.Combine(f, "data", "truth.csv");
                var lines = File.ReadAllLines(truth);
                int column = Array.IndexOf(lines[0].Split(','), "true_class_number");
                var cells = lines[3].Split(',');
                cells[column] = "5";
                lines[3] = string.Join(',', cells);
                File.WriteAllLines(truth, lines);
                return Classify(Path.Combine(f, "data", "particles.star"), Path.Combine(f, "out"), ["--target-resolution", "15"], truth: truth);
            }, "truth.csv"),
            new(".cs pose stored as <i4", f =>
            {
                InProcess.Simulate(Path.Combine(f, "data"));
                string cs = Path.Combine(f, "data", "particles.cs");
                var bytes = File.ReadAllBytes(cs);
                int at = IndexOf(bytes, "alignments3D/pose"u8);
                int type = IndexOf(bytes.AsSpan(at), "<f4"u8) + at;
                bytes[type + 1] = (byte)'i';
                File.WriteAllBytes(cs, bytes);
                return () => new InspectCommand().Inspect(cs);
            }, "alignments3D/pose"),
        };
        var data = new TheoryData<Case>();
        foreach (var c in cases) data.Add(c);
        return data;
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryCaseExitsTwoWithANamedFirstLineAndLeavesNothing(Case c)
    {
        using var temp = new TempFolder();
        var command = c.Setup(temp.Path);
        var before = InProcess.Listing(temp.Path);
        var outcome = InProcess.Run(command);
        Assert.True(outcome.ExitCode == 2, $"{c.Name}: exit {outcome.ExitCode}\n{outcome.Stderr}");
        Assert.False(outcome.HasTrace, $"{c.Name}: a stack trace or exception name\n{outcome.Stderr}");
        Assert.StartsWith("error: ", outcome.FirstLine);
        Assert.Contains(c.Names, outcome.FirstLine);
        Assert.Equal(before, InProcess.Listing(temp.Path));
    }

    [Theory]
    [InlineData("--classes abc", "--classes")]
    [InlineData("--seed -1", "--seed")]
    [InlineData("--bogus 1", "--bogus")]
    [InlineData("", "--out")]
    public void ArgumentMistakesExitTwoNamingTheOption(string extra, string option)
    {
        // Cocona parses the command line, so these go through the real program.
        using var temp = new TempFolder();
        var args = new List<string> { "classify", "--particles", "p.star" };
        if (extra.Length > 0 || option != "--out") args.AddRange(["--out", "o"]);
        args.AddRange(extra.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var outcome = CliRunner.Run(temp.Path, [.. args]);
        Assert.True(outcome.ExitCode == 2, outcome.Stderr);
        string first = outcome.Stderr.Split('\n')[0];
        Assert.StartsWith("error: " + option, first);
        Assert.DoesNotContain("Nullable", outcome.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }
}
