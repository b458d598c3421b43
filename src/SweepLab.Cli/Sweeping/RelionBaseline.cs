using System.Diagnostics;
using System.Globalization;
using System.Text;
using SweepLab.Core.Metrics;
using SweepLab.Engine.Configuration;
using SweepLab.Formats.Particles;
using SweepLab.Reports;
using SweepLab.Simulation;
using SweepLab.Sweeps;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// The sweep file's <c>baselines: [relion]</c>: RELION 3.1's Class3D without alignment, run once per sweep folder on
/// the sweep's particles, so a method comparison has RELION's accuracy, split and time beside SweepLab's. Nothing of
/// SweepLab goes into RELION's row: the consensus map is relion_reconstruct's, the classes relion_refine's; only the
/// mask diameter (twice the radius SweepLab's first finished run used, so both classify inside the same sphere), the
/// class count and the seed are taken from the sweep; with the dataset's focus_mask, RELION classifies focused as its
/// users do (signal outside the mask subtracted, the mask as --solvent_mask). Results go to DIR/baselines.csv; RELION's files to
/// DIR/baselines/relion/. A folder whose baselines.csv already holds the same command is not run again.
/// </summary>
internal static class RelionBaseline
{
    public const string Name = "relion";
    public const string RefineProgram = "relion_refine";
    public const string ReconstructProgram = "relion_reconstruct";
    public const string ProjectProgram = "relion_project";
    private const string MaskRadiusMetric = "mask_radius_used_angstrom";

