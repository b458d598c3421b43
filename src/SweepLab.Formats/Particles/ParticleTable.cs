using SweepLab.Core.Ctf;
using SweepLab.Core.Particles;
using SweepLab.Formats.Star;

namespace SweepLab.Formats.Particles;

/// <summary>How to read a particle file (RELION or cryoSPARC).</summary>
/// <param name="CtfAbsent">The data carry no CTF (simulated without one, or already corrected): CTF fields are
/// not required and every particle gets <see cref="ParticleTable.UnitCtf"/>.</param>
/// <param name="ProjectDirectory">Where relative image paths are looked up after the metadata file's folder
/// (RELION's or cryoSPARC's project directory); the working directory when null.</param>
public sealed record ParticleReadOptions(bool CtfAbsent = false, string? ProjectDirectory = null);

/// <summary>Where a particle table came from; decides how results are written back.</summary>
public enum ParticleTableFormat
{
    /// <summary>RELION 3.0 and earlier: one table, optics values per particle.</summary>
    Relion30,

    /// <summary>RELION 3.1 and later: data_optics joined with data_particles on rlnOpticsGroup.</summary>
    Relion31,

    /// <summary>A cryoSPARC .cs file (NumPy structured array).</summary>
    CryoSparc,
}

/// <summary>
/// One optics group in SweepLab's units. <see cref="Number"/> is RELION's rlnOpticsGroup (1-based, an identifier
/// rather than an index); cryoSPARC's 0-based ctf/exp_group_id maps to Number = id + 1, as pyem does.
/// </summary>
public sealed record OpticsGroupInfo(
    int Number,
    string Name,
    double VoltageKilovolt,
    double SphericalAberrationMillimetre,
    double AmplitudeContrast,
    double PixelSizeAngstrom,
    int BoxSize);

/// <summary>
/// Particles read from a RELION STAR or cryoSPARC .cs file, in file order, converted to SweepLab's conventions
/// (RELION rotation matrices, origins in Angstrom with RELION 3.1's sign, 0-based class indices). Everything a
/// classification needs is checked when the table is read, so a bad value fails here with its file and line.
/// </summary>
public sealed record ParticleTable
{
    public required string SourcePath { get; init; }
    public required ParticleTableFormat Format { get; init; }
    public required IReadOnlyList<ParticleInfo> Particles { get; init; }

    /// <summary>The stack section of each particle (index 0-based).</summary>
    public required IReadOnlyList<ImageReference> Images { get; init; }

    /// <summary>0-based class of each particle when the file had one (rlnClassNumber - 1, alignments3D/class);
    /// null when it had none.</summary>
    public IReadOnlyList<int>? ClassIndices { get; init; }

    /// <summary>The pixel size of the images as stored (all optics groups must agree).</summary>
    public required double PixelSizeAngstrom { get; init; }

    /// <summary>The box (image side) in pixels as stored.</summary>
    public required int BoxSize { get; init; }

    public required IReadOnlyList<OpticsGroupInfo> OpticsGroups { get; init; }

    /// <summary>The parsed STAR file (RELION input only), so unknown columns can be written back.</summary>
    public StarDocument? SourceDocument { get; init; }

    /// <summary>True when the caller declared the data CTF-free; every particle then carries
    /// <see cref="UnitCtf"/>.</summary>
    public bool CtfAbsent { get; init; }

    /// <summary>The project directory given when reading, if any.</summary>
    public string? ProjectDirectory { get; init; }

    public int Count => Particles.Count;

    /// <summary>
    /// The image file of particle <paramref name="particle"/>: an absolute path as it is, else the first existing of
    /// the metadata file's folder, the project directory (argument, else the one given when reading, else the
    /// working directory) and, for cryoSPARC, the folder above the job folder that holds the .cs file (cryoSPARC
    /// writes paths relative to its project directory, e.g. "J12/extract/...").
    /// </summary>
    public string ResolveImagePath(int particle, string? projectDirectory = null)
    {
        var directories = new List<string> { projectDirectory ?? ProjectDirectory ?? Directory.GetCurrentDirectory() };
        if (Format == ParticleTableFormat.CryoSparc)
        {
            string? jobFolder = Path.GetDirectoryName(Path.GetFullPath(SourcePath));
            string? project = jobFolder is null ? null : Path.GetDirectoryName(jobFolder);
            if (project is not null) directories.Add(project);
        }
        return Images[particle].ResolveAmong(SourcePath, directories);
    }

    /// <summary>
    /// CTF parameters whose RELION CTF is exactly 1 at every frequency: no defocus, no Cs, no amplitude contrast
    /// and a 90 degree phase shift, so CTF = -sin(0 - pi/2) = 1. Used for data without CTF (or already corrected).
    /// </summary>
    public static CtfParameters UnitCtf(double voltageKilovolt = 300) =>
        new(0, 0, 0, voltageKilovolt, 0, 0, phaseShiftDegrees: 90);
}

/// <summary>
/// A column to add to (or replace in) a particle table when writing; values in row order. Names are STAR labels
/// without the underscore (e.g. "rlnClassNumber", or a custom "swlEffectiveClassCount").
/// </summary>
public sealed record StarColumn(string Name, IReadOnlyList<string> Values)
{
    public static StarColumn FromDoubles(string name, IReadOnlyList<double> values) =>
        new(name, values.Select(InvariantNumbers.Format).ToArray());

    public static StarColumn FromInts(string name, IReadOnlyList<int> values) =>
        new(name, values.Select(InvariantNumbers.Format).ToArray());

    /// <summary>rlnClassNumber from SweepLab's 0-based class indices (RELION counts from 1).</summary>
    public static StarColumn ClassNumbers(IReadOnlyList<int> zeroBasedClasses)
    {
        ArgumentNullException.ThrowIfNull(zeroBasedClasses);
        var values = new string[zeroBasedClasses.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (zeroBasedClasses[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(zeroBasedClasses), $"class index {zeroBasedClasses[i]} of particle {i} is negative");
            values[i] = InvariantNumbers.Format(zeroBasedClasses[i] + 1);
        }
        return new StarColumn(RelionLabels.ClassNumber, values);
    }

    /// <summary>rlnMaxValueProbDistribution: the largest class posterior of each particle.</summary>
    public static StarColumn MaxValueProbDistribution(IReadOnlyList<double> maxPosterior) =>
        FromDoubles(RelionLabels.MaxValueProbDistribution, maxPosterior);
}
