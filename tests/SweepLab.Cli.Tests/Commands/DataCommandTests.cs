using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>simulate, inspect and classify end to end through the real program, including bad input.</summary>
public class DataCommandTests
{
    private static string[] SmallSimulation(string dir, string seed = "3") =>
        ["simulate", "--out", dir, "--particles", "400", "--box", "32", "--pixel-size", "6", "--snr", "0.3", "--subunit-mass", "0.3", "--seed", seed];

    [Fact]
    public void SimulateWritesRelionAndCryoSparcFilesThatReadBackAlike()
    {
        using var temp = new TempFolder();
        var outcome = CliRunner.Run(temp.Path, SmallSimulation("data"));
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        foreach (string f in new[] { "particles.star", "particles.mrcs", "particles.cs", "truth.csv", "truth_class_001.mrc", "truth_class_002.mrc" })
            Assert.True(File.Exists(Path.Combine(temp.Path, "data", f)), f);
        var star = RelionParticles.Read(Path.Combine(temp.Path, "data", "particles.star"));
        var cs = CryoSparcParticles.Read(Path.Combine(temp.Path, "data", "particles.cs"));
        Assert.Equal(400, star.Count);
        Assert.Equal(star.Count, cs.Count);
        for (int i = 0; i < star.Count; i++)
            Assert.True(star.Particles[i].Rotation.MaxAbsDifference(cs.Particles[i].Rotation) < 1e-5, $"particle {i}");
        Assert.Equal(400, MrcFile.ReadHeader(Path.Combine(temp.Path, "data", "particles.mrcs")).Nz);

        // Same seed, same bytes; another seed, other particles.
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("again")).ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Path, "data", "particles.mrcs")), File.ReadAllBytes(Path.Combine(temp.Path, "again", "particles.mrcs")));
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("other", seed: "4")).ExitCode);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(temp.Path, "data", "particles.mrcs")), File.ReadAllBytes(Path.Combine(temp.Path, "other", "particles.mrcs")));
    }

    [Fact]
    public void PosesCanComeFromAnotherParticleFile()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("first")).ExitCode);
        var outcome = CliRunner.Run(temp.Path, "simulate", "--out", "second", "--particles", "100", "--box", "32", "--pixel-size", "6", "--seed", "9", "--poses-from", "first/particles.star");
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        var first = RelionParticles.Read(Path.Combine(temp.Path, "first", "particles.star"));
        var second = RelionParticles.Read(Path.Combine(temp.Path, "second", "particles.star"));
        for (int i = 0; i < 100; i++) Assert.True(first.Particles[i].Rotation.MaxAbsDifference(second.Particles[i].Rotation) < 1e-5);
        Assert.NotEqual(first.Particles[0].Ctf.DefocusUAngstrom, second.Particles[0].Ctf.DefocusUAngstrom);
        var tooFew = CliRunner.Run(temp.Path, "simulate", "--out", "third", "--particles", "1000", "--poses-from", "first/particles.star");
        Assert.Equal(2, tooFew.ExitCode);
        Assert.Contains("--poses-from", tooFew.Stderr);
    }

    [Theory]
    [InlineData("--fractions", "0.7,0.4", "--fractions")]
    [InlineData("--snr", "0", "--snr")]
    [InlineData("--box", "8", "--box")]
    [InlineData("--preset", "banana", "--preset")]
    public void SimulateRefusesBadArgumentsNamingTheOption(string option, string value, string named)
    {
        using var temp = new TempFolder();
        var outcome = CliRunner.Run(temp.Path, "simulate", "--out", "data", option, value);
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Contains(named, outcome.Stderr);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "data")) && Directory.EnumerateFiles(Path.Combine(temp.Path, "data")).Any(), "nothing may be written");
    }

    [Fact]
    public void InspectSummarisesStarAndCsAlike()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("data")).ExitCode);
        var star = CliRunner.Run(temp.Path, "inspect", "data/particles.star", "--target-resolution", "15");
        var cs = CliRunner.Run(temp.Path, "inspect", "data/particles.cs", "--target-resolution", "15");
        Assert.Equal(0, star.ExitCode);
        Assert.Equal(0, cs.ExitCode);
        Assert.Contains("particles         400", star.Stdout);
        Assert.Contains("pixel size        6 A", star.Stdout);
        Assert.Contains("crop at 15 A     box 26 px", star.Stdout); // radius floor(32*6/15) = 12, box 2*(12+1)
        Assert.Contains("crop at 15 A     box 26 px", cs.Stdout);
        Assert.Contains("rlnDefocusU", star.Stdout);
    }

    [Fact]
    public void ClassifyWritesFilesRelionReadsAndRecoversTheClasses()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("data")).ExitCode);
        var outcome = CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.star", "--out", "class", "--truth", "data/truth.csv",
            "--classes", "2", "--target-resolution", "15", "--batch-size-per-class", "100", "--init-subset-size", "100", "--anneal-end", "5", "--seed", "1");
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        Assert.Contains("device:", outcome.Stderr);
        var result = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "class", "result.json"))).RootElement;
        Assert.True(result.GetProperty("metrics").GetProperty("accuracy").GetDouble() >= 0.95);
        Assert.Equal("2", result.GetProperty("config").GetProperty("classes").GetString());
        Assert.Contains("Pocl", result.GetProperty("device").GetString());
        var particles = RelionParticles.Read(Path.Combine(temp.Path, "class", "particles.star"));
        Assert.Equal(400, particles.Count);
        Assert.NotNull(particles.ClassIndices);
        var header = MrcFile.ReadHeader(Path.Combine(temp.Path, "class", "class_001.mrc"));
        Assert.Equal(32, header.Nx);
        Assert.Equal(6.0, header.PixelSizeAngstrom!.Value, 6);
        var iterations = File.ReadAllLines(Path.Combine(temp.Path, "class", "iterations.csv"));
        Assert.StartsWith("iteration,epoch,full_batch", iterations[0]);
        Assert.True(iterations.Length > 5);
    }

    [Fact]
    public void ClassifyWithACacheLoadsTheSecondTimeAndGivesTheSameResult()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("data")).ExitCode);
        string[] Classify(string output) => ["classify", "--particles", "data/particles.star", "--out", output, "--cache", "cache", "--classes", "2",
            "--target-resolution", "15", "--batch-size-per-class", "100", "--init-subset-size", "100", "--anneal-end", "5", "--seed", "1"];
        var first = CliRunner.Run(temp.Path, Classify("first"));
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("preprocessed (kept in", first.Stderr);
        var second = CliRunner.Run(temp.Path, Classify("second"));
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("loaded from", second.Stderr);
        Assert.Single(Directory.GetFiles(temp.File("cache"), "particles-*.slcache"));
        Assert.Equal(File.ReadAllBytes(temp.File("first/particles.star")), File.ReadAllBytes(temp.File("second/particles.star")));
        Assert.Equal(File.ReadAllBytes(temp.File("first/class_001.mrc")), File.ReadAllBytes(temp.File("second/class_001.mrc")));
        // A --cache that cannot be a folder is refused before any work.
        File.WriteAllText(temp.File("blocked"), "a file");
        var refused = CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.star", "--out", "third", "--cache", "blocked");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--cache", refused.Stderr);
        Assert.False(Directory.Exists(temp.File("third")));
    }

    [Theory]
    [InlineData("--classes", "1", "classes")]
    [InlineData("--class-similarity", "1.5", "class_similarity")]
    [InlineData("--batch-size-per-class", "0", "batch_size_per_class")]
    [InlineData("--target-resolution", "5", "target_resolution_angstrom")]
    [InlineData("--hard", "sometimes", "hard_classification")]
    public void ClassifyRefusesInvalidSettingsBeforeAnyWork(string option, string value, string key)
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("data")).ExitCode);
        var outcome = CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.star", "--out", "class", option, value);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(key, outcome.Stderr);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "class")));
    }

    [Fact]
    public void BadInputFilesGiveOneClearErrorNamingTheFile()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, SmallSimulation("data")).ExitCode);
        // Truncate the stack: the error names the file, nothing is written.
        string stack = Path.Combine(temp.Path, "data", "particles.mrcs");
        var bytes = File.ReadAllBytes(stack);
        File.WriteAllBytes(stack, bytes[..(bytes.Length / 2)]);
        var truncated = CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.star", "--out", "class", "--target-resolution", "15",
            "--batch-size-per-class", "100", "--init-subset-size", "100", "--anneal-end", "5");
        Assert.Equal(2, truncated.ExitCode);
        Assert.Contains("particles.mrcs", truncated.Stderr);
        Assert.DoesNotContain("   at ", truncated.Stderr);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "class")));

        var missing = CliRunner.Run(temp.Path, "inspect", "data/nothing.star");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nothing.star", missing.Stderr);

        File.WriteAllText(Path.Combine(temp.Path, "bad.star"), "data_particles\nloop_\n_rlnImageName #1\n_rlnAngleRot #2\n1@x.mrcs 10\n2@x.mrcs\n");
        var badStar = CliRunner.Run(temp.Path, "inspect", "bad.star");
        Assert.Equal(2, badStar.ExitCode);
        Assert.Contains("bad.star", badStar.Stderr);
        Assert.Contains("line", badStar.Stderr);
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        using var temp = new TempFolder();
        foreach (string command in new[] { "inspect", "simulate", "classify", "plan", "run", "status" })
        {
            var outcome = CliRunner.Run(temp.Path, command, "--help");
            Assert.Contains("Usage", outcome.Stdout + outcome.Stderr);
        }
    }
}
