using SweepLab.Core.Geometry;
using SweepLab.Core.IO;
using System.Globalization;
using System.Text;
using CsvHelper;
using SweepLab.Formats;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;

namespace SweepLab.Simulation;

/// <summary>
/// Writes a simulated dataset as a user would get it from RELION or cryoSPARC: a RELION 3.1 STAR file with one MRCS
/// stack, the same particles as a cryoSPARC .cs, the true maps as MRC, and the truth per particle as CSV (keyed by
/// rlnImageName) and as a STAR column. Files are staged in a hidden folder and moved in at the end, so a failure
/// leaves no half-written dataset.
/// </summary>
public static class SimulatedDatasetWriter
{
    public const string StackFileName = "particles.mrcs";
    public const string StarFileName = "particles.star";
    public const string CryoSparcFileName = "particles.cs";
    public const string TruthFileName = "truth.csv";
    /// <summary>STAR column with the true class (1-based like rlnClassNumber); RELION keeps unknown labels.</summary>
    public const string TrueClassLabel = "slTrueClassNumber";

    public static string TruthMapFileName(int classIndex) => $"truth_class_{classIndex + 1:D3}.mrc";

    public static IReadOnlyList<string> Write(string directory, SimulatedDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return WriteFiles(directory, dataset.Settings, stack =>
        {
            for (int i = 0; i < dataset.Particles.Count; i++) stack.Append(dataset.Image(i));
            return dataset;
        });
    }

    /// <summary>
    /// Simulates and writes in one pass without holding the images (<see cref="ParticleSimulator.SimulateStreamed"/>):
    /// the same files, byte for byte, as <see cref="Write(string, SimulatedDataset)"/> of <see cref="ParticleSimulator.Simulate"/>,
    /// for sets larger than memory. Returns the files and the dataset's metadata (its Images empty).
    /// <paramref name="started"/> is called once the staging folder and the stack file exist (from then on a stop
    /// that removes the staging folder leaves nothing behind).
    /// </summary>
    public static (IReadOnlyList<string> Files, SimulatedDataset Dataset) Simulate(string directory, SimulationSettings settings,
        IReadOnlyList<Rotation>? poses = null, int chunkParticles = 0, Action? started = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.EnsureValid();
        int box = settings.BoxPixels;
        SimulatedDataset? metadata = null;
        var files = WriteFiles(directory, settings, stack =>
        {
            started?.Invoke();
            return metadata = ParticleSimulator.SimulateStreamed(settings, images =>
            {
                for (int start = 0; start < images.Length; start += box * box) stack.Append(images.Slice(start, box * box));
            }, poses, chunkParticles);
        });
        return (files, metadata!);
    }

    /// <summary>
    /// The hidden folder beside <paramref name="directory"/> where this process stages a dataset, so that nothing
    /// appears at the target until every file is complete. A program stopped part-way removes it with
    /// <see cref="RemoveStaging"/> (a streamed simulation may take hours; only the final renames hold a stop back).
    /// </summary>
    public static string StagingFolder(string directory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string parent = Path.GetDirectoryName(full) ?? full;
        return Path.Combine(parent, $".staging-{Path.GetFileName(full)}-{Environment.ProcessId}");
    }

