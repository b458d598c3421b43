using System.Diagnostics;
using SweepLab.Formats.Star;

namespace SweepLab.Formats.Tests;

public class StarTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Sample = """
        # version 30001
        # a comment line

        data_general

        _rlnFinalResolution   4.5   # trailing comment
        _rlnTitle  "two words"

        data_optics

        loop_
        _rlnOpticsGroupName #1
        _rlnOpticsGroup #2
        _rlnVoltage #3
        opticsGroup1 1 300.000000
        'group two'  2 200.000000

        data_particles

        loop_ 
        _rlnImageName #1
        _rlnComment #2
        _unknownColumn #3
        000001@Extract/job007/a.mrcs  "it's here"  1.5
        # a comment between rows

        000002@Extract/job007/a.mrcs  'say "hi" now'  -2.25e-3   # row comment
        000003@Extract/job007/a.mrcs  ""  x
        """;

    [Fact]
    public void ParsesBlocksPairsLoopsQuotesAndComments()
    {
        var doc = StarReader.Parse(Sample, "sample.star");
        Assert.Equal(["general", "optics", "particles"], doc.Blocks.Select(b => b.Name));
        var general = doc.Find("general")!;
        Assert.Null(general.Loop);
        Assert.Equal("4.5", general.GetPair("rlnFinalResolution"));
        Assert.Equal("two words", general.GetPair("rlnTitle"));
        var optics = doc.Find("optics")!.Loop!;
        Assert.Equal(["rlnOpticsGroupName", "rlnOpticsGroup", "rlnVoltage"], optics.Columns);
        Assert.Equal("group two", optics[1, 0]);
        var p = doc.Find("particles")!.Loop!;
        Assert.Equal(3, p.RowCount);
        Assert.Equal("it's here", p[0, 1]);
        Assert.Equal("say \"hi\" now", p[1, 1]);
        Assert.Equal("", p[2, 1]);
        Assert.Equal("-2.25e-3", p[1, 2]);
        Assert.Equal(24, p.LineNumber(0));
        Assert.Equal(27, p.LineNumber(1));
        Assert.Equal(28, p.LineNumber(2));
    }

    [Fact]
    public void RoundTripGivesAnIdenticalDocumentAndStableText()
    {
        using var dir = new TempDir();
        var doc = StarReader.Parse(Sample, "sample.star");
        string path = dir.File("out.star");
        StarWriter.Write(path, doc);
        var again = StarReader.Read(path);
        Assert.True(doc.ContentEquals(again));
        string first = File.ReadAllText(path);
        StarWriter.Write(path, again);
        Assert.Equal(first, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("tab\tinside")]
    [InlineData("_looks_like_a_label")]
    [InlineData("#not_a_comment")]
    [InlineData("data_lookalike")]
    [InlineData("LOOP_upper")]
    [InlineData("'starts with quote")]
    [InlineData("\"dq\" then space")]
    [InlineData("it's")]
    [InlineData("a\"b' c")]
    [InlineData("$dollar")]
    [InlineData("x\"")]
    public void AnyValueSurvivesARoundTrip(string value)
    {
        var doc = new StarDocument();
        var block = doc.Add(new StarBlock("t", new StarLoop(["a", "b"])));
        block.Pairs.Add(new("key", value));
        block.Loop!.AddRow([value, "1"]);
        var back = StarReader.Parse(StarWriter.ToText(doc), "t.star");
        Assert.True(doc.ContentEquals(back), StarWriter.ToText(doc));
        Assert.Equal(value, back.Find("t")!.Loop![0, 0]);
        Assert.Equal(value, back.Find("t")!.GetPair("key"));
    }

    [Fact]
    public void UnwritableValuesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => StarWriter.Quote("a\" b' c\" d"));
        Assert.Throws<ArgumentException>(() => StarWriter.Quote("two\nlines"));
    }

    [Theory]
    [InlineData("data_x\nloop_\n_a\n_b\n1 2\n3\n", 6, "1 values; data_x has 2 columns")]
    [InlineData("data_x\nloop_\n_a\n_b\n1 2\n3 4 5\n", 6, "3 values")]
    [InlineData("data_x\nloop_\n_a\n1\n\"open 2\n", 5, "unterminated")]
    [InlineData("data_x\nloop_\n_a\n_a\n", 4, "appears twice")]
    [InlineData("1 2 3\n", 1, "outside a loop_")]
    [InlineData("data_x\n_key\n", 2, "has no value")]
    [InlineData("data_x\n_key 1 2\n", 2, "a key-value pair takes one")]
    [InlineData("data_x\nloop_\n_a\n1\nloop_\n_b\n", 5, "second loop_")]
    [InlineData("loop_\n_a\n", 1, "before any data_")]
    public void MalformedTextNamesFileAndLine(string text, int line, string fragment)
    {
        var e = Assert.Throws<DataFormatException>(() => StarReader.Parse(text, "/data/bad.star"));
        Assert.Equal("/data/bad.star", e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.StartsWith($"/data/bad.star, line {line}:", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void MissingFileIsADataFormatError()
    {
        var e = Assert.Throws<DataFormatException>(() => StarReader.Read("/nonexistent/x.star"));
        Assert.Equal("/nonexistent/x.star", e.FilePath);
    }

    [Fact]
    public void ColumnsCanBeAddedReplacedAndRemoved()
    {
        var loop = new StarLoop(["a", "b"]);
        loop.AddRow(["1", "2"]);
        loop.AddRow(["3", "4"]);
        loop.SetColumn("b", ["x", "y"]);
        loop.SetColumn("c", ["5", "6"]);
        Assert.Equal(["a", "b", "c"], loop.Columns);
        Assert.Equal("y", loop[1, 1]);
        Assert.True(loop.RemoveColumn("a"));
        Assert.Equal(["b", "c"], loop.Columns);
        Assert.Equal(1, loop.ColumnIndex("c"));
        Assert.Equal("6", loop[1, 1]);
        Assert.Throws<ArgumentException>(() => loop.SetColumn("d", ["only one"]));
    }

    /// <summary>A 4,000-particle RELION 3.1 file with 30 columns, as Refine3D writes.</summary>
    internal static string LargeParticleStar(int rows)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("# version 30001\n\ndata_optics\n\nloop_\n_rlnOpticsGroupName #1\n_rlnOpticsGroup #2\n_rlnMicrographOriginalPixelSize #3\n")
          .Append("_rlnVoltage #4\n_rlnSphericalAberration #5\n_rlnAmplitudeContrast #6\n_rlnImagePixelSize #7\n_rlnImageSize #8\n_rlnImageDimensionality #9\n")
          .Append("opticsGroup1 1 0.885000 300.000000 2.700000 0.100000 1.770000 128 2\n\n\ndata_particles\n\nloop_\n");
        string[] cols = ["rlnCoordinateX", "rlnCoordinateY", "rlnAutopickFigureOfMerit", "rlnClassNumber", "rlnAnglePsi", "rlnImageName",
            "rlnMicrographName", "rlnOpticsGroup", "rlnCtfMaxResolution", "rlnCtfFigureOfMerit", "rlnDefocusU", "rlnDefocusV",
            "rlnDefocusAngle", "rlnCtfBfactor", "rlnCtfScalefactor", "rlnPhaseShift", "rlnGroupNumber", "rlnAngleRot", "rlnAngleTilt",
            "rlnOriginXAngst", "rlnOriginYAngst", "rlnNormCorrection", "rlnLogLikeliContribution", "rlnMaxValueProbDistribution",
            "rlnNrOfSignificantSamples", "rlnRandomSubset", "rlnHelicalTubeID", "rlnAngleRotPrior", "rlnAngleTiltPrior", "rlnAnglePsiPrior"];
        for (int c = 0; c < cols.Length; c++) sb.Append('_').Append(cols[c]).Append(" #").Append(c + 1).Append('\n');
        var r = new TestRandom(99);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        for (int i = 0; i < rows; i++)
        {
            double F(double lo, double hi) => r.Uniform(lo, hi);
            sb.Append(string.Format(inv,
                "{0,12:F6} {1,12:F6} {2,12:F6} {3,4} {4,12:F6} {5:D6}@Extract/job012/Movies/mic{6:D4}.mrcs MotionCorr/job002/Movies/mic{6:D4}.mrc 1 {7,12:F6} {8,12:F6} " +
                "{9,12:F6} {10,12:F6} {11,12:F6} 0.000000 1.000000 0.000000 {6} {12,12:F6} {13,12:F6} {14,12:F6} {15,12:F6} 0.998000 12345.678900 0.256000 14 {16} 1 0.000000 90.000000 0.000000\n",
                F(0, 4000), F(0, 4000), F(0, 5), 1 + i % 3, F(-180, 180), i % 300 + 1, i / 300, F(3, 8), F(0, 1),
                F(8000, 25000), F(8000, 25000), F(-180, 180), F(-180, 180), F(0, 180), F(-8, 8), F(-8, 8), 1 + i % 2));
        }
        return sb.ToString();
    }

    [Fact]
    public void FourThousandRowsParseWellUnder100Milliseconds()
    {
        string text = LargeParticleStar(4000);
        StarReader.Parse(text, "warm.star"); // JIT warm-up
        long best = long.MaxValue;
        for (int k = 0; k < 3; k++)
        {
            var sw = Stopwatch.StartNew();
            var doc = StarReader.Parse(text, "big.star");
            sw.Stop();
            Assert.Equal(4000, doc.Find("particles")!.Loop!.RowCount);
            best = Math.Min(best, sw.ElapsedTicks);
        }
        double ms = best * 1000.0 / Stopwatch.Frequency;
        output.WriteLine($"StarReader.Parse, 4,000 rows x 30 columns: best of 3 = {ms:F1} ms");
        Assert.True(ms < 100, $"parsing 4,000 rows took {ms:F1} ms");
    }
}
