using System.Diagnostics;
using SweepLab.Simulation;

namespace SweepLab.Cli.Tests.Robustness;

/// <summary>
/// What a user hits when something goes wrong, through the real program: Ctrl-C and SIGTERM stop classify, simulate
/// and run promptly with exit 130, keep only whole files and resume to the uninterrupted result; a second run on one
/// folder is refused while the first holds it, so every run is computed once; a full disk is a clear exit 2 with a
/// consistent set of files, and the rerun after freeing space gives the same tables.
/// </summary>
public class FaultTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Sweep = """
        name: faults
        dataset:
          simulate: {particles: 300, box: 32, pixel_size: 6, snr: 0.3, subunit_mass: 0.3, seed: 5}
        base:
          classes: 2
          target_resolution_angstrom: 15
          batch_size_per_class: 75
          init_subset_size: 75
          oem_epochs: 2
          full_batch_iterations: 1
          similarity_anneal_start: 1
          similarity_anneal_end: 4
        grid:
          class_similarity: [0.0, 0.25, 0.5, 0.75]
        repeats: 2
        seed: 3
        """;

    /// <summary>
    /// <see cref="Sweep"/> with 16 runs instead of 8, for the tests that must act while a sweep runs: with 8, the runs
    /// left after the second one took about a second, and under the test suite's load the signal arrived after the
    /// sweep had ended (seen once, 2026-12-08).
    /// </summary>
    private static readonly string LongSweep = Sweep.Replace("repeats: 2", "repeats: 4", StringComparison.Ordinal);

    private static readonly string[] Tables = ["results.csv", "stability.csv", "iterations.csv"];

    /// <summary>Starts the program, waits until stderr shows <paramref name="ready"/>, sends the signal, and returns
    /// the exit code and the whole stderr.</summary>
    private static (int ExitCode, string Stderr, bool SignalledWhileRunning) Interrupt(string folder, string signal, Func<string, bool> ready, params string[] args)
    {
        using var process = CliRunner.Start(folder, args);
        var stderr = new System.Text.StringBuilder();
        var readyOnce = new ManualResetEventSlim();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (ready(e.Data)) readyOnce.Set();
        };
        process.BeginErrorReadLine();
        _ = process.StandardOutput.ReadToEndAsync();
        Assert.True(readyOnce.Wait(CliRunner.HangWatchdog), "the program never reached the point to interrupt");
        bool running = !process.HasExited;
        using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) kill.WaitForExit();
        if (!process.WaitForExit(CliRunner.HangWatchdog))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"SIGINT/SIGTERM did not stop sweeplab {string.Join(' ', args)}");
        }
        process.WaitForExit();
        lock (stderr) return (process.ExitCode, stderr.ToString(), running);
    }

    private static string[] Leftovers(string root) =>
        InProcess.Listing(root).Where(p => Path.GetFileName(p).Contains(".tmp-", StringComparison.Ordinal) || Path.GetFileName(p).StartsWith(".staging-", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void CtrlCStopsARunPromptlyAndTheRerunMatchesAnUninterruptedSweep() => StopRunAndResume("INT", "Ctrl-C");

    [Fact]
    [Trait("Category", "Expensive")]
    public void SigtermStopsARunPromptlyAndTheRerunMatchesAnUninterruptedSweep() => StopRunAndResume("TERM", "SIGTERM");

    [Fact]
    public void SigtermStopsClassifyAndSimulatePromptlyWritingNothing() => StopClassifyAndSimulate("TERM", "SIGTERM");

    [Fact]
    [Trait("Category", "Expensive")]
    public void CtrlCStopsClassifyAndSimulatePromptlyWritingNothing() => StopClassifyAndSimulate("INT", "Ctrl-C");

    private void StopRunAndResume(string signal, string named)
    {
        using var temp = new TempFolder();
        Assert.Contains("repeats: 4", LongSweep, StringComparison.Ordinal);
        File.WriteAllText(temp.File("sweep.yaml"), LongSweep);
        var clean = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "clean", "--no-report", "--group-size", "2");
        Assert.True(clean.ExitCode == 0, clean.Stderr);

        // Interrupt once two runs are committed (progress line "runs 2/16"), so the stop lands mid-sweep.
        var (code, stderr, running) = Interrupt(temp.Path, signal, l => l.StartsWith("runs 2/16", StringComparison.Ordinal) || l.StartsWith("runs 3/16", StringComparison.Ordinal),
            "run", "sweep.yaml", "--out", "stopped", "--no-report", "--group-size", "2");
        output.WriteLine(stderr);
        Assert.True(running, "the sweep ended before the signal; make it longer");
        Assert.Equal(130, code);
        Assert.Contains($"interrupted ({named}): stopped; ", stderr);
        Assert.Contains("runs are complete in", stderr);
        Assert.Empty(Leftovers(temp.File("stopped")));
        Assert.False(File.Exists(temp.File("stopped/results.csv")));

        var resumed = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "stopped", "--no-report", "--group-size", "2");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("from before", resumed.Stdout);
        foreach (string table in Tables)
            Assert.Equal(File.ReadAllBytes(temp.File($"clean/{table}")), File.ReadAllBytes(temp.File($"stopped/{table}")));
    }

    private static void StopClassifyAndSimulate(string signal, string named)
    {
        using var temp = new TempFolder();
        SimulatedDatasetWriter.Write(temp.File("data"), ParticleSimulator.Simulate(new SimulationSettings { Particles = 3000, BoxPixels = 48, PixelSizeAngstrom = 4, Seed = 2 }));

        var classify = Interrupt(temp.Path, signal, l => l.StartsWith("iteration   1", StringComparison.Ordinal),
            "classify", "--particles", "data/particles.star", "--out", "classified", "--target-resolution", "12");
        Assert.True(classify.SignalledWhileRunning, "classify ended before the signal");
        Assert.Equal(130, classify.ExitCode);
        Assert.Contains($"interrupted ({named}): stopped; nothing was written to", classify.Stderr);
        Assert.False(Directory.Exists(temp.File("classified")));

        var simulate = Interrupt(temp.Path, signal, l => l.StartsWith("simulating ", StringComparison.Ordinal),
            "simulate", "--out", "simulated", "--particles", "40000", "--box", "64");
        Assert.True(simulate.SignalledWhileRunning, "simulate ended before the signal");
        Assert.Equal(130, simulate.ExitCode);
        Assert.Contains($"interrupted ({named}): stopped; nothing was written to", simulate.Stderr);
        Assert.False(Directory.Exists(temp.File("simulated")));
        Assert.Empty(Leftovers(temp.Path));
    }

    [Fact]
    public async Task ASecondRunOnTheSameFolderIsRefusedAndEveryRunIsComputedOnce()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), LongSweep);
        using var first = CliRunner.Start(temp.Path, "run", "sweep.yaml", "--out", "shared", "--no-report", "--group-size", "2");
        var firstErr = first.StandardError.ReadToEndAsync();
        var firstOut = first.StandardOutput.ReadToEndAsync();
        // The lock is taken before the sweep files are written; wait for the journal, which comes after both.
        var clock = Stopwatch.StartNew();
        while (!File.Exists(temp.File("shared/journal.jsonl")) && !first.HasExited && clock.Elapsed < CliRunner.HangWatchdog) Thread.Sleep(20);
        var second = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "shared", "--no-report", "--group-size", "2");
        Assert.False(first.HasExited, "the first run ended before the second started; make the sweep longer");
        Assert.Equal(2, second.ExitCode);
        Assert.StartsWith("error: ", second.Stderr);
        Assert.Contains("in use by another sweeplab process", second.Stderr.Split('\n')[0]);
        await first.WaitForExitAsync();
        Assert.True(first.ExitCode == 0, await firstErr);
        _ = await firstOut;
        var tables = Tables.Select(t => File.ReadAllBytes(temp.File($"shared/{t}"))).ToList();

        var again = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "shared", "--no-report", "--group-size", "2");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("16 runs: 16 complete (16 from before)", again.Stdout);
        int starts = File.ReadLines(temp.File("shared/journal.jsonl")).Count(l => l.Contains("\"event\":\"started\"", StringComparison.Ordinal));
        Assert.Equal(16, starts);
        for (int i = 0; i < Tables.Length; i++) Assert.Equal(tables[i], File.ReadAllBytes(temp.File($"shared/{Tables[i]}")));
    }

    [SkippableFact]
    public void AFullDiskIsAClearErrorWithAConsistentSetAndTheRerunAfterFreeingSpaceMatches()
    {
        using var temp = new TempFolder();
        InProcess.Simulate(temp.File("data"), particles: 200, box: 32);
        File.WriteAllText(temp.File("sweep.yaml"), $$"""
            name: disk
            dataset:
              particles: {{temp.File("data/particles.star")}}
              truth: {{temp.File("data/truth.csv")}}
            base: {classes: 2, target_resolution_angstrom: 15, oem_epochs: 2, full_batch_iterations: 2}
            grid:
              class_similarity: [0.0, 0.25, 0.5, 0.75]
            repeats: 2
            """);
        var reference = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "reference", "--no-report");
        Assert.True(reference.ExitCode == 0, reference.Stderr);
        long needed = new DirectoryInfo(temp.File("reference")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

        string disk = Directory.CreateDirectory(temp.File("disk")).FullName;
        long sizeKb = Math.Max(64, needed / 2 / 1024);
        Skip.IfNot(Mount($"-t tmpfs -o size={sizeKb}k tmpfs {disk}", out string why), $"cannot mount a small tmpfs here ({why}); run as root where mount is permitted");
        try
        {
            var full = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "disk/out", "--no-report");
            output.WriteLine(full.Stderr);
            Assert.Equal(2, full.ExitCode);
            string first = full.Stderr.Split('\n').First(l => l.StartsWith("error", StringComparison.Ordinal));
            Assert.Contains("no space left on device", first);
            Assert.Contains("disk/out", first);
            Assert.DoesNotContain("   at ", full.Stderr);
            var present = Tables.Where(t => File.Exists(Path.Combine(disk, "out", t))).ToList();
            Assert.True(present.Count is 0 || present.Count == Tables.Length, $"an inconsistent set of tables: {string.Join(", ", present)}");
            Assert.DoesNotContain(Leftovers(Path.Combine(disk, "out")), p => !p.StartsWith("runs", StringComparison.Ordinal));

            Assert.True(Mount($"-o remount,size={needed * 4 / 1024 + 1024}k {disk}", out why), why);
            var resumed = CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "disk/out", "--no-report");
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            foreach (string table in Tables)
                Assert.Equal(File.ReadAllBytes(temp.File($"reference/{table}")), File.ReadAllBytes(Path.Combine(disk, "out", table)));
        }
        finally
        {
            Mount("", out _, umount: disk);
        }
    }

    [SkippableFact]
    public void AnOutputFolderOnAReadOnlyFileSystemIsRefusedBeforeAnyWork()
    {
        // Root ignores permission bits, so a read-only mount stands in for a read-only folder.
        using var temp = new TempFolder();
        InProcess.Simulate(temp.File("data"));
        File.WriteAllText(temp.File("sweep.yaml"), "name: ro\ndataset:\n  simulate: {particles: 40, box: 24, pixel_size: 5}\nbase: {classes: 2, target_resolution_angstrom: 15}\n");
        string readOnly = Directory.CreateDirectory(temp.File("ro")).FullName;
        Skip.IfNot(Mount($"-t tmpfs -o size=1m,ro tmpfs {readOnly}", out string why), $"cannot mount a read-only tmpfs here ({why}); run as root where mount is permitted");
        try
        {
            var outcomes = new[]
            {
                CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.star", "--out", "ro/out", "--target-resolution", "15"),
                CliRunner.Run(temp.Path, "simulate", "--out", "ro/out", "--particles", "20", "--box", "24"),
                CliRunner.Run(temp.Path, "run", "sweep.yaml", "--out", "ro/out", "--no-report"),
            };
            foreach (var outcome in outcomes)
            {
                Assert.True(outcome.ExitCode == 2, outcome.Stderr);
                Assert.StartsWith("error: --out ", outcome.Stderr);
                Assert.Contains("ro/out: cannot write in " + readOnly, outcome.Stderr.Split('\n')[0]);
                Assert.DoesNotContain("   at ", outcome.Stderr);
                Assert.DoesNotContain("preprocessed", outcome.Stderr); // refused before any work
            }
            Assert.Empty(Directory.EnumerateFileSystemEntries(readOnly));
        }
        finally
        {
            Mount("", out _, umount: readOnly);
        }
    }

    private static bool Mount(string arguments, out string why, string? umount = null)
    {
        var info = new ProcessStartInfo(umount is null ? "mount" : "umount") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (umount ?? arguments).Split(' ', StringSplitOptions.RemoveEmptyEntries)) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            why = process.StandardError.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = e.Message;
            return false;
        }
    }
}
