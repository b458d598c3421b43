using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SweepLab.Core.Ctf;
using SweepLab.Core.Geometry;
using SweepLab.Core.Particles;
using SweepLab.Formats.Mrc;
using SweepLab.Formats.Particles;
using SweepLab.Formats.Star;

namespace SweepLab.Formats.Tests;

/// <summary>RELION 3.1 (Debian's relion package) as an independent reader and writer of our files.</summary>
public class RelionInteropTests
{
    private static string? FindTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private static string Run(string tool, string arguments, string workingDirectory)
    {
        var psi = new ProcessStartInfo(tool, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(RelionTool.HangWatchdog), $"{tool} hung: not done after {RelionTool.HangWatchdog.TotalMinutes:0} minutes");
        Assert.True(p.ExitCode == 0, $"{tool} {arguments} failed ({p.ExitCode}): {stdout} {stderr.Result}");
        return stdout + stderr.Result;
    }

    [SkippableFact]
    public void RelionReadsOurStarAndMrcAndWeReadWhatItWrites()
    {
        string? starHandler = FindTool("relion_star_handler");
        string? imageHandler = FindTool("relion_image_handler");
        Skip.If(starHandler is null || imageHandler is null, "RELION (relion_star_handler, relion_image_handler) is not installed");
        using var dir = new TempDir();

        const int box = 33, n = 4;
        var pixels = new float[box * box * n];
        var r = new TestRandom(12);
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (float)r.Uniform(-2, 3);
        MrcFile.Write(dir.File("stack.mrcs"), pixels, box, box, n, 1.75, isStack: true);

        var optics = new OpticsGroupInfo(1, "opticsGroup1", 300, 2.7, 0.1, 1.75, box);
        var particles = Enumerable.Range(0, n).Select(i => new ParticleInfo($"{i + 1:D6}@stack.mrcs",
            Rotation.FromRelionEulerDegrees(r.Uniform(-180, 180), r.Uniform(1, 179), r.Uniform(-180, 180)),
            Math.Round(r.Uniform(-4, 4), 3), Math.Round(r.Uniform(-4, 4), 3),
            new CtfParameters(Math.Round(r.Uniform(8000, 20000), 2), 9000.5, -20.25, 300, 2.7, 0.1, 0, 0, 1), 1)).ToList();
        RelionParticles.WriteNew(dir.File("ours.star"), particles, [optics],
            [StarColumn.ClassNumbers([0, 1, 1, 0]), StarColumn.FromDoubles("swlEffectiveClassCount", [1.5, 1.25, 2, 1])]);

        // RELION parses our STAR file and writes its own (%12.6f numbers); we read that back.
        Run(starHandler!, "--i ours.star --o relion.star", dir.Path);
        var back = RelionParticles.Read(dir.File("relion.star"));
        Assert.Equal([0, 1, 1, 0], back.ClassIndices);
        var custom = StarReader.Read(dir.File("relion.star")).Find("particles")!.Loop!;
        Assert.Equal([1.5, 1.25, 2, 1], custom.Column(custom.ColumnIndex("swlEffectiveClassCount")).Select(s => double.Parse(s, CultureInfo.InvariantCulture)));
        for (int i = 0; i < n; i++)
        {
            var (a, b) = (particles[i], back.Particles[i]);
            Assert.Equal(a.ImageName, b.ImageName);
            Assert.True(a.Rotation.MaxAbsDifference(b.Rotation) < 1e-6);
            Assert.Equal(a.OriginXAngstrom, b.OriginXAngstrom, 6);
            Assert.Equal(a.Ctf, b.Ctf);
        }

        // RELION reads our stack: per-image mean and pixel size agree with ours.
        string stats = Run(imageHandler!, "--i ours.star --stats", dir.Path);
        var means = Regex.Matches(stats, @"avg=\s*(\S+)").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(n, means.Count);
        for (int i = 0; i < n; i++)
            Assert.Equal(pixels.AsSpan(i * box * box, box * box).ToArray().Average(v => (double)v), means[i], 4);
        Assert.Contains("angpix = 1.75", stats);

        // RELION writes a stack; we read its header and pixels.
        Run(imageHandler!, "--i stack.mrcs --o copy.mrcs", dir.Path);
        var (header, copy) = MrcFile.ReadVolume(dir.File("copy.mrcs"));
        Assert.Equal((box, box, n), (header.Nx, header.Ny, header.Nz));
        Assert.Equal(1.75, header.PixelSizeAngstrom!.Value, 5);
        Assert.Equal(pixels, copy);
    }
}
