using System.Diagnostics;
using System.Text.RegularExpressions;
using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Tests.Configuration;

/// <summary>Exports name only parameters the other programs have, with values converted on the measured run's clock.</summary>
public class SettingsExportTests
{
    /// <summary>
    /// cryoSPARC 3D Classification's parameter labels: the v3.3 ones as the Scipion cryoSPARC plugin's protocol lists
    /// them (scipion-em-cryosparc2, protocol_new_3D_classification.py), and the four the v4 job added (anneal start,
    /// learning rate, half-life, force hard) in the wording of cryoSPARC's v4 guide and forum; no stored public source
    /// listed these four verbatim, so a user should check them against the job builder of their version.
    /// </summary>
    private static readonly HashSet<string> JobParameters =
    [
        "Number of classes", "Target resolution (A)", "Number of O-EM epochs", "Number of final full iterations", "Batch size per class",
        "Init structure lowpass resolution (A)", "Initialization mode", "PCA/simple: particles per reconstruction", "PCA: number of reconstructions",
        "PCA: number of components", "Highpass resolution (A)", "Auto mask threshold (0-1)", "Class similarity", "Auto-tune initial class similarity",
        "Target class ESS fraction", "Class similarity anneal end iter",
        "Class similarity anneal start iter", "O-EM learning rate init", "O-EM learning rate halflife (iters)", "Force hard classification",
    ];

    [Fact]
    public void CryoSparc_parameters_are_the_jobs_own_and_schedules_are_in_the_measured_runs_iterations()
    {
        // 4000 particles, K = 2, 500 per class: 4 O-EM iterations per epoch
        var c = new ClassificationConfig
        {
            BatchSizePerClass = 500, SimilarityAnnealEnd = ScheduleTime.Epochs(2), LearningRateHalfLife = ScheduleTime.Epochs(1.5),
            HardClassification = new HardClassificationSchedule.On(), AutoMask = true, Initialisation = InitialisationMode.Pca,
        };
        var p = SettingsExport.CryoSparc(c, 4000).ToDictionary(x => x.Name);
        foreach (string name in p.Keys.Where(n => !n.StartsWith("(SweepLab only)", StringComparison.Ordinal)))
            Assert.Contains(name, JobParameters);
        Assert.Equal("8", p["Class similarity anneal end iter"].Value);
        Assert.Contains("2 epochs", p["Class similarity anneal end iter"].Note);
        Assert.Equal("6", p["O-EM learning rate halflife (iters)"].Value);
        Assert.Equal("true", p["Force hard classification"].Value);
        Assert.Equal("PCA", p["Initialization mode"].Value);
        Assert.Equal("", p["PCA: number of components"].Note);
        Assert.Contains("not public", p["Class similarity"].Note);
        // a part-way switch cannot be one cryoSPARC job: the note says so and where it switched
        var switched = SettingsExport.CryoSparc(c with { HardClassification = HardClassificationSchedule.Parse("soft_then_hard:3ep") }, 4000)
            .Single(x => x.Name == "Force hard classification");
        Assert.Contains("iteration 12", switched.Note);
    }

    [Fact]
    public void The_relion_command_uses_only_options_relion_refine_knows()
    {
        string command = SettingsExport.RelionCommand(new ClassificationConfig { ClassCount = 3, RegularisationTau2Fudge = 2 }, 4000, 54.4);
        string first = command.Split('\n')[0];
        Assert.StartsWith("relion_refine ", first);
        Assert.Contains("--K 3", first);
        Assert.Contains("--tau2_fudge 2", first);
        Assert.Contains("--particle_diameter 108.8", first);
        Assert.Contains("--iter 18", first); // 12 O-EM epochs (5 raised by min_oem_iterations 16 at batch 3000 of 4000) + 6 full-batch iterations
        Assert.All(command.Split('\n').Skip(1).Where(l => l.Length > 0), l => Assert.StartsWith("# ", l));

        var info = new ProcessStartInfo("relion_refine") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--help");
        using var relion = Process.Start(info)!;
        string help = relion.StandardOutput.ReadToEnd() + relion.StandardError.ReadToEnd();
        relion.WaitForExit();
        var known = Regex.Matches(help, @"--([A-Za-z_0-9]+) \(").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.True(known.Count > 100, "relion_refine --help listed too few options; is RELION installed (scripts/install-deps.sh)?");
        foreach (Match option in Regex.Matches(first, @"--([a-z_0-9A-Z]+)"))
            Assert.Contains(option.Groups[1].Value, known);
    }
}

/// <summary>The PCA initialisation's eigensolver (MathNet) on a matrix with known eigen-pairs.</summary>
public class SymmetricEigenTests
{
    [Fact]
    public void Recovers_known_eigenpairs_with_a_fixed_sign()
    {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3, vectors (1, -1)/sqrt 2 and (1, 1)/sqrt 2
        var (values, vectors) = Initialisation.SymmetricEigen(new double[,] { { 2, 1 }, { 1, 2 } });
        var order = Enumerable.Range(0, 2).OrderBy(i => values[i]).ToArray();
        Assert.Equal(1, values[order[0]], 12);
        Assert.Equal(3, values[order[1]], 12);
        double r = 1 / Math.Sqrt(2);
        Assert.Equal(r, Math.Abs(vectors[0, order[0]]), 12);
        Assert.Equal(-vectors[0, order[0]], vectors[1, order[0]], 12);
        Assert.Equal(r, vectors[0, order[1]], 12); // largest component positive
        Assert.Equal(r, vectors[1, order[1]], 12);
    }
}
