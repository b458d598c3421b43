using System.Diagnostics;
using System.Globalization;
using SweepLab.Formats.Npy;
using SweepLab.Formats.Particles;

namespace SweepLab.Cli.Tests.Commands;

/// <summary>A .cs input gets a .cs back, under cryoSPARC's own field names, readable by numpy and by SweepLab.</summary>
public class CryoSparcOutputTests
{
    [Fact]
    public void Classifying_a_cs_writes_a_cs_that_numpy_and_sweeplab_read_back()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, "simulate", "--out", "data", "--particles", "300", "--box", "32", "--pixel-size", "6", "--snr", "0.3",
            "--subunit-mass", "0.3", "--seed", "3").ExitCode);
        var outcome = CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.cs", "--out", "class", "--target-resolution", "15",
            "--batch-size-per-class", "75", "--seed", "1");
        Assert.True(outcome.ExitCode == 0, outcome.Stderr);
        string cs = Path.Combine(temp.Path, "class", "particles.cs");
        Assert.True(File.Exists(cs));

        // every input field survives byte for byte (uids included), the result sits under cryoSPARC's names
        var input = NpyStructuredArray.Read(Path.Combine(temp.Path, "data", "particles.cs"));
        var output = NpyStructuredArray.Read(cs);
        Assert.Equal(input.Count, output.Count);
        foreach (var f in input.Fields.Where(f => f.Name != "alignments3D/class"))
            for (int i = 0; i < input.Count; i++)
                for (int e = 0; e < f.ElementCount; e++)
                    Assert.Equal(f.Kind == 'S' ? input.GetString(f, i) : (object)input.GetDouble(f, i, e), f.Kind == 'S' ? output.GetString(output.Field(f.Name), i) : output.GetDouble(output.Field(f.Name), i, e));
        var star = RelionParticles.Read(Path.Combine(temp.Path, "class", "particles.star"));
        var back = CryoSparcParticles.Read(cs);
        Assert.Equal(star.ClassIndices, back.ClassIndices);

        // numpy: the assigned class is the argmax of the per-class posteriors, they sum to 1, and the classes match the STAR file
        string script = """
            import numpy as np, sys
            a = np.load(sys.argv[1])
            p = a['alignments3D_multi/class_posterior']
            assert p.shape == (len(a), 2), p.shape
            assert np.allclose(p.sum(axis=1), 1, atol=1e-4)
            assert (np.argmax(p, axis=1) == a['alignments3D/class']).all()
            assert np.allclose(a['alignments3D/class_posterior'], p.max(axis=1))
            assert ((a['alignments3D/class_ess'] >= 1 - 1e-4) & (a['alignments3D/class_ess'] <= 2 + 1e-4)).all()
            print(' '.join(str(int(c)) for c in a['alignments3D/class']))
            """;
        File.WriteAllText(temp.File("check.py"), script);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(temp.File("check.py"));
        info.ArgumentList.Add(cs);
        using var python = Process.Start(info)!;
        string stdout = python.StandardOutput.ReadToEnd(), stderr = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, stderr);
        var classes = stdout.Trim().Split(' ').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(star.ClassIndices!, classes);
    }
}

/// <summary>sweeplab export on a classify folder: both targets, and refusals exit 2.</summary>
public class ExportCommandTests
{
    [Fact]
    public void Export_writes_both_targets_from_a_classify_folder_and_refuses_bad_options()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, CliRunner.Run(temp.Path, "simulate", "--out", "data", "--particles", "300", "--box", "32", "--pixel-size", "6", "--snr", "0.3",
            "--subunit-mass", "0.3", "--seed", "3").ExitCode);
        Assert.Equal(0, CliRunner.Run(temp.Path, "classify", "--particles", "data/particles.star", "--out", "class", "--target-resolution", "15",
            "--batch-size-per-class", "50", "--anneal-end", "2ep", "--seed", "1").ExitCode);
        var cryosparc = CliRunner.Run(temp.Path, "export", "class", "--to", "cryosparc");
        Assert.True(cryosparc.ExitCode == 0, cryosparc.Stderr);
        // 300 particles, batch 100: 3 iterations per epoch, so 2 epochs end at iteration 6
        Assert.Contains("Class similarity anneal end iter | 6 | = 2 epochs", cryosparc.Stdout);
        Assert.Contains("measured on 300 particles", cryosparc.Stdout);
        var relion = CliRunner.Run(temp.Path, "export", "class", "--to", "relion", "--out", "relion.sh");
        Assert.True(relion.ExitCode == 0, relion.Stderr);
        Assert.Contains("relion_refine --i particles.star", File.ReadAllText(temp.File("relion.sh")));
        var bad = CliRunner.Run(temp.Path, "export", "class", "--to", "eman");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--to", bad.Stderr);
        Assert.Equal(2, CliRunner.Run(temp.Path, "export", "nowhere", "--to", "relion").ExitCode);
    }
}
