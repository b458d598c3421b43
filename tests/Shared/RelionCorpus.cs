using System.Diagnostics;
using System.Globalization;
using SweepLab.Core.Ctf;
using SweepLab.Core.IO;
using SweepLab.Core.Particles;
using SweepLab.Core.Random;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using SweepLab.Simulation;

namespace SweepLab.TestSupport.Relion;

/// <summary>
/// One level of the RELION corpus: K classes that differ by extra density (a subunit of
/// <paramref name="SubunitMassFraction"/> of the whole complex's mass), imaged by relion_project at
/// <paramref name="Snr"/> (SweepLab's definition: mean over particles of the noise-free image's variance over the whole
/// box, divided by the noise variance per pixel). Compare levels by <see cref="Canonical"/>: the record's own equality
/// compares <paramref name="Fractions"/> by reference.
/// </summary>
/// <param name="Fractions">Class fractions, one per class, summing to 1; class 1 carries the subunit (K = 2) or
/// subunit A (K &gt;= 3, SweepLab's multiclass preset: class k carries subunit k, the last class is the core alone).</param>
public sealed record CorpusLevel(
    string Name,
    int ClassCount,
    IReadOnlyList<double> Fractions,
    double SubunitMassFraction,
    double Snr,
    int Particles = 4000,
    int BoxPixels = 64,
    double PixelSizeAngstrom = 3.5,
    ulong Seed = 11)
{
    /// <summary>K = 2, 60/40, a subunit of 10% of the mass, SNR 0.20.</summary>
    public static CorpusLevel Easy { get; } = new("easy", 2, [0.6, 0.4], 0.10, 0.20);

    /// <summary>K = 2, 60/40, 7%, SNR 0.095.</summary>
    public static CorpusLevel Medium { get; } = new("medium", 2, [0.6, 0.4], 0.07, 0.095);

    /// <summary>K = 3, 60/30/10: core + subunit A, core + subunit B, core alone; each subunit 10% of its complex's mass.</summary>
    public static CorpusLevel K3 { get; } = new("k3", 3, [0.6, 0.3, 0.1], 0.10, 0.20);

    /// <summary>K = 2, 60/40, 3.5%, SNR 0.05.</summary>
    public static CorpusLevel Hard { get; } = new("hard", 2, [0.6, 0.4], 0.035, 0.05);

    /// <summary>Medium on a 128 px box at 1.75 A/px: the same particle (224 A box) sampled twice as finely.</summary>
    public static CorpusLevel Medium128 { get; } = Medium with { Name = "medium128", BoxPixels = 128, PixelSizeAngstrom = 1.75 };

    /// <summary>The standard levels, by difficulty (names fixed: scripts and tables refer to them).</summary>
    public static IReadOnlyList<CorpusLevel> Standard { get; } = [Easy, Medium, K3, Hard, Medium128];

    public static CorpusLevel Named(string name) =>
        Standard.FirstOrDefault(l => l.Name == name)
        ?? throw new ArgumentException($"unknown corpus level '{name}'; the levels are {string.Join(", ", Standard.Select(l => l.Name))}");

    /// <summary>RELION's --particle_diameter: about 80% of the box width, rounded to 10 A (180 A for 64 px at 3.5 A/px).</summary>
    public double ParticleDiameterAngstrom => 10 * Math.Round(0.08 * BoxPixels * PixelSizeAngstrom);

    /// <summary>Every setting that changes the corpus's bytes, in one line: equal text, equal corpus.</summary>
    public string Canonical
    {
        get
        {
            static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            return $"name={Name};classes={ClassCount};fractions={string.Join('/', Fractions.Select(F))};subunit_mass_fraction={F(SubunitMassFraction)};" +
                $"snr={F(Snr)};particles={Particles};box_pixels={BoxPixels};pixel_size_angstrom={F(PixelSizeAngstrom)};seed={Seed};" +
                $"corpus_format={RelionCorpus.FormatVersion}";
        }
    }

    /// <summary>The phantom settings of SweepLab's simulator that give this level's class maps (its particle and noise
    /// settings are not used for the images, which relion_project makes).</summary>
    public SimulationSettings PhantomSettings => new()
    {
        Preset = ClassCount == 2 ? HeterogeneityPreset.Compositional : HeterogeneityPreset.Multiclass,
        Particles = Particles,
        BoxPixels = BoxPixels,
        PixelSizeAngstrom = PixelSizeAngstrom,
        Snr = Snr,
        Fractions = Fractions,
        Seed = Seed,
        SubunitMassFraction = SubunitMassFraction,
        DefocusMinAngstrom = RelionCorpus.DefocusMinAngstrom,
        DefocusMaxAngstrom = RelionCorpus.DefocusMaxAngstrom,
        AstigmatismAngstrom = RelionCorpus.AstigmatismMaxAngstrom,
        VoltageKilovolt = RelionCorpus.VoltageKilovolt,
        SphericalAberrationMillimetre = RelionCorpus.SphericalAberrationMillimetre,
        AmplitudeContrast = RelionCorpus.AmplitudeContrast,
    };

    /// <summary>All problems at once.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            errors.Add($"name '{Name}': letters, digits, '-' and '_' only (it names a folder)");
        if (Fractions.Count != ClassCount) errors.Add($"{Fractions.Count} fractions for {ClassCount} classes");
        if (ClassCount is < 2 or > 6) errors.Add($"classes: 2 to 6 (got {ClassCount})");
        errors.AddRange(PhantomSettings.Validate());
        return errors;
    }

    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException($"corpus level {Name}:\n  " + string.Join("\n  ", errors));
    }
}

