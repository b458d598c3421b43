using SweepLab.Formats.Star;

namespace SweepLab.Formats.Tests;

public class StarTests
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

    [Fact]
    public void FourThousandRowsOfThirtyColumnsParseCompletely()
    {
        // Values and counts only: speed is measured by scripts/bench.sh preprocess, beside a raw read of the same file.
        var doc = StarReader.Parse(Refine3DStar.Text(4000), "big.star");
        var loop = doc.Find("particles")!.Loop!;
        Assert.Equal((4000, Refine3DStar.ParticleColumns), (loop.RowCount, loop.Columns.Count));
        Assert.Equal(9, doc.Find("optics")!.Loop!.Columns.Count);
        int name = loop.ColumnIndex("rlnImageName"), klass = loop.ColumnIndex("rlnClassNumber"), prior = loop.ColumnIndex("rlnAnglePsiPrior");
        foreach (int row in (int[])[0, 1, 299, 300, 3999])
        {
            Assert.Equal(Refine3DStar.ImageName(row), loop[row, name]);
            Assert.Equal((Refine3DStar.ClassIndex(row) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), loop[row, klass]);
            Assert.Equal("0.000000", loop[row, prior]);
        }
    }
}
