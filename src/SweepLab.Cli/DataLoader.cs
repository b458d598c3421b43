using SweepLab.Core.Fourier;
using SweepLab.Core.Particles;
using SweepLab.Engine;
using SweepLab.Formats;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Preprocessing;
using SweepLab.Simulation;

namespace SweepLab.Cli;

/// <summary>Particles preprocessed once at one target resolution, with what else a classification may start from.</summary>
internal sealed record LoadedParticles(ParticleTable Table, ClassificationInput Input, string ParticleFile, string? TruthFile)
{
    public ParticleSet Set => Input.Particles;
}

/// <summary>Reads particles, truth, input maps and masks from the user's files into the engine's forms.</summary>
internal static class DataLoader
{
    public static LoadedParticles Load(string particleFile, double targetResolutionAngstrom, string? truthFile = null,
        IReadOnlyList<string>? inputVolumes = null, string? maskFile = null, Action<string>? log = null, string? cacheDirectory = null,
        string? focusMaskFile = null)
    {
        var table = ParticleFiles.Read(particleFile);
        return Load(table, particleFile, targetResolutionAngstrom, truthFile, inputVolumes, maskFile, log, cacheDirectory, focusMaskFile);
    }

    /// <param name="cacheDirectory">Where the preprocessed set is kept between runs (see <see cref="ParticleCache"/>); null = none.</param>
    /// <param name="focusMaskFile">A focus mask (MRC on the particles' box): the classes differ only inside it.</param>
    public static LoadedParticles Load(ParticleTable table, string particleFile, double targetResolutionAngstrom, string? truthFile = null,
        IReadOnlyList<string>? inputVolumes = null, string? maskFile = null, Action<string>? log = null, string? cacheDirectory = null,
        string? focusMaskFile = null)
    {
        if (targetResolutionAngstrom < 2 * table.PixelSizeAngstrom)
            throw new UserInputException($"target_resolution_angstrom {targetResolutionAngstrom} is finer than Nyquist (2 x {table.PixelSizeAngstrom} A) of {particleFile}");
        // The maps and masks first: a wrong file is named before the particles are preprocessed (minutes at scale).
        int n = table.BoxSize, m = new FourierCrop(n, table.PixelSizeAngstrom, targetResolutionAngstrom).CroppedBox;
        var initial = inputVolumes?.Select(path => ReadMap(path, n, m)).ToList();
        float[]? mask = maskFile is null ? null : ReadMask(maskFile, n, m);
        float[]? focus = focusMaskFile is null ? null : ReadMask(focusMaskFile, n, m);
        if (focus is not null && focus.All(v => v == 0)) throw new DataFormatException(focusMaskFile!, "focus mask is zero everywhere on the cropped box; the classes could not differ anywhere");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ParticleSet set;
        string how = "preprocessed";
        if (cacheDirectory is null) set = ParticleSetLoader.Load(table, targetResolutionAngstrom);
        else
        {
            var (cached, source, path) = ParticleCache.LoadOrCreate(table, targetResolutionAngstrom, cacheDirectory, log);
            set = cached;
            how = source == ParticleCache.Source.Cache ? $"loaded from {path}" : $"preprocessed (kept in {path})";
        }
        log?.Invoke($"{how}: {set.Count} particles in {clock.Elapsed.TotalSeconds:0.0} s: box {table.BoxSize} -> {set.Grid.CroppedBox} at {targetResolutionAngstrom} A, {set.PixelCount} Fourier pixels each, {set.DataBytes / (1 << 20)} MiB");
        if (set.Grid.CroppedBox != m) throw new InvalidOperationException($"preprocessing cropped to {set.Grid.CroppedBox}, the maps to {m}");
        int[]? truth = null;
        IReadOnlyList<float[]>? trueVolumes = null;
        if (truthFile is not null)
        {
            if (!File.Exists(truthFile)) throw new FileNotFoundException($"{truthFile}: truth file not found");
            var classes = SimulatedDatasetWriter.ReadTruthClasses(truthFile);
            truth = set.Particles.Select(p => classes.TryGetValue(p.ImageName, out int k) ? k : -1).ToArray();
            if (truth.All(k => k < 0))
                throw new DataFormatException(truthFile, $"no rlnImageName of {particleFile} appears in it");
            // Accuracy over part of the set would be reported as if over all of it: every particle needs its class.
            int unnamed = truth.Count(k => k < 0);
            if (unnamed > 0)
            {
                int first = Array.FindIndex(truth, k => k < 0);
                throw new DataFormatException(truthFile, $"names {truth.Length - unnamed} of the {truth.Length} particles of {particleFile}; missing e.g. '{set.Particles[first].ImageName}' (accuracy needs every particle's true class)");
            }
            string folder = Path.GetDirectoryName(Path.GetFullPath(truthFile))!;
            var maps = Enumerable.Range(0, 64).Select(k => Path.Combine(folder, SimulatedDatasetWriter.TruthMapFileName(k))).TakeWhile(File.Exists).ToList();
            if (maps.Count > 0)
            {
                int highest = truth.Max();
                if (highest >= maps.Count)
                    throw new DataFormatException(truthFile, $"true class {highest + 1} has no map: {folder} holds {SimulatedDatasetWriter.TruthMapFileName(0)} .. {SimulatedDatasetWriter.TruthMapFileName(maps.Count - 1)}");
                trueVolumes = maps.Select(path => ReadMap(path, n, m)).ToList();
            }
        }
        return new LoadedParticles(table, new ClassificationInput(set, truth, trueVolumes, initial, mask, focus), particleFile, truthFile);
    }

    /// <summary>A map on the particles' box, as the engine's centred cropped transform.</summary>
    private static float[] ReadMap(string path, int n, int m)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: map not found");
        var (header, data) = MrcFile.ReadVolume(path);
        if (header.Nx != n || header.Ny != n || header.Nz != n)
            throw new DataFormatException(path, $"map is {header.Nx} x {header.Ny} x {header.Nz}; the particles need {n}^3");
        return FourierVolume.FromRealSpace(data, n, m);
    }

    /// <summary>A real-space mask on the particles' box, resampled to the cropped box by Fourier cropping, clamped to [0, 1].</summary>
    private static float[] ReadMask(string path, int n, int m)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: mask not found");
        var (header, data) = MrcFile.ReadVolume(path);
        if (header.Nx != n || header.Ny != n || header.Nz != n)
            throw new DataFormatException(path, $"mask is {header.Nx} x {header.Ny} x {header.Nz}; the particles need {n}^3");
        return VolumeOperations.ResampleMask(data, n, m);
    }
}