/// <summary>
/// A built corpus level on disk: what <see cref="SimulatedDatasetWriter"/> writes for a simulated set (particles.star
/// + particles.mrcs, particles.cs, truth.csv, truth_class_NNN.mrc), plus consensus.mrc and relion_project's noise-free
/// stacks. <see cref="TrueClasses"/> are 0-based, in file order (particle i is image i + 1 of particles.mrcs).
/// </summary>
public sealed record RelionCorpusDataset(
    CorpusLevel Level,
    string Folder,
    IReadOnlyList<string> ClassNames,
    int[] TrueClasses,
    double SignalVariance,
    double NoiseSigma)
{
    public int Count => TrueClasses.Length;
    public int ClassCount => Level.ClassCount;
    public string StarPath => Path.Combine(Folder, SimulatedDatasetWriter.StarFileName);
    public string StackPath => Path.Combine(Folder, SimulatedDatasetWriter.StackFileName);
    public string TruthPath => Path.Combine(Folder, SimulatedDatasetWriter.TruthFileName);
    public string ConsensusPath => Path.Combine(Folder, RelionCorpus.ConsensusFileName);
    public string TruthMapPath(int classIndex) => Path.Combine(Folder, SimulatedDatasetWriter.TruthMapFileName(classIndex));
    public IReadOnlyList<string> TruthMapPaths => Enumerable.Range(0, ClassCount).Select(TruthMapPath).ToList();

    /// <summary>relion_project's noise-free, CTF-modulated projections of class k, for the particles of that class in file order.</summary>
    public string ProjectionStackPath(int classIndex) => Path.Combine(Folder, RelionCorpus.ProjectionFolder, RelionCorpus.ProjectionName(classIndex) + ".mrcs");
}

/// <summary>RELION's classification of a corpus level: its classes in file order and the wall time of relion_refine.</summary>
public sealed record RelionRefineResult(int Seed, int[] Classes, double WallSeconds, string OutputFolder, string Command);

/// <summary>
/// Builds test particles with RELION's own projector (relion_project) from SweepLab's phantom maps, so the engine is
/// judged on images it did not make: class labels, uniform poses and CTFs are drawn here (seeded, counter-based), each
/// class map is projected by relion_project with --ctf, and white Gaussian noise is added here (keyed by seed, stream,
/// particle and pixel, so it never repeats between levels or runs as relion_project's --add_noise would). The same
/// level gives the same bytes.
/// </summary>
public static class RelionCorpus
{
    /// <summary>Bumped whenever a change here changes a corpus's bytes, so stale folders are rebuilt, not reused.</summary>
    public const int FormatVersion = 1;