    /// <summary>Removes this process's staging folder for <paramref name="directory"/>; failing to is harmless (it is never read).</summary>
    public static void RemoveStaging(string directory)
    {
        try
        {
            string staging = StagingFolder(directory);
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Every file of a dataset into the staging folder, then moved into place; <paramref name="writeStack"/> fills the stack and returns the metadata.</summary>
    private static IReadOnlyList<string> WriteFiles(string directory, SimulationSettings s, Func<MrcStackWriter, SimulatedDataset> writeStack)
    {
        string staging = StagingFolder(directory);
        RemoveStaging(directory);
        Directory.CreateDirectory(staging);
        try
        {
            int box = s.BoxPixels;
            SimulatedDataset dataset;
            using (var stack = new MrcStackWriter(Path.Combine(staging, StackFileName), box, box, s.PixelSizeAngstrom))
            {
                dataset = writeStack(stack);
                stack.Complete();
            }
            var optics = new[] { new OpticsGroupInfo(1, "opticsGroup1", s.VoltageKilovolt, s.SphericalAberrationMillimetre, s.AmplitudeContrast, s.PixelSizeAngstrom, box) };
            var trueClassNumbers = dataset.TrueClass.Select(c => c + 1).ToArray();
            RelionParticles.WriteNew(Path.Combine(staging, StarFileName), dataset.Particles, optics, [StarColumn.FromInts(TrueClassLabel, trueClassNumbers)]);
            CryoSparcParticles.Write(Path.Combine(staging, CryoSparcFileName), dataset.Particles, optics);
            for (int k = 0; k < dataset.Phantoms.Count; k++)
                MrcFile.Write(Path.Combine(staging, TruthMapFileName(k)), dataset.Phantoms[k].Render(box, s.PixelSizeAngstrom), box, box, box, s.PixelSizeAngstrom, isStack: false);
            AtomicFile.Write(Path.Combine(staging, TruthFileName), stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
                WriteTruth(writer, dataset);
            });
            // Only the renames must not be cut: the folder then holds the whole set or the one before.
            using var section = ExitGate.Enter();
            Directory.CreateDirectory(directory);
            var written = new List<string>();
            foreach (string file in Directory.GetFiles(staging).Order(StringComparer.Ordinal))
            {
                string target = Path.Combine(directory, Path.GetFileName(file));
                File.Move(file, target, overwrite: true);
                written.Add(target);
            }
            return written;
        }
        finally
        {
            RemoveStaging(directory);
        }
    }

    private static readonly string[] TruthColumns =
    [
        "rlnImageName", "true_class_number", "true_class_name", "rot_deg", "tilt_deg", "psi_deg", "origin_x_angstrom", "origin_y_angstrom",
        "defocus_u_angstrom", "defocus_v_angstrom", "defocus_angle_deg", "amplitude_scale",
    ];

    private static readonly CsvWriterOptions TruthWriting = CsvWriterOptions.Default with { NewLine = "\n" };

    /// <summary>Empty lines are skipped; broken quoting is an error on its line.</summary>
    private static readonly CsvReaderOptions TruthReading = CsvReaderOptions.Default with
    {
        TrackLineNumbers = true, MalformedData = CsvMalformedDataHandling.Throw,
    };

    /// <summary>One row per particle: what generated it. Invariant culture, round-trippable numbers, LF line ends; a
    /// field is quoted only when it holds a comma, quote or line break (never, for the names the simulator gives).</summary>
    public static void WriteTruth(TextWriter writer, SimulatedDataset dataset)
    {
        var c = CultureInfo.InvariantCulture;
        using var csv = CsvWriter.Create(writer, TruthWriting, leaveOpen: true);
        csv.WriteRecord(TruthColumns);
        for (int i = 0; i < dataset.Particles.Count; i++)
        {
            var p = dataset.Particles[i];
            var (rot, tilt, psi) = p.Rotation.ToRelionEulerDegrees();
            int k = dataset.TrueClass[i];
            csv.WriteRecord([p.ImageName, (k + 1).ToString(c), dataset.Phantoms[k].Name,
                rot.ToString("R", c), tilt.ToString("R", c), psi.ToString("R", c),
                p.OriginXAngstrom.ToString("R", c), p.OriginYAngstrom.ToString("R", c),
                p.Ctf.DefocusUAngstrom.ToString("R", c), p.Ctf.DefocusVAngstrom.ToString("R", c), p.Ctf.DefocusAngleDegrees.ToString("R", c),
                dataset.AmplitudeScale[i].ToString("R", c)]);
        }
    }

    /// <summary>Reads truth.csv back: the 0-based true class of each rlnImageName (other columns may be absent).</summary>
    /// <exception cref="DataFormatException">Naming the file and line: no header, a missing column, a record of the
    /// wrong width, broken quoting, or a class number that is not an integer &gt;= 1.</exception>
    public static IReadOnlyDictionary<string, int> ReadTruthClasses(string path)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        using var csv = CsvReader.FromFile(path, TruthReading);
        try
        {
            var columns = csv.Headers;
            if (columns.Count == 0) throw new DataFormatException(path, "empty truth file (no header)", 1);
            int nameColumn = IndexOf(columns, "rlnImageName"), classColumn = IndexOf(columns, "true_class_number");
            if (nameColumn < 0 || classColumn < 0) throw new DataFormatException(path, "needs columns rlnImageName and true_class_number", 1);
            while (csv.Read())
            {
                int line = (int)csv.LineNumber;
                if (csv.FieldCount != columns.Count) throw new DataFormatException(path, $"{csv.FieldCount} values where the header has {columns.Count}", line);
                string cell = csv.GetString(classColumn);
                if (!int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) || number < 1)
                    throw new DataFormatException(path, $"true_class_number '{cell}' is not a class number >= 1", line);
                result[csv.GetString(nameColumn)] = number - 1;
            }
        }
        catch (CsvFormatException e)
        {
            throw new DataFormatException(path, $"malformed CSV: {e.Message}", e.LineNumber > 0 ? (int)e.LineNumber : null, innerException: e);
        }
        return result;
    }

    private static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (int i = 0; i < columns.Count; i++)
            if (columns[i] == name) return i;
        return -1;
    }
}
