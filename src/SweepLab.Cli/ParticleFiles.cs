using SweepLab.Formats;
using SweepLab.Formats.Particles;

namespace SweepLab.Cli;

/// <summary>Reads a particle file by its kind; the CLI's one entry to RELION and cryoSPARC metadata.</summary>
internal static class ParticleFiles
{
    public static ParticleTable Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: particle file not found");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".star" => RelionParticles.Read(path),
            ".cs" => CryoSparcParticles.Read(path),
            _ => throw new UserInputException($"{path}: expected a RELION .star or a cryoSPARC .cs file"),
        };
    }

    /// <summary>
    /// Checks, before any run, that every image file the table names exists and holds the images asked of it (a
    /// sweep over a missing .mrcs failed every run, with the cause only in the journal). One header read per file.
    /// </summary>
    public static void CheckImages(ParticleTable table)
    {
        var firstByFile = new Dictionary<string, int>(StringComparer.Ordinal);
        var highest = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < table.Count; i++)
        {
            var image = table.Images[i];
            firstByFile.TryAdd(image.Path, i);
            if (!highest.TryGetValue(image.Path, out int h) || image.Index > h) highest[image.Path] = image.Index;
        }
        foreach (var (name, particle) in firstByFile)
        {
            string path = table.ResolveImagePath(particle);
            var header = Formats.Mrc.MrcFile.ReadHeader(path);
            int needed = highest[name] + 1;
            if (needed > header.Nz)
                throw new Formats.DataFormatException(table.SourcePath, $"image {needed}@{name}: {path} holds only {header.Nz} images");
        }
    }

    public static IEnumerable<string> Columns(ParticleTable table)
    {
        if (table.SourceDocument is { } doc)
            return doc.Blocks.Where(b => b.Loop is not null).SelectMany(b => b.Loop!.Columns.Select(c => $"{b.Name}:{c}"));
        return ["(cryoSPARC fields)"];
    }
}
