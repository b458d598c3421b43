using System.Text;
using SweepLab.Cli.Commands;

namespace SweepLab.Cli.Tests.Robustness;

/// <summary>
/// Seeded mutations of a valid STAR file, sweep file and .cs, each read through the command the program runs
/// (inspect, plan). A reader may accept a mutant (exit 0) or refuse it (exit 2, one first line, no trace); any other
/// exit, or an escaped exception, is a bug. The seed is fixed so a failure names a reproducible case.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class FuzzTests
{
    private const int MutantsPerFile = 150;

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "&a ", "*a", "- ", ": ", "\n", "\t", "#", "'", "\"", "0", "-1", "1e309", "nan", "-0", "99999999999999999999",
        "loop_\n", "_rln", "data_", "@", "..", "/", "\0", "é", ",", "null", "~", "!!str ", "%YAML 1.1\n", "---\n",
    ];

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(64))); break;
                case 2:
                {
                    int length = Math.Min(bytes.Count - at, 1 + random.Next(64));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length).ToArray());
                    break;
                }
                case 3: bytes.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[random.Next(Tokens.Length)])); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break; // truncation
                default:
                {
                    // A digit changed in place keeps the structure and moves a value (sizes, counts, offsets).
                    int digit = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digit >= 0) bytes[digit] = (byte)('0' + random.Next(10));
                    break;
                }
            }
        }
        return [.. bytes];
    }

    private static void Fuzz(string name, string original, Func<string, Func<int>> command, int seed)
    {
        var random = new Random(seed);
        var bytes = File.ReadAllBytes(original);
        int accepted = 0, refused = 0;
        var failures = new List<string>();
        for (int i = 0; i < MutantsPerFile; i++)
        {
            string mutant = Path.Combine(Path.GetDirectoryName(original)!, $"mutant{Path.GetExtension(original)}");
            File.WriteAllBytes(mutant, Mutate(bytes, random));
            InProcess.Outcome outcome;
            try
            {
                outcome = InProcess.Run(command(mutant));
            }
            catch (Exception e)
            {
                failures.Add($"{name} mutant {i} (seed {seed}): escaped {e.GetType().Name}: {e.Message}");
                continue;
            }
            if (outcome.ExitCode == 0) accepted++;
            else if (outcome.ExitCode == 2 && !outcome.HasTrace && outcome.FirstLine.StartsWith("error: ", StringComparison.Ordinal)) refused++;
            else failures.Add($"{name} mutant {i} (seed {seed}): exit {outcome.ExitCode}: {outcome.Stderr[..Math.Min(600, outcome.Stderr.Length)]}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(MutantsPerFile, accepted + refused);
        Assert.True(refused > MutantsPerFile / 10, $"only {refused} of {MutantsPerFile} mutants refused: the mutations are too weak to test anything");
    }

    [Fact]
    public void MutatedStarFilesAreReadOrRefusedCleanly()
    {
        using var temp = new TempFolder();
        InProcess.Simulate(temp.Path, particles: 12);
        Fuzz("STAR", temp.File("particles.star"), path => () => new InspectCommand().Inspect(path), seed: 1601);
    }

    [Fact]
    public void MutatedCryoSparcFilesAreReadOrRefusedCleanly()
    {
        using var temp = new TempFolder();
        InProcess.Simulate(temp.Path, particles: 12);
        Fuzz(".cs", temp.File("particles.cs"), path => () => new InspectCommand().Inspect(path), seed: 1602);
    }

    [Fact]
    public void MutatedSweepFilesArePlannedOrRefusedCleanly()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), """
            name: fuzz
            dataset:
              simulate: {particles: 400, box: 24, pixel_size: 5, snr: 0.2, seed: 3}
            base:
              classes: 2
              target_resolution_angstrom: 15
            grid:
              class_similarity: [0.0, 0.3, 0.6]
              hard_classification: [soft, soft_then_hard]
            zip:
              - similarity_anneal_start: [1, 2]
                similarity_anneal_end: [4, 5]
            conditional:
              - when: {hard_classification: soft_then_hard}
                grid: {hard_switch_iteration: [2, 3]}
            repeats: 2
            seed: 5
            execution: {workers: 1, max_runs: 100}
            search: {kind: grid, prune_when: "collapsed == 1"}
            """);
        Fuzz("sweep", temp.File("sweep.yaml"), path => () => new SweepCommands().Plan(path, show: 0), seed: 1603);
    }
}
