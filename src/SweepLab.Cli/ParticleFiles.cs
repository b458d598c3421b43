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

    public static IEnumerable<string> Columns(ParticleTable table)
    {
        if (table.SourceDocument is { } doc)
            return doc.Blocks.Where(b => b.Loop is not null).SelectMany(b => b.Loop!.Columns.Select(c => $"{b.Name}:{c}"));
        return ["(cryoSPARC fields)"];
    }
}