    public const string ConsensusFileName = "consensus.mrc";
    public const string ManifestFileName = "corpus.txt";
    public const string ProjectionFolder = "relion_project";

    public const double VoltageKilovolt = 300;
    public const double SphericalAberrationMillimetre = 2.7;
    public const double AmplitudeContrast = 0.1;
    public const double DefocusMinAngstrom = 10000;
    public const double DefocusMaxAngstrom = 25000;
    /// <summary>|defocus U - defocus V| is drawn uniformly below this.</summary>
    public const double AstigmatismMaxAngstrom = 300;

    /// <summary>The corpus's own random streams (the simulator uses 1-7), so no draw here repeats one of SweepLab's simulations.</summary>
    public const uint StreamLabels = 101, StreamPose = 102, StreamCtf = 103, StreamNoise = 104;

    /// <summary>relion_refine --iter of <see cref="RunRelionRefine"/>.</summary>
    public const int RelionIterations = 20;

    /// <summary>Hang watchdog for full-size corpus jobs (4,000 particles at 128 px take RELION many minutes on 2 cores).</summary>
    public static readonly TimeSpan LongJobWatchdog = TimeSpan.FromHours(1);

    public static string ImageName(int particle) => $"{particle + 1:D6}@{SimulatedDatasetWriter.StackFileName}";

    internal static string ProjectionName(int classIndex) => $"proj_{classIndex + 1:D3}";

    /// <summary>The level in <paramref name="folder"/> when it was built completely with the same settings; else a fresh build.</summary>
    public static RelionCorpusDataset BuildOrReuse(string folder, CorpusLevel level, out bool reused)
    {
        var existing = TryOpen(folder, level);
        reused = existing is not null;
        return existing ?? Build(folder, level);
    }

