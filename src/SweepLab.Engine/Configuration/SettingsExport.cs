using System.Globalization;
using System.Text;

namespace SweepLab.Engine.Configuration;

/// <summary>One parameter of another program's job: its name as that program shows it, the value to enter, and where
/// SweepLab's meaning differs (empty when it carries over as is).</summary>
public sealed record ExportedParameter(string Name, string Value, string Note);

/// <summary>
/// A configuration a sweep found, written as what a user types into cryoSPARC's 3D Classification job or RELION's
/// Class3D, with a note wherever SweepLab's knob does not carry over exactly (the class-similarity formula is not
/// public; RELION has no online EM, class similarity or forced hard assignment). Schedule points are given in the
/// iterations of the run that was measured (its particle count): cryoSPARC counts its anneal
/// window and half-life in O-EM iterations, which depend on the particle count, K and the batch size.
/// </summary>
public static class SettingsExport
{
    private static string D(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// cryoSPARC 3D Classification parameters: the v3.3 names as the Scipion cryoSPARC plugin lists them, and the four
    /// v4 added (anneal start, learning rate init, half-life, force hard) in the wording of cryoSPARC's v4 guide, which
    /// no stored public source lists verbatim (check them against your version's job builder).
    /// </summary>
    public static IReadOnlyList<ExportedParameter> CryoSparc(ClassificationConfig c, long particleCount)
    {
        var clock = c.Clock(particleCount);
        var (annealStart, annealEnd) = c.AnnealWindow(particleCount);
        string InEpochs(double iterations) => $"{D(clock.ToEpochs(iterations))} epochs of {I(particleCount)} particles at batch {I(clock.BatchSize)}";
        var p = new List<ExportedParameter>
        {
            new("Number of classes", I(c.ClassCount), ""),
            new("Target resolution (A)", D(c.TargetResolutionAngstrom), ""),
            new("Number of O-EM epochs", I(c.EffectiveOemEpochs(particleCount)),
                c.EffectiveOemEpochs(particleCount) > c.OemEpochs ? $"SweepLab raised oem_epochs {c.OemEpochs} to reach min_oem_iterations {c.MinOemIterations} on {I(particleCount)} particles" : ""),
            new("Number of final full iterations", I(c.FullBatchIterations),
                c.ConvergenceSwitchFraction > 0 ? $"SweepLab stops these early once fewer than {D(c.ConvergenceSwitchFraction)} of the particles change class; cryoSPARC runs them all" : ""),
            new("Batch size per class", I(c.BatchSizePerClass), ""),
            new("Init structure lowpass resolution (A)", D(c.InitLowpassResolutionAngstrom), ""),
            new("Initialization mode", c.Initialisation switch
            {
                InitialisationMode.Simple => "simple",
                InitialisationMode.Pca => "PCA",
                InitialisationMode.InputVolumes => "input",
                _ => "input",
            }, c.Initialisation == InitialisationMode.Consensus
                ? "SweepLab started from the consensus map and a random partition (RELION's start); cryoSPARC has no such mode: give the consensus refinement's map as every initial volume (cryoSPARC warns that identical volumes separate slowly) or use simple"
                : ""),
            new("PCA/simple: particles per reconstruction", I(c.InitSubsetSize), c.Initialisation is InitialisationMode.Simple or InitialisationMode.Pca ? "" : "unused by this initialisation"),
            new("PCA: number of reconstructions", I(c.PcaReconstructionCount), c.Initialisation == InitialisationMode.Pca ? "" : "unused by this initialisation"),
            new("PCA: number of components", I(c.PcaComponentCount), c.Initialisation == InitialisationMode.Pca ? "" : "unused by this initialisation"),
            new("Class similarity", D(c.ClassSimilarity),
                $"SweepLab's {(c.SimilarityModel == SimilarityModel.Tempered ? "tempered" : "mixture")} model is its own reading of the knob; cryoSPARC's formula is not public, so the same number may anneal differently"),
            new("Auto-tune initial class similarity", c.AutoSimilarityTargetEssFraction is null ? "false" : "true", ""),
            new("Target class ESS fraction", c.AutoSimilarityTargetEssFraction is double f ? D(f) : "0.75", c.AutoSimilarityTargetEssFraction is null ? "unused (auto-tune off)" : ""),
            new("Class similarity anneal start iter", I(annealStart), $"= {InEpochs(annealStart)}{(c.SimilarityAnnealStart.IsEpochs ? $"; set in SweepLab as {c.SimilarityAnnealStart.Canonical}" : "")}"),
            new("Class similarity anneal end iter", I(annealEnd), $"= {InEpochs(annealEnd)}{(c.SimilarityAnnealEnd is { IsEpochs: true } e ? $"; set in SweepLab as {e.Canonical}" : c.SimilarityAnnealEnd is null ? "; SweepLab's auto (12, or the last O-EM iteration)" : "")}"),
            new("O-EM learning rate init", D(c.LearningRateInit), ""),
            new("O-EM learning rate halflife (iters)", D(c.LearningRateHalfLife.ToIterations(clock)),
                c.LearningRateHalfLife.Value == 0 ? "0 = fixed rate in SweepLab; check that your cryoSPARC version reads 0 the same way" : $"= {InEpochs(c.LearningRateHalfLife.ToIterations(clock))}"),
            new("Force hard classification", c.HardClassification is HardClassificationSchedule.On ? "true" : "false",
                c.HardClassification switch
                {
                    HardClassificationSchedule.Off or HardClassificationSchedule.On => "",
                    _ => $"SweepLab switched part-way ({c.HardClassification.Canonical}, at iteration {c.HardClassification.SwitchIterationOn(clock, annealEnd)}); cryoSPARC's switch is for the whole job: run one job with the first phase, then a second from its output volumes with the other",
                }),
        };
        if (c.AutoMask) p.Add(new("Auto mask threshold (0-1)", D(c.AutoMaskThreshold), "SweepLab thresholds the 15 A-filtered consensus map; cryoSPARC the initial structures"));
        p.AddRange(NotCarried(c));
        return p;
    }

    /// <summary>Knobs with no cryoSPARC parameter, so the user knows what was different.</summary>
    private static IEnumerable<ExportedParameter> NotCarried(ClassificationConfig c)
    {
        yield return new("(SweepLab only) solvent mask", c.MaskRadiusAngstrom switch { null => "auto sphere", 0 => "none", double r => $"sphere {D(r)} A" },
            "cryoSPARC masks with its own auto mask or the static mask you give; use a soft sphere of the radius in result.json's mask_radius_used_angstrom as the static mask to match");
        yield return new("(SweepLab only) regularisation T", D(c.RegularisationTau2Fudge), "RELION's tau2_fudge; cryoSPARC's regulariser is not exposed");
        yield return new("(SweepLab only) noise / tau^2 / resolution", $"{Knobs.Find(ClassificationConfig.Keys.NoiseUpdate)!.Format(c)} / {Knobs.Find(ClassificationConfig.Keys.Tau2Source)!.Format(c)} / {Knobs.Find(ClassificationConfig.Keys.ResolutionSchedule)!.Format(c)}",
            "no cryoSPARC parameter; static / class_map / fixed are closest to its documented behaviour");
        yield return new("(SweepLab only) seed", c.Seed.ToString(CultureInfo.InvariantCulture), "cryoSPARC draws its own random seed; check stability across seeds, as the sweep did");
    }

    /// <summary>
    /// A relion_refine command for Class3D without alignment (RELION 3.1) with what of the configuration carries over:
    /// K, the start's low-pass, T, the mask diameter, the expectation's resolution limit, and as many iterations as the
    /// run's passes through the data.
    /// </summary>
    public static string RelionCommand(ClassificationConfig c, long particleCount, double? maskRadiusUsedAngstrom,
        string particles = "particles.star", string reference = "consensus.mrc", string output = "Class3D/sweeplab/run")
    {
        var clock = c.Clock(particleCount);
        long epochs = c.EffectiveOemEpochs(particleCount);
        int iterations = (int)Math.Min(int.MaxValue, epochs + c.FullBatchIterations);
        double radius = maskRadiusUsedAngstrom is double r && double.IsFinite(r) && r > 0 ? r : c.MaskRadiusAngstrom is double m && m > 0 ? m : double.NaN;
        var command = new StringBuilder("relion_refine");
        void Add(string option, string? value = null) => command.Append(" --").Append(option).Append(value is null ? "" : " " + value);
        Add("i", particles);
        Add("o", output);
        Add("ref", reference);
        Add("ini_high", D(c.InitLowpassResolutionAngstrom));
        Add("firstiter_cc");
        Add("K", I(c.ClassCount));
        Add("tau2_fudge", D(c.RegularisationTau2Fudge));
        Add("iter", I(iterations));
        Add("skip_align");
        Add("ctf");
        Add("ctf_corrected_ref");
        if (double.IsFinite(radius)) Add("particle_diameter", D(2 * radius));
        Add("flatten_solvent");
        Add("zero_mask");
        Add("strict_highres_exp", D(c.TargetResolutionAngstrom));
        Add("pad", "2");
        Add("random_seed", c.Seed.ToString(CultureInfo.InvariantCulture));
        Add("j", "4");
        var notes = new List<string>
        {
            $"--iter {iterations}: RELION runs full-batch EM; SweepLab's {epochs} O-EM epochs ({clock.OemIterations} batches of {clock.BatchSize}) plus {c.FullBatchIterations} full-batch iterations are counted as {iterations} passes through the data.",
            "--strict_highres_exp: the resolution the expectation step uses, SweepLab's target resolution.",
        };
        if (!double.IsFinite(radius)) notes.Add("--particle_diameter: give twice the mask radius (the run used none or a mask file).");
        if (c.ClassSimilarity > 0 || c.AutoSimilarityTargetEssFraction is not null)
            notes.Add($"class similarity {D(c.ClassSimilarity)} (annealed to 0): RELION has no equivalent; its classes start from the same low-passed map and separate from a random first assignment.");
        if (c.HardClassification is not HardClassificationSchedule.Off)
            notes.Add($"hard classification {c.HardClassification!.Canonical}: RELION 3.1 has no forced hard assignment.");
        if (c.LearningRateInit < 1) notes.Add($"learning rate {D(c.LearningRateInit)} (half-life {c.LearningRateHalfLife.Canonical}): RELION's EM replaces the maps every iteration (rate 1).");
        if (c.NoiseUpdate == NoiseUpdate.Static || c.ResolutionSchedule == ResolutionSchedule.Fixed || c.Tau2Source == Tau2Source.Consensus)
            notes.Add("RELION always re-estimates the noise, regularises each class by its own power and grows the resolution (SweepLab's algorithm relion_em does the same).");
        notes.Add("--ref: the consensus refinement's map of the same particles; --j: threads, set for your machine.");
        return command + "\n" + string.Concat(notes.Select(n => "# " + n + "\n"));
    }
}
