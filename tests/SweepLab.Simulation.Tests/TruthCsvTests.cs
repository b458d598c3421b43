using System.Globalization;
using System.Text;
using SweepLab.Formats;

namespace SweepLab.Simulation.Tests;

/// <summary>truth.csv: the bytes it has always had (header, round-trip reals, LF), read back with errors that name the line.</summary>
public class TruthCsvTests
{
    private static SimulatedDataset Tiny(int particles = 3) => ParticleSimulator.Simulate(new SimulationSettings
    {
        Particles = particles, BoxPixels = 16, PixelSizeAngstrom = 4.0, Snr = 0.5, Seed = 11, CoreBlobs = 8, ShiftSigmaAngstrom = 2, AmplitudeScaleSpread = 0.1,
    });

    /// <summary>Written by the hand-made writer this replaced (three particles of <see cref="Tiny"/>).</summary>
    private const string Expected =
        "rlnImageName,true_class_number,true_class_name,rot_deg,tilt_deg,psi_deg,origin_x_angstrom,origin_y_angstrom,defocus_u_angstrom,defocus_v_angstrom,defocus_angle_deg,amplitude_scale\n" +
        "000001@particles.mrcs,2,without_subunit,172.1718288731334,82.69524591627535,145.9637922114316,0.5327467686439333,2.211292189330503,18056.18,17756.56,22.414,0.8944961011548884\n" +
        "000002@particles.mrcs,1,with_subunit,67.68604087115082,105.83919663613058,-51.32150280743175,-4.272614902487044,0.19451895988475723,21611.79,21456.87,156.74,1.2057853556163356\n" +
        "000003@particles.mrcs,1,with_subunit,-71.15496065472851,163.47053110454593,-52.45828210127738,-2.684196808092586,0.005921730761029966,20168.3,20063.24,67.781,1.129444576877745\n";

    private static string Write(SimulatedDataset dataset)
    {
        var text = new StringWriter();
        SimulatedDatasetWriter.WriteTruth(text, dataset);
        return text.ToString();
    }

    /// <summary>The hand-made writer the CSV writer replaced, kept as the reference for its bytes.</summary>
    private static string Legacy(SimulatedDataset dataset)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder("rlnImageName,true_class_number,true_class_name,rot_deg,tilt_deg,psi_deg,origin_x_angstrom,origin_y_angstrom,defocus_u_angstrom,defocus_v_angstrom,defocus_angle_deg,amplitude_scale\n");
        for (int i = 0; i < dataset.Particles.Count; i++)
        {
            var p = dataset.Particles[i];
            var (rot, tilt, psi) = p.Rotation.ToRelionEulerDegrees();
            int k = dataset.TrueClass[i];
            text.Append(string.Join(',', p.ImageName, (k + 1).ToString(c), dataset.Phantoms[k].Name,
                rot.ToString("R", c), tilt.ToString("R", c), psi.ToString("R", c),
                p.OriginXAngstrom.ToString("R", c), p.OriginYAngstrom.ToString("R", c),
                p.Ctf.DefocusUAngstrom.ToString("R", c), p.Ctf.DefocusVAngstrom.ToString("R", c), p.Ctf.DefocusAngleDegrees.ToString("R", c),
                dataset.AmplitudeScale[i].ToString("R", c))).Append('\n');
        }
        return text.ToString();
    }

    [Fact]
    public void Writes_the_same_bytes_as_before_under_a_comma_decimal_culture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(Expected, Write(Tiny()));
            var larger = ParticleSimulator.Simulate(new SimulationSettings
            {
                Particles = 300, BoxPixels = 16, PixelSizeAngstrom = 4.0, Seed = 5, CoreBlobs = 8, ShiftSigmaAngstrom = 3, AmplitudeScaleSpread = 0.2,
                Preset = HeterogeneityPreset.Multiclass, Fractions = [0.4, 0.3, 0.2, 0.1],
            });
            Assert.Equal(Legacy(larger), Write(larger));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Reads_back_the_true_class_of_every_image()
    {
        var dataset = Tiny(40);
        using var dir = new TempFolder();
        string path = dir.Write("truth.csv", Write(dataset));
        var classes = SimulatedDatasetWriter.ReadTruthClasses(path);
        Assert.Equal(dataset.Particles.Select((p, i) => (p.ImageName, dataset.TrueClass[i])), classes.Select(p => (p.Key, p.Value)));
        // Names with a comma or a quote are quoted by the writer and read back whole.
        path = dir.Write("quoted.csv", "rlnImageName,true_class_number\n\"1@a,b.mrcs\",2\n\"2@say \"\"hi\"\".mrcs\",1\n");
        Assert.Equal([("1@a,b.mrcs", 1), ("2@say \"hi\".mrcs", 0)], SimulatedDatasetWriter.ReadTruthClasses(path).Select(p => (p.Key, p.Value)));
    }

    [Theory]
    [InlineData("", "empty", 1)]
    [InlineData("rlnImageName,class\n1@a.mrcs,1\n", "needs columns rlnImageName and true_class_number", 1)]
    [InlineData("rlnImageName,true_class_number\n1@a.mrcs,1\n2@a.mrcs,1,extra\n", "3 values where the header has 2", 3)]
    [InlineData("rlnImageName,true_class_number\n1@a.mrcs,1\n\n2@a.mrcs\n", "1 values where the header has 2", 4)]
    [InlineData("rlnImageName,true_class_number\n1@a.mrcs,0\n", "true_class_number '0' is not a class number >= 1", 2)]
    [InlineData("rlnImageName,true_class_number\n1@a.mrcs,1\n2@a.mrcs,two\n", "true_class_number 'two' is not a class number >= 1", 3)]
    [InlineData("rlnImageName,true_class_number\n1@a.mrcs,1\n\"2@a.mrcs,1\n", "malformed", 3)]
    public void Bad_input_names_file_and_line(string text, string problem, int line)
    {
        using var dir = new TempFolder();
        string path = dir.Write("truth.csv", text);
        var e = Assert.Throws<DataFormatException>(() => SimulatedDatasetWriter.ReadTruthClasses(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(problem, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith($"{path}, line {line}: ", e.Message);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("sweeplab-truth-").FullName;

        public string Write(string name, string text)
        {
            string path = System.IO.Path.Combine(Path, name);
            File.WriteAllText(path, text);
            return path;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