    /// <summary>The level in <paramref name="folder"/>, or null when it is missing, incomplete or built with other settings.</summary>
    public static RelionCorpusDataset? TryOpen(string folder, CorpusLevel level)
    {
        string manifest = Path.Combine(folder, ManifestFileName);
        if (!File.Exists(manifest)) return null;
        var values = File.ReadAllLines(manifest).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!values.TryGetValue("level", out string? canonical) || canonical != level.Canonical) return null;
        var dataset = new RelionCorpusDataset(level, Path.GetFullPath(folder), [], [],
            double.Parse(values["signal_variance"], CultureInfo.InvariantCulture), double.Parse(values["noise_sigma"], CultureInfo.InvariantCulture));
        string[] required = [dataset.StarPath, dataset.StackPath, dataset.TruthPath, dataset.ConsensusPath, .. dataset.TruthMapPaths];
        if (!required.All(File.Exists)) return null;
        var truth = SimulatedDatasetWriter.ReadTruthClasses(dataset.TruthPath);
        var classes = new int[level.Particles];
        for (int i = 0; i < classes.Length; i++)
            if (!truth.TryGetValue(ImageName(i), out classes[i])) return null;
        var names = PhantomFactory.Create(level.PhantomSettings).Select(p => p.Name).ToList();
        return dataset with { ClassNames = names, TrueClasses = classes };
    }

    /// <summary>Builds (or rebuilds) the level in <paramref name="folder"/>; see the class summary for the steps.</summary>
    public static RelionCorpusDataset Build(string folder, CorpusLevel level)
    {
        level.EnsureValid();
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        string manifest = Path.Combine(folder, ManifestFileName);
        // Gone first, so an interrupted build is never taken for a finished one.
        File.Delete(manifest);
        var settings = level.PhantomSettings;
        var phantoms = PhantomFactory.Create(settings);
        int n = level.Particles, box = level.BoxPixels, k = level.ClassCount, pixels = box * box;
        double pixel = level.PixelSizeAngstrom;

        // a. The class maps and their fraction-weighted mean (what a consensus refinement of all particles approaches).
        var consensus = new float[box * box * box];
        for (int c = 0; c < k; c++)
        {
            var map = phantoms[c].Render(box, pixel);
            MrcFile.Write(Path.Combine(folder, SimulatedDatasetWriter.TruthMapFileName(c)), map, box, box, box, pixel, isStack: false);
            for (int v = 0; v < map.Length; v++) consensus[v] += (float)(level.Fractions[c] * map[v]);
        }
        MrcFile.Write(Path.Combine(folder, ConsensusFileName), consensus, box, box, box, pixel, isStack: false);

        // b. Labels in a shuffled file order, poses and CTFs, then relion_project per class.
        var labels = DrawLabels(level);
        var particles = new ParticleInfo[n];
        for (int i = 0; i < n; i++) particles[i] = new ParticleInfo(ImageName(i), DrawPose(level.Seed, i), 0, 0, DrawCtf(level.Seed, i));
        var optics = new OpticsGroupInfo(1, "opticsGroup1", VoltageKilovolt, SphericalAberrationMillimetre, AmplitudeContrast, pixel, box);
        string projections = Path.Combine(folder, ProjectionFolder);
        Directory.CreateDirectory(projections);
        var images = new float[(long)n * pixels];
        for (int c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, n).Where(i => labels[i] == c).ToArray();
            string name = ProjectionName(c), star = $"class_{c + 1:D3}.star";
            RelionParticles.WriteNew(Path.Combine(projections, star), members.Select(i => particles[i]).ToList(), [optics]);
            RelionTool.Run("relion_project",
                ["--i", Path.Combine("..", SimulatedDatasetWriter.TruthMapFileName(c)), "--o", name, "--ang", star, "--ctf"],
                projections, LongJobWatchdog);
            string stack = Path.Combine(projections, name + ".mrcs");
            var (header, projected) = MrcFile.ReadVolume(stack);
            if (header.Nx != box || header.Ny != box || header.Nz != members.Length)
                throw new InvalidOperationException($"relion_project wrote {header.Nx} x {header.Ny} x {header.Nz} for {members.Length} particles of {box} px");
            // Rewritten unchanged but for the header: RELION stamps the date into its label, and the folder must be byte-reproducible.
            MrcFile.Write(stack, projected, box, box, members.Length, pixel, isStack: true);
            for (int j = 0; j < members.Length; j++)
                projected.AsSpan(j * pixels, pixels).CopyTo(images.AsSpan(members[j] * pixels, pixels));
        }

        // c. Noise at the requested SNR, keyed by (seed, stream, particle, pixel).
        double signalVariance = 0;
        for (int i = 0; i < n; i++) signalVariance += Variance(images.AsSpan(i * pixels, pixels));
        signalVariance /= n;
        double noiseSigma = Math.Sqrt(signalVariance / level.Snr);
        Parallel.For(0, n, i =>
        {
            var image = images.AsSpan(i * pixels, pixels);
            for (int p = 0; p < pixels; p++)
                image[p] += (float)(noiseSigma * CounterRng.NextNormal(level.Seed, StreamNoise, (ulong)i, (uint)p));
        });

        // Written by the simulator's own writer, so the files are exactly what `sweeplab simulate` gives (truth.csv, slTrueClassNumber).
        var dataset = new SimulatedDataset(settings, phantoms, particles, labels, Enumerable.Repeat(1.0, n).ToArray(), images, signalVariance, noiseSigma);
        SimulatedDatasetWriter.Write(folder, dataset);
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        AtomicFile.WriteAllText(manifest,
            "# A RELION corpus level (tests/Shared/RelionCorpus.cs): the images are relion_project's, the noise SweepLab's.\n" +
            $"level={level.Canonical}\nclass_names={string.Join(',', phantoms.Select(p => p.Name))}\n" +
            $"signal_variance={F(signalVariance)}\nnoise_sigma={F(noiseSigma)}\n");
        return new RelionCorpusDataset(level, folder, phantoms.Select(p => p.Name).ToList(), labels, signalVariance, noiseSigma);
    }

    /// <summary>relion_project's noise-free images of every particle, in file order (n x box x box).</summary>
    public static float[] ReadNoiseFreeImages(RelionCorpusDataset dataset)
    {
        int box = dataset.Level.BoxPixels, pixels = box * box;
        var images = new float[(long)dataset.Count * pixels];
        for (int c = 0; c < dataset.ClassCount; c++)
        {
            var members = Enumerable.Range(0, dataset.Count).Where(i => dataset.TrueClasses[i] == c).ToArray();
            var (_, projected) = MrcFile.ReadVolume(dataset.ProjectionStackPath(c));
            for (int j = 0; j < members.Length; j++)
                projected.AsSpan(j * pixels, pixels).CopyTo(images.AsSpan(members[j] * pixels, pixels));
        }
        return images;
    }

    /// <summary>
    /// RELION 3.1's Class3D without alignment on the level, started from consensus.mrc low-passed to 30 A, in
    /// <c>relion_s{seed}/</c> of the level's folder (replaced if present); classes read back by rlnImageName
    /// (RELION sorts its rows), 0-based in file order.
    /// With <paramref name="focusMaskFile"/> (a real-space mask on the level's box), RELION's focused classification
    /// as its users run it, in <c>relion_focus_s{seed}/</c>: the consensus outside the mask, projected with each
    /// particle's pose and CTF, is subtracted from the images (relion_project --subtract_exp), and the subtracted
    /// particles are classified with the mask as --solvent_mask.
    /// </summary>
    public static RelionRefineResult RunRelionRefine(RelionCorpusDataset dataset, int seed, int threads = 2, string? focusMaskFile = null)
    {
        string outName = focusMaskFile is null ? $"relion_s{seed}" : $"relion_focus_s{seed}";
        string outFolder = Path.Combine(dataset.Folder, outName);
        if (Directory.Exists(outFolder)) Directory.Delete(outFolder, recursive: true);
        Directory.CreateDirectory(outFolder);
        string I(double v) => v.ToString(CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        string particles = SimulatedDatasetWriter.StarFileName;
        string[] focus = [];
        if (focusMaskFile is not null)
        {
            particles = SubtractOutsideFocus(dataset, Path.GetFullPath(focusMaskFile), outName);
            focus = ["--solvent_mask", Path.GetFullPath(focusMaskFile)];
        }
        string[] arguments =
        [
            "--i", particles, "--o", $"{outName}/run", "--ref", ConsensusFileName, "--ini_high", "30",
            "--K", I(dataset.ClassCount), "--iter", I(RelionIterations), "--skip_align", "--ctf", "--ctf_corrected_ref", "--firstiter_cc",
            "--tau2_fudge", "4", "--particle_diameter", I(dataset.Level.ParticleDiameterAngstrom), "--flatten_solvent", "--zero_mask",
            "--pad", "2", "--dont_combine_weights_via_disc", "--random_seed", I(seed), "--j", I(threads), .. focus,
        ];
        string log = RelionTool.Run("relion_refine", arguments, dataset.Folder, LongJobWatchdog);
        double wall = clock.Elapsed.TotalSeconds;
        File.WriteAllText(Path.Combine(outFolder, "relion_refine.log"), log);
        string data = Path.Combine(outFolder, $"run_it{RelionIterations:D3}_data.star");
        var table = RelionParticles.Read(data);
        var found = table.ClassIndices ?? throw new InvalidOperationException($"{data} has no rlnClassNumber");
        var classes = Enumerable.Repeat(-1, dataset.Count).ToArray();
        for (int r = 0; r < table.Count; r++)
        {
            // Image i + 1 of a stack in file order is particle i, in the level's stack and in a subtracted copy alike.
            var image = table.Images[r];
            int i = image.Index;
            if (i < 0 || i >= dataset.Count) throw new InvalidOperationException($"{data}: {image} is not a particle of {dataset.StarPath}");
            classes[i] = found[r];
        }
        if (classes.Contains(-1)) throw new InvalidOperationException($"{data} lacks {classes.Count(c => c < 0)} of the {dataset.Count} particles");
        return new RelionRefineResult(seed, classes, wall, outFolder, "relion_refine " + string.Join(' ', arguments));
    }

    /// <summary>
    /// RELION's signal subtraction for focused classification: consensus x (1 - mask), projected at each particle's
    /// pose with its CTF by relion_project --subtract_exp, taken from the images. Returns the subtracted particles' STAR
    /// file, relative to the level's folder.
    /// </summary>
    private static string SubtractOutsideFocus(RelionCorpusDataset dataset, string focusMaskFile, string outName)
    {
        var (header, consensus) = MrcFile.ReadVolume(dataset.ConsensusPath);
        var (maskHeader, mask) = MrcFile.ReadVolume(focusMaskFile);
        if (maskHeader.Nx != header.Nx || maskHeader.Ny != header.Ny || maskHeader.Nz != header.Nz)
            throw new InvalidOperationException($"{focusMaskFile} is {maskHeader.Nx} x {maskHeader.Ny} x {maskHeader.Nz}; the level's maps are {header.Nx}^3");
        var outside = new float[consensus.Length];
        for (int i = 0; i < outside.Length; i++) outside[i] = consensus[i] * (1 - Math.Clamp(mask[i], 0f, 1f));
        string outsideMap = $"{outName}/consensus_outside_focus.mrc";
        MrcFile.Write(Path.Combine(dataset.Folder, outsideMap), outside, header.Nx, header.Ny, header.Nz, dataset.Level.PixelSizeAngstrom, isStack: false);
        RelionTool.Run("relion_project", ["--i", outsideMap, "--o", $"{outName}/subtracted", "--ang", SimulatedDatasetWriter.StarFileName,
            "--subtract_exp", "--ctf", "--angpix", dataset.Level.PixelSizeAngstrom.ToString(CultureInfo.InvariantCulture)], dataset.Folder, LongJobWatchdog);
        return $"{outName}/subtracted.star";
    }

    /// <summary>Exact class counts (largest remainders, ties to the lower class), then a seeded Fisher-Yates shuffle.</summary>
    internal static int[] DrawLabels(CorpusLevel level)
    {
        int n = level.Particles;
        var f = level.Fractions;
        var counts = f.Select(x => (int)Math.Floor(x * n)).ToArray();
        var byRemainder = Enumerable.Range(0, f.Count).OrderByDescending(c => f[c] * n - counts[c]).ThenBy(c => c).ToArray();
        for (int r = 0, missing = n - counts.Sum(); r < missing; r++) counts[byRemainder[r % byRemainder.Length]]++;
        var labels = new int[n];
        for (int c = 0, at = 0; c < counts.Length; c++) for (int j = 0; j < counts[c]; j++) labels[at++] = c;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)CounterRng.NextBelow(level.Seed, StreamLabels, (ulong)i, 0, (ulong)(i + 1));
            (labels[i], labels[j]) = (labels[j], labels[i]);
        }
        return labels;
    }

    /// <summary>A uniform pose on SO(3) (Shoemake), keyed by particle.</summary>
    private static SweepLab.Core.Geometry.Rotation DrawPose(ulong seed, int particle)
    {
        var rng = new SimulationRandom(seed, StreamPose);
        return SimulationRandom.UniformRotation(rng.Uniform(particle, 0), rng.Uniform(particle, 1), rng.Uniform(particle, 2));
    }

    /// <summary>Defocus U uniform in [1.0, 2.5] um, V = U minus an astigmatism uniform below 300 A, angle uniform in
    /// [0, 180) degrees; rounded as a STAR file keeps them, so the truth in memory equals what RELION reads.</summary>
    private static CtfParameters DrawCtf(ulong seed, int particle)
    {
        var rng = new SimulationRandom(seed, StreamCtf);
        double u = DefocusMinAngstrom + (DefocusMaxAngstrom - DefocusMinAngstrom) * rng.Uniform(particle, 0);
        double v = u - AstigmatismMaxAngstrom * rng.Uniform(particle, 1);
        double angle = 180 * rng.Uniform(particle, 2);
        return new CtfParameters(Math.Round(u, 2), Math.Round(v, 2), Math.Round(angle, 3), VoltageKilovolt, SphericalAberrationMillimetre, AmplitudeContrast);
    }

    private static double Variance(ReadOnlySpan<float> values)
    {
        double sum = 0, sum2 = 0;
        foreach (float v in values) { sum += v; sum2 += (double)v * v; }
        double mean = sum / values.Length;
        return sum2 / values.Length - mean * mean;
    }
}