    /// <summary>Runs the baseline when the spec asks for it; says in one line why not when RELION is missing.</summary>
    /// <param name="searchPath">Where to look for RELION's programs (tests); PATH when null.</param>
    public static void RunIfRequested(string output, SweepSpec spec, SweepDataset dataset, Action<string> log, CancellationToken cancel, string? searchPath = null)
    {
        var baseline = spec.Baselines.FirstOrDefault(b => b.Name == Name);
        if (baseline is null || cancel.IsCancellationRequested) return;
        string? refine = Find(RefineProgram, searchPath), reconstruct = Find(ReconstructProgram, searchPath);
        string? project = dataset.FocusMaskFile is null ? "" : Find(ProjectProgram, searchPath);
        if (refine is null || reconstruct is null || project is null)
        {
            log($"baseline relion skipped: {(refine is null ? RefineProgram : reconstruct is null ? ReconstructProgram : ProjectProgram)} is not on PATH (install RELION, e.g. apt-get install relion)");
            return;
        }
        string star = Path.GetFullPath(dataset.ParticleFile);
        if (!star.EndsWith(".star", StringComparison.OrdinalIgnoreCase))
        {
            log($"baseline relion skipped: RELION reads STAR files and {star} is not one");
            return;
        }

        // RELION resolves image names against its working directory: run it in the STAR file's folder.
        string workDir = Path.GetDirectoryName(star)!;
        string folder = Path.Combine(Path.GetFullPath(output), "baselines", Name);
        string outRel = PathFromWorkDirectory(workDir, folder);
        var table = dataset.Table;
        var runs = FinishedRuns(output);
        int classes = spec.Base.TryGetValue(ClassificationConfig.Keys.Classes, out var k) && k.TryGetInt64(out long kk) ? (int)kk
            : runs.Select(r => r.Settings.TryGetValue(ClassificationConfig.Keys.Classes, out var s) && int.TryParse(s, CultureInfo.InvariantCulture, out int n) ? n : 0).FirstOrDefault(n => n > 0) is int fromRuns and > 0 ? fromRuns
            : new ClassificationConfig().ClassCount;
        long seed = spec.Seed.Value is >= 0 and <= int.MaxValue ? spec.Seed.Value : Math.Abs(spec.Seed.Value % int.MaxValue);
        double diameter = ParticleDiameterAngstrom(runs, table);
        string consensus = Path.Combine(outRel, "consensus.mrc");
        string I(double v) => v.ToString(CultureInfo.InvariantCulture);
        string[] reconstructArgs = ["--i", Path.GetFileName(star), "--o", consensus, "--ctf"];
        // Focused (the dataset's focus_mask): RELION's way, the consensus outside the mask subtracted from the images,
        // then the subtracted particles classified inside the mask.
        string? focus = dataset.FocusMaskFile is null ? null : Path.GetFullPath(dataset.FocusMaskFile);
        string outside = Path.Combine(outRel, "consensus_outside_focus.mrc"), subtracted = Path.Combine(outRel, "subtracted");
        string[] projectArgs = ["--i", outside, "--o", subtracted, "--ang", Path.GetFileName(star), "--subtract_exp", "--ctf", "--angpix", I(table.PixelSizeAngstrom)];
        string[] refineArgs =
        [
            "--i", focus is null ? Path.GetFileName(star) : subtracted + ".star", "--o", Path.Combine(outRel, "run"), "--ref", consensus, "--ini_high", "30", "--firstiter_cc",
            "--K", I(classes), "--iter", I(baseline.Iterations), "--skip_align", "--ctf", "--ctf_corrected_ref", "--tau2_fudge", "4",
            "--particle_diameter", I(diameter), "--flatten_solvent", "--zero_mask", "--pad", "2", "--dont_combine_weights_via_disc",
            "--random_seed", I(seed), "--j", I(baseline.Threads), .. focus is null ? Array.Empty<string>() : ["--solvent_mask", focus],
        ];
        string command = RefineProgram + " " + string.Join(' ', refineArgs);

        var existing = BaselineTable.Read(output);
        if (existing.Any(r => r.Baseline == Name && r.Command == command))
        {
            log($"baseline relion: done before ({BaselineTable.FileName}); not rerun");
            return;
        }
        log($"baseline relion: {command} (in {workDir})");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        Interruption.Kept = () => $"the sweep's runs and tables in {output} are kept; the RELION baseline was stopped and the same command runs it again";
        var clock = Stopwatch.StartNew();
        try
        {
            Run(reconstruct, reconstructArgs, workDir, Path.Combine(folder, ReconstructProgram + ".log"), cancel);
            if (focus is not null)
            {
                WriteOutsideFocus(Path.Combine(workDir, consensus), focus, Path.Combine(workDir, outside), table.PixelSizeAngstrom);
                Run(project, projectArgs, workDir, Path.Combine(folder, ProjectProgram + ".log"), cancel);
            }
            Run(refine, refineArgs, workDir, Path.Combine(folder, RefineProgram + ".log"), cancel);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (RelionFailedException e)
        {
            log($"baseline relion failed (the sweep's results stand; rerun to retry): {e.Message}");
            return;
        }
        double wall = clock.Elapsed.TotalSeconds;

        string data = Path.Combine(folder, $"run_it{baseline.Iterations:D3}_data.star");
        // relion_project writes the subtracted images in the input's row order: image r of its stack is particle r.
        int[] found = ClassesInFileOrder(data, table, focus is null ? null : RelionParticles.Read(Path.Combine(workDir, subtracted + ".star")).Images);
        var row = Score(found, classes, dataset.TruthFile, table) with { Seed = seed, WallSeconds = wall, Command = command };
        BaselineTable.Write(output, [.. existing.Where(r => r.Baseline != Name), row]);
        log(string.Create(CultureInfo.InvariantCulture,
            $"baseline relion: accuracy {(double.IsFinite(row.Accuracy) ? row.Accuracy.ToString("0.####", CultureInfo.InvariantCulture) : "n/a (no truth)")}, split ratio {row.SplitRatio:0.###}, {wall:0.0} s; {Path.Combine(output, BaselineTable.FileName)}"));
    }

    /// <summary>
    /// <paramref name="target"/> as RELION, running in <paramref name="workDirectory"/>, should be given it: relative
    /// (the recorded command then reads the same wherever the project is), unless a folder that the relative path climbs
    /// out of ("..") is a symbolic link, whose ".." is the parent of the link's target, not of the link: then absolute.
    /// </summary>
    internal static string PathFromWorkDirectory(string workDirectory, string target)
    {
        string relative = Path.GetRelativePath(workDirectory, target);
        int climbs = relative.Split(Path.DirectorySeparatorChar).TakeWhile(part => part == "..").Count();
        var dir = new DirectoryInfo(Path.GetFullPath(workDirectory));
        for (int i = 0; i < climbs && dir is not null; i++, dir = dir.Parent)
            if (dir.LinkTarget is not null) return Path.GetFullPath(target);
        return relative;
    }

    /// <summary>The sweep's finished runs in results.csv order; empty when the tables cannot be read.</summary>
    private static IReadOnlyList<RunRow> FinishedRuns(string output)
    {
        try
        {
            return SweepOutput.Load(output).Runs.Where(r => r.Finished).ToList();
        }
        catch (Exception e) when (e is IOException or Formats.DataFormatException or System.Text.Json.JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// RELION's --particle_diameter: twice the mask radius SweepLab's first finished run used (results.csv), so both
    /// see the same sphere; else 90% of the box.
    /// </summary>
    private static double ParticleDiameterAngstrom(IReadOnlyList<RunRow> runs, ParticleTable table)
    {
        foreach (var run in runs)
        {
            double radius = run.Metric(MaskRadiusMetric);
            if (double.IsFinite(radius) && radius > 0) return Math.Round(2 * radius, 1);
        }
        return Math.Round(0.9 * table.BoxSize * table.PixelSizeAngstrom, 1);
    }

    /// <summary>RELION's classes (0-based) in the input file's order: it writes its rows sorted, so they are matched by
    /// rlnImageName (<paramref name="imagesInInputOrder"/>: the names RELION classified, row r standing for particle r;
    /// the input's own names when null).</summary>
    internal static int[] ClassesInFileOrder(string dataStar, ParticleTable input, IReadOnlyList<Formats.ImageReference>? imagesInInputOrder = null)
    {
        if (!File.Exists(dataStar)) throw new RelionFailedException($"{RefineProgram} wrote no {dataStar}");
        var table = RelionParticles.Read(dataStar);
        var found = table.ClassIndices ?? throw new RelionFailedException($"{dataStar} has no rlnClassNumber");
        var names = imagesInInputOrder ?? input.Images;
        if (names.Count != input.Count) throw new RelionFailedException($"{names.Count} images for the {input.Count} particles of {input.SourcePath}");
        var fileIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < input.Count; i++) fileIndex.TryAdd(names[i].ToString(), i);
        var classes = Enumerable.Repeat(-1, input.Count).ToArray();
        for (int r = 0; r < table.Count; r++)
        {
            string name = table.Images[r].ToString();
            if (!fileIndex.TryGetValue(name, out int i)) throw new RelionFailedException($"{dataStar}: {name} is not a particle of {input.SourcePath}");
            classes[i] = found[r];
        }
        int missing = classes.Count(c => c < 0);
        if (missing > 0) throw new RelionFailedException($"{dataStar} lacks {missing} of the {input.Count} particles");
        return classes;
    }

    /// <summary>Accuracy under the best relabelling (the engine's own measure, <see cref="ClusteringAgreement"/>) over
    /// the particles the truth names, and the class balance; accuracy is NaN without truth.</summary>
    internal static BaselineRow Score(int[] classes, int classCount, string? truthFile, ParticleTable input)
    {
        int k = Math.Max(classCount, classes.DefaultIfEmpty(0).Max() + 1);
        var counts = new long[k];
        foreach (int c in classes) counts[c]++;
        double n = Math.Max(1, classes.Length);
        double split = counts.Max() == 0 ? 0 : counts.Min() / (double)counts.Max();
        double accuracy = double.NaN;
        if (truthFile is not null && File.Exists(truthFile))
        {
            var truth = SimulatedDatasetWriter.ReadTruthClasses(truthFile);
            var known = Enumerable.Range(0, input.Count).Where(i => truth.ContainsKey(input.Particles[i].ImageName)).ToArray();
            if (known.Length > 0)
            {
                var trueLabels = known.Select(i => truth[input.Particles[i].ImageName]).ToArray();
                var predicted = known.Select(i => classes[i]).ToArray();
                accuracy = ClusteringAgreement.BestPermutationAccuracy(trueLabels, predicted, trueLabels.Max() + 1, k).Accuracy;
            }
        }
        return new BaselineRow(Name, classCount, 0, accuracy, split, counts.Min() / n, 0, "");
    }

    /// <summary>consensus x (1 - mask): the signal RELION's focused classification subtracts from the images.</summary>
    private static void WriteOutsideFocus(string consensusFile, string maskFile, string outputFile, double pixelSizeAngstrom)
    {
        var (header, consensus) = Formats.Mrc.MrcFile.ReadVolume(consensusFile);
        var (maskHeader, mask) = Formats.Mrc.MrcFile.ReadVolume(maskFile);
        if (maskHeader.Nx != header.Nx || maskHeader.Ny != header.Ny || maskHeader.Nz != header.Nz)
            throw new RelionFailedException($"{maskFile} is {maskHeader.Nx} x {maskHeader.Ny} x {maskHeader.Nz}; the consensus is {header.Nx} x {header.Ny} x {header.Nz}");
        for (int i = 0; i < consensus.Length; i++) consensus[i] *= 1 - Math.Clamp(mask[i], 0f, 1f);
        Formats.Mrc.MrcFile.Write(outputFile, consensus, header.Nx, header.Ny, header.Nz, pixelSizeAngstrom, isStack: false);
    }

    internal static string? Find(string program, string? searchPath = null) =>
        (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    /// <summary>Runs a RELION program with its output in <paramref name="logFile"/>; Ctrl-C or SIGTERM kills it (and
    /// its threads) at once; a non-zero exit is a <see cref="RelionFailedException"/> with the log's tail.</summary>
    private static void Run(string program, string[] arguments, string workDir, string logFile, CancellationToken cancel)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        var log = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        void Kill()
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }
        process.Start();
        // The stop handler exits the process without unwinding this frame: kill RELION there too.
        using var onStop = Interruption.OnStop(Kill);
        using var onCancel = cancel.Register(Kill);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        string text;
        lock (log) text = log.ToString();
        File.WriteAllText(logFile, text);
        cancel.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            string tail = text.Length <= 1500 ? text : text[^1500..];
            throw new RelionFailedException($"{Path.GetFileName(program)} exited with {process.ExitCode} (log: {logFile}): {tail.Trim()}");
        }
    }

    private sealed class RelionFailedException(string message) : Exception(message);
}
