using System.Globalization;
using SweepLab.Cli.Sweeping;
using SweepLab.Reports;
using SweepLab.Reports.Tests;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>
/// <c>baselines: [relion]</c> through the real program: RELION's Class3D runs once after the sweep, its row lands in
/// baselines.csv and the report's Baselines table, a rerun does not run it again, and a sweep over particle files
/// (not a simulation) gets its row too.
/// </summary>
public class BaselineTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Body = """

        base:
          classes: 2
          target_resolution_angstrom: 15
          init_subset_size: 75
          batch_size_per_class: 75
          oem_epochs: 2
          full_batch_iterations: 1
        seed: 3
        baselines: {relion: {iterations: 5, threads: 2}}
        """;

    private const string SimulatedSweep = """
        name: tiny-baseline
        dataset:
          simulate: {particles: 300, box: 32, pixel_size: 6, snr: 0.3, subunit_mass: 0.3, seed: 5}
        """ + Body;

    private static CliRunner.Outcome Run(TempFolder temp, params string[] args)
    {
        var outcome = CliRunner.Run(temp.Path, args);
        Assert.True(outcome.ExitCode == 0, $"sweeplab {string.Join(' ', args)} exited {outcome.ExitCode}: {outcome.Stderr}");
        return outcome;
    }

    /// <summary>RELION runs in the particles' folder; the sweep's folder is given relative to it unless the way up
    /// leaves through a symbolic link, where ".." is the link target's parent and the relative path would miss.</summary>
    [Fact]
    public void TheBaselineFolderIsRelativeUnlessTheWayUpCrossesALink()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("data/deep/stack"));
        Directory.CreateDirectory(temp.File("sweep"));
        Directory.CreateSymbolicLink(temp.File("linked"), temp.File("data/deep"));
        Directory.CreateSymbolicLink(temp.File("data/deep/stack-link"), temp.File("data/deep/stack"));
        string target = temp.File("sweep/baselines/relion");
        Assert.Equal("../../sweep/baselines/relion", RelionBaseline.PathFromWorkDirectory(temp.File("data/deep"), target));
        Assert.Equal(target, RelionBaseline.PathFromWorkDirectory(temp.File("linked"), target));
        Assert.Equal(target, RelionBaseline.PathFromWorkDirectory(temp.File("data/deep/stack-link"), target));
        // A link the relative path does not climb out of (below the target's folder) changes nothing.
        Assert.Equal("baselines/relion", RelionBaseline.PathFromWorkDirectory(temp.File("sweep"), target));
        Directory.CreateSymbolicLink(temp.File("sweep-link"), temp.File("sweep"));
        Assert.Equal("baselines/relion", RelionBaseline.PathFromWorkDirectory(temp.File("sweep-link"), temp.File("sweep-link/baselines/relion")));
    }

    [SkippableFact]
    public void RelionRunsOnceBesideTheSweepAndItsRowIsInTheReport()
    {
        Skip.If(RelionBaseline.Find("relion_refine") is null || RelionBaseline.Find("relion_reconstruct") is null,
            "relion_refine / relion_reconstruct not on PATH (scripts/install-deps.sh installs RELION)");
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), SimulatedSweep);
        var first = Run(temp, "run", "sweep.yaml", "--out", "out");
        output.WriteLine(first.Stderr);
        string dir = temp.File("out");

        var row = Assert.Single(BaselineTable.Read(dir));
        Assert.Equal(("relion", 2, 3L), (row.Baseline, row.Classes, row.Seed));
        // Two well-separated classes (a subunit of 30% of the mass at SNR 0.3): RELION finds them; a wrong mapping of
        // its sorted rows back to the particles would score about 0.5.
        Assert.InRange(row.Accuracy, 0.9, 1.0);
        Assert.InRange(row.SplitRatio, 0.5, 1.0);
        Assert.InRange(row.SmallestClassFraction, 0.3, 0.5);
        Assert.True(row.WallSeconds > 0);
        Assert.StartsWith("relion_refine --i particles.star --o ../baselines/relion/run --ref ../baselines/relion/consensus.mrc", row.Command);
        Assert.Contains("--K 2 --iter 5 --skip_align", row.Command);
        Assert.EndsWith("--random_seed 3 --j 2", row.Command);
        // The mask diameter is twice the radius SweepLab's run used, so both classify inside the same sphere.
        double radius = SweepOutput.Load(dir).Runs[0].Metric("mask_radius_used_angstrom");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"--particle_diameter {Math.Round(2 * radius, 1)} "), row.Command);
        Assert.True(File.Exists(Path.Combine(dir, "baselines", "relion", "run_it005_data.star")));
        Assert.True(File.Exists(Path.Combine(dir, "baselines", "relion", "consensus.mrc")));

        // The report: a Baselines table right above the ranked table, with the command; summary.md too.
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        int baselines = html.IndexOf("<h2>Baselines</h2>", StringComparison.Ordinal), ranked = html.IndexOf("<section id=\"ranked\">", StringComparison.Ordinal);
        Assert.True(baselines > 0 && baselines < ranked, "the Baselines section comes right before the ranked table");
        Assert.Contains("RELION Class3D (no alignment)", html);
        Assert.Contains("Oracle (ceiling)", html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(row.Command), html);
        string summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| RELION Class3D (no alignment) | {row.Accuracy:0.####} | {row.SplitRatio:0.###} |"), summary);
        Assert.Contains("| SweepLab, best-ranked configuration (configuration ", summary);

        // A rerun finds the row by its command and does not run RELION again.
        byte[] before = File.ReadAllBytes(Path.Combine(dir, BaselineTable.FileName));
        var second = Run(temp, "run", "sweep.yaml", "--out", "out");
        Assert.Contains("baseline relion: done before (baselines.csv); not rerun", second.Stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, BaselineTable.FileName)));

        // Particle files, not a simulation: RELION runs in their folder and writes into the new sweep's.
        File.WriteAllText(temp.File("files.yaml"), "name: files-baseline\ndataset: {particles: out/data/particles.star, truth: out/data/truth.csv}" + Body);
        Run(temp, "run", "files.yaml", "--out", "files", "--no-report");
        var fromFiles = Assert.Single(BaselineTable.Read(temp.File("files")));
        Assert.InRange(fromFiles.Accuracy, 0.9, 1.0);
        Assert.StartsWith("relion_refine --i particles.star --o ../../files/baselines/relion/run ", fromFiles.Command);
        Assert.True(File.Exists(temp.File("files/baselines/relion/run_it005_data.star")));

        // The particles' folder reached through a symbolic link (as users link data folders): "linked/.." is the link
        // target's parent, so RELION gets the sweep's folder as an absolute path, and runs.
        Directory.CreateSymbolicLink(temp.File("linked"), temp.File("out/data"));
        File.WriteAllText(temp.File("linked.yaml"), "name: linked-baseline\ndataset: {particles: linked/particles.star, truth: linked/truth.csv}" + Body);
        Run(temp, "run", "linked.yaml", "--out", "linkedsweep", "--no-report");
        var fromLink = Assert.Single(BaselineTable.Read(temp.File("linkedsweep")));
        Assert.InRange(fromLink.Accuracy, 0.9, 1.0);
        Assert.StartsWith($"relion_refine --i particles.star --o {Path.GetFullPath(temp.File("linkedsweep/baselines/relion/run"))} ", fromLink.Command);

        var report = ReportBuilder.BuildReport(dir);
        Assert.Equal(report.Html, html);
        Skip.If(Chromium.Executable is null, Chromium.MissingReason);
        string dom = Chromium.DumpDom(Path.Combine(dir, "report.html"));
        RenderChecks.AssertEveryChartDrew(dom, report.Charts);
        Assert.Contains("<h2>Baselines</h2>", dom);
    }

    [SkippableFact]
    public void WithAFocusMaskBothClassifyFocusedAndRelionSubtractsTheSignalOutsideIt()
    {
        Skip.If(RelionBaseline.Find("relion_refine") is null || RelionBaseline.Find("relion_project") is null,
            "relion_refine / relion_project not on PATH (scripts/install-deps.sh installs RELION)");
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), SimulatedSweep.Replace("baselines: {relion: {iterations: 5, threads: 2}}", "", StringComparison.Ordinal));
        Run(temp, "run", "sweep.yaml", "--out", "out", "--no-report");
        // The mask a user draws around the subunit: where the two true maps differ, dilated, with a soft edge.
        var (header, first) = Formats.Mrc.MrcFile.ReadVolume(temp.File($"out/data/{Simulation.SimulatedDatasetWriter.TruthMapFileName(0)}"));
        var (_, second) = Formats.Mrc.MrcFile.ReadVolume(temp.File($"out/data/{Simulation.SimulatedDatasetWriter.TruthMapFileName(1)}"));
        int n = header.Nx;
        var mask = Engine.VolumeOperations.MaskFromMap(first.Zip(second, (a, b) => Math.Abs(a - b)).ToArray(), n, 0.2);
        Formats.Mrc.MrcFile.Write(temp.File("focus.mrc"), mask, n, n, n, header.PixelSizeAngstrom ?? 6, isStack: false);
        File.WriteAllText(temp.File("focused.yaml"),
            "name: focused\ndataset: {particles: out/data/particles.star, truth: out/data/truth.csv, focus_mask: focus.mrc}" + Body);
        Run(temp, "run", "focused.yaml", "--out", "focused", "--no-report");

        var runs = SweepOutput.Load(temp.File("focused")).Runs;
        Assert.All(runs, r => Assert.InRange(r.Metric("accuracy"), 0.9, 1.0));
        var row = Assert.Single(BaselineTable.Read(temp.File("focused")));
        output.WriteLine(row.Command);
        Assert.StartsWith("relion_refine --i ../../focused/baselines/relion/subtracted.star ", row.Command);
        Assert.EndsWith($"--solvent_mask {temp.File("focus.mrc")}", row.Command);
        Assert.InRange(row.Accuracy, 0.9, 1.0);
        Assert.True(File.Exists(temp.File("focused/baselines/relion/consensus_outside_focus.mrc")));
        Assert.True(File.Exists(temp.File("focused/baselines/relion/subtracted.mrcs")));

        // A focus mask that is not on the particles' box is refused by name, before anything is written.
        Formats.Mrc.MrcFile.Write(temp.File("small.mrc"), new float[8 * 8 * 8], 8, 8, 8, 6, isStack: false);
        var refused = CliRunner.Run(temp.Path, "classify", "--particles", "out/data/particles.star", "--out", "refused", "--target-resolution", "15", "--focus-mask", "small.mrc");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("small.mrc", refused.Stderr);
        Assert.Contains("8 x 8 x 8", refused.Stderr);
        Assert.False(Directory.Exists(temp.File("refused")));
        File.WriteAllText(temp.File("missing.yaml"), "name: m\ndataset: {particles: out/data/particles.star, focus_mask: nowhere.mrc}" + Body);
        var missing = CliRunner.Run(temp.Path, "run", "missing.yaml", "--out", "missing");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("missing.yaml:2: dataset.focus_mask:", missing.Stderr);
        Assert.Contains("nowhere.mrc not found", missing.Stderr);
    }

    [Fact]
    public void WithoutRelionTheBaselineIsSkippedInOneLineAndNothingIsWritten()
    {
        using var temp = new TempFolder();
        var spec = SweepSpec.Create(SettingMap.Empty) with { Baselines = [new BaselineSpec("relion")] };
        var lines = new List<string>();
        RelionBaseline.RunIfRequested(temp.Path, spec, new SweepDataset(temp.File("particles.star"), null, null), lines.Add, CancellationToken.None, searchPath: "");
        Assert.Equal(["baseline relion skipped: relion_refine is not on PATH (install RELION, e.g. apt-get install relion)"], lines);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));

        // No baselines asked for: not a word.
        RelionBaseline.RunIfRequested(temp.Path, SweepSpec.Create(SettingMap.Empty), new SweepDataset(temp.File("particles.star"), null, null), lines.Add, CancellationToken.None, searchPath: "");
        Assert.Single(lines);
    }
    /// <summary>Processes whose working directory is <paramref name="folder"/> and whose name is <paramref name="name"/> (Linux /proc).</summary>
    private static int[] ProcessesIn(string folder, string name) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsAsciiDigit)).Select(p => int.Parse(p!, CultureInfo.InvariantCulture))
            .Where(pid =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{pid}/comm").Trim() == name
                        && new FileInfo($"/proc/{pid}/cwd").LinkTarget is { } cwd && Path.GetFullPath(cwd) == Path.GetFullPath(folder);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
            }).ToArray();

    [SkippableFact]
    public void CtrlCDuringRelionKillsItAndKeepsTheSweep()
    {
        Skip.If(RelionBaseline.Find("relion_refine") is null || RelionBaseline.Find("relion_reconstruct") is null,
            "relion_refine / relion_reconstruct not on PATH (scripts/install-deps.sh installs RELION)");
        Skip.IfNot(OperatingSystem.IsLinux(), "reads /proc");
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("sweep.yaml"), SimulatedSweep.Replace("iterations: 5,", "iterations: 500,", StringComparison.Ordinal));
        string data = temp.File("out/data");
        using var process = CliRunner.Start(temp.Path, "run", "sweep.yaml", "--out", "out");
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        _ = process.StandardOutput.ReadToEndAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ProcessesIn(data, "relion_refine").Length == 0)
        {
            Assert.False(process.HasExited, $"sweeplab ended before relion_refine started: {stderr}");
            Assert.True(clock.Elapsed < CliRunner.HangWatchdog, "relion_refine never started");
            Thread.Sleep(100);
        }
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])!) kill.WaitForExit();
        Assert.True(process.WaitForExit(CliRunner.HangWatchdog), "Ctrl-C did not stop sweeplab");
        process.WaitForExit();
        Assert.Equal(130, process.ExitCode);
        lock (stderr) Assert.Matches("interrupted \\(Ctrl-C\\): stopped; the sweep's runs and tables in \\S*out are kept; the RELION baseline was stopped and the same command runs it again", stderr.ToString());
        // Killed with the program, not left running; no row for an unfinished baseline; the sweep's tables stand.
        clock.Restart();
        while (ProcessesIn(data, "relion_refine").Length > 0 && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(100);
        Assert.Empty(ProcessesIn(data, "relion_refine"));
        Assert.False(File.Exists(temp.File("out/baselines.csv")));
        Assert.True(File.Exists(temp.File("out/results.csv")));
    }
}
