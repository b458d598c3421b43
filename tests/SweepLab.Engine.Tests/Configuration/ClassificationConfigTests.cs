using System.Globalization;
using System.Reflection;
using SweepLab.Engine.Configuration;
using K = SweepLab.Engine.Configuration.ClassificationConfig.Keys;

namespace SweepLab.Engine.Tests.Configuration;

public class ClassificationConfigTests
{
    [Fact]
    public void Defaults_are_valid_and_cryosparc_like()
    {
        var c = new ClassificationConfig();
        Assert.Empty(c.Validate());
        Assert.Empty(c.Validate(pixelSizeAngstrom: 1.0));
        Assert.Equal(2, c.ClassCount);
        Assert.Equal(0.8, c.ClassSimilarity);
        Assert.Equal(SimilarityModel.Mixture, c.SimilarityModel);
        Assert.Equal(16, c.MinOemIterations);
        Assert.Equal(1000, c.BatchSizePerClass);
        Assert.Equal(0.4, c.LearningRateInit);
        Assert.Equal(new ScheduleTime(50, ScheduleUnit.Iterations), c.LearningRateHalfLife);
        Assert.IsType<HardClassificationSchedule.Off>(c.HardClassification);
        Assert.Null(c.AutoSimilarityTargetEssFraction);
        // value equality, the hard schedule included
        Assert.Equal(new ClassificationConfig(), c);
        Assert.NotEqual(c, c with { HardClassification = new HardClassificationSchedule.SoftThenHard(3) });
        Assert.Equal(c with { HardClassification = new HardClassificationSchedule.SoftThenHard(3) }, c with { HardClassification = HardClassificationSchedule.Parse("soft_then_hard:3") });
    }

    [Fact]
    public void Every_error_is_reported_at_once_with_its_key()
    {
        var bad = new ClassificationConfig
        {
            ClassCount = 1,
            TargetResolutionAngstrom = double.NaN,
            InitSubsetSize = 0,
            PcaComponentCount = 0,
            ClassSimilarity = 1.02,
            SimilarityAnnealStart = 8,
            SimilarityAnnealEnd = 4,
            AutoSimilarityTargetEssFraction = 0,
            LearningRateInit = 0,
            LearningRateHalfLife = -1,
            BatchSizePerClass = 0,
            OemEpochs = 0,
            FullBatchIterations = -1,
            HardClassification = new HardClassificationSchedule.HardThenSoft(0),
            ConvergenceSwitchFraction = 1.5,
            CollapseFloorFraction = 1,
            RegularisationTau2Fudge = 0,
            MaskRadiusAngstrom = -3,
        };
        var errors = bad.Validate();
        var keys = errors.Select(e => e.Key).ToHashSet();
        string[] expected =
        {
            K.Classes, K.TargetResolutionAngstrom, K.InitSubsetSize, K.PcaComponentCount, K.ClassSimilarity,
            K.SimilarityAnnealEnd, K.AutoSimilarityTargetEssFraction, K.LearningRateInit, K.LearningRateHalfLifeIterations,
            K.BatchSizePerClass, K.OemEpochs, K.FullBatchIterations, K.HardClassification, K.ConvergenceSwitchFraction,
            K.CollapseFloorFraction, K.RegularisationTau2Fudge, K.MaskRadiusAngstrom,
        };
        Assert.Equal(expected.OrderBy(k => k), keys.OrderBy(k => k));
        Assert.Equal(expected.Length, errors.Count);
        // messages state the allowed range
        Assert.Contains("[0, 1]", errors.Single(e => e.Key == K.ClassSimilarity).Message);
        Assert.Contains("(0, 1]", errors.Single(e => e.Key == K.LearningRateInit).Message);
        Assert.Contains(">= 2", errors.Single(e => e.Key == K.Classes).Message);

        var ex = Assert.Throws<ConfigValidationException>(() => bad.ThrowIfInvalid());
        Assert.Equal(expected.Length, ex.Errors.Count);
        foreach (string key in expected) Assert.Contains(key + ":", ex.Message);
    }

    [Fact]
    public void Anneal_end_before_start_is_rejected()
    {
        var c = new ClassificationConfig { SimilarityAnnealStart = 6, SimilarityAnnealEnd = 5 };
        var error = Assert.Single(c.Validate());
        Assert.Equal("similarity_anneal_end", error.Key);
        Assert.Contains("similarity_anneal_start = 6", error.Message);
        Assert.Empty((c with { SimilarityAnnealEnd = 6 }).Validate());
    }

    [Fact]
    public void Target_resolution_is_checked_against_nyquist()
    {
        var c = new ClassificationConfig { TargetResolutionAngstrom = 2.0, InitLowpassResolutionAngstrom = 20 };
        Assert.Empty(c.Validate(pixelSizeAngstrom: 1.0));
        var error = Assert.Single(c.Validate(pixelSizeAngstrom: 1.1));
        Assert.Equal("target_resolution_angstrom", error.Key);
        Assert.Contains("2.2 Angstrom", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Validate(pixelSizeAngstrom: 0));
        // the initial low-pass cannot be finer than the target
        Assert.Equal("init_lowpass_resolution_angstrom", Assert.Single((c with { InitLowpassResolutionAngstrom = 1.5 }).Validate()).Key);
    }

    [Fact]
    public void Settings_that_the_run_never_reaches_are_rejected_given_the_particle_count()
    {
        // 4000 particles, 2 classes x 1000, 2 epochs: 4 O-EM + 2 full = 6 iterations (0..5)
        var c = new ClassificationConfig { SimilarityAnnealEnd = 5, OemEpochs = 2, FullBatchIterations = 2, MinOemIterations = 0 };
        Assert.Equal(6, c.TotalIterations(4000));
        Assert.Empty(c.Validate(particleCount: 4000));
        Assert.Equal("similarity_anneal_end", Assert.Single((c with { SimilarityAnnealEnd = 6 }).Validate(particleCount: 4000)).Key);
        // with no similarity at all the anneal window does not matter
        Assert.Empty((c with { SimilarityAnnealEnd = 60, ClassSimilarity = 0 }).Validate(particleCount: 4000));
        var lateSwitch = c with { HardClassification = new HardClassificationSchedule.SoftThenHard(6) };
        Assert.Equal("hard_classification", Assert.Single(lateSwitch.Validate(particleCount: 4000)).Key);
        Assert.Empty((c with { HardClassification = new HardClassificationSchedule.SoftThenHard(5) }).Validate(particleCount: 4000));
        Assert.Contains((c with { Initialisation = InitialisationMode.Simple }).Validate(particleCount: 500), e => e.Key == "init_subset_size");
        Assert.DoesNotContain(c.Validate(particleCount: 500), e => e.Key == "init_subset_size"); // consensus starts use no subsets
        Assert.Contains((c with { ClassCount = 3 }).Validate(particleCount: 2), e => e.Key == "classes");
    }

    [Theory]
    [InlineData(2, 4000)]
    [InlineData(3, 4000)]
    [InlineData(8, 4000)]
    [InlineData(2, 10)]
    [InlineData(3, 3)]
    [InlineData(2, 1_000_000)]
    public void Defaults_are_valid_for_any_class_and_particle_count(int classes, int particles)
    {
        var c = new ClassificationConfig { ClassCount = classes };
        Assert.Empty(c.Validate(pixelSizeAngstrom: 1.1, particleCount: particles));
        var (start, end) = c.AnnealWindow(particles);
        Assert.InRange(end, 0, Math.Min(ClassificationConfig.DefaultAnnealEndIteration, c.OemIterations(particles) - 1));
        Assert.InRange(start, 0, end);
        // A given anneal end is kept as given (and checked), never moved.
        Assert.Equal((2, 10), (c with { SimilarityAnnealEnd = 10 }).AnnealWindow(particles));
    }

    /// <summary>One change per key: each must show in the canonical dictionary under exactly that key.</summary>
    public static IEnumerable<object[]> OneChangePerKey()
    {
        var d = new ClassificationConfig();
        yield return new object[] { K.Classes, d with { ClassCount = 3 } };
        yield return new object[] { K.TargetResolutionAngstrom, d with { TargetResolutionAngstrom = 7.5 } };
        yield return new object[] { K.Initialisation, d with { Initialisation = InitialisationMode.Pca } };
        yield return new object[] { K.InitSubsetSize, d with { InitSubsetSize = 500 } };
        yield return new object[] { K.InitLowpassResolutionAngstrom, d with { InitLowpassResolutionAngstrom = 40 } };
        yield return new object[] { K.PcaReconstructionCount, d with { PcaReconstructionCount = 50 } };
        yield return new object[] { K.PcaComponentCount, d with { PcaComponentCount = 3 } };
        yield return new object[] { K.ClassSimilarity, d with { ClassSimilarity = 0.52 } };
        yield return new object[] { K.SimilarityAnnealStart, d with { SimilarityAnnealStart = 3 } };
        yield return new object[] { K.SimilarityAnnealEnd, d with { SimilarityAnnealEnd = 12 } };
        yield return new object[] { K.SimilarityModel, d with { SimilarityModel = SimilarityModel.Tempered } };
        yield return new object[] { K.AutoSimilarityTargetEssFraction, d with { AutoSimilarityTargetEssFraction = 0.75 } };
        yield return new object[] { K.LearningRateInit, d with { LearningRateInit = 1.0 } };
        yield return new object[] { K.LearningRateHalfLifeIterations, d with { LearningRateHalfLife = 0 } };
        yield return new object[] { K.BatchSizePerClass, d with { BatchSizePerClass = 5000 } };
        yield return new object[] { K.OemEpochs, d with { OemEpochs = 3 } };
        yield return new object[] { K.MinOemIterations, d with { MinOemIterations = 0 } };
        yield return new object[] { K.FullBatchIterations, d with { FullBatchIterations = 0 } };
        yield return new object[] { K.HardClassification, d with { HardClassification = new HardClassificationSchedule.SoftThenHardAtAnnealEnd() } };
        yield return new object[] { K.ConvergenceSwitchFraction, d with { ConvergenceSwitchFraction = 0.01 } };
        yield return new object[] { K.CollapseFloorFraction, d with { CollapseFloorFraction = 0.05 } };
        yield return new object[] { K.NoiseModel, d with { NoiseModel = NoiseModel.White } };
        yield return new object[] { K.RegularisationTau2Fudge, d with { RegularisationTau2Fudge = 2 } };
        yield return new object[] { K.MaskRadiusAngstrom, d with { MaskRadiusAngstrom = 80 } };
        yield return new object[] { K.AutoMask, d with { AutoMask = true } };
        yield return new object[] { K.AutoMaskThreshold, d with { AutoMaskThreshold = 0.3 } };
        yield return new object[] { K.NoiseUpdate, d with { NoiseUpdate = NoiseUpdate.PerIteration } };
        yield return new object[] { K.Tau2Source, d with { Tau2Source = Tau2Source.Consensus } };
        yield return new object[] { K.ResolutionSchedule, d with { ResolutionSchedule = ResolutionSchedule.Grow } };
        yield return new object[] { K.Seed, d with { Seed = 7 } };
    }

    [Theory]
    [MemberData(nameof(OneChangePerKey))]
    public void Each_setting_reaches_the_canonical_dictionary_under_its_key(string key, ClassificationConfig changed)
    {
        var before = new ClassificationConfig().ToCanonicalDictionary().ToDictionary(p => p.Key, p => p.Value);
        var after = changed.ToCanonicalDictionary().ToDictionary(p => p.Key, p => p.Value);
        var differing = before.Keys.Where(k => before[k] != after[k]).ToList();
        Assert.Equal(new[] { key }, differing);
    }

    [Fact]
    public void Canonical_dictionary_covers_every_property_in_ordinal_key_order()
    {
        var pairs = new ClassificationConfig().ToCanonicalDictionary();
        int properties = typeof(ClassificationConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Length;
        Assert.Equal(properties, pairs.Count);
        Assert.Equal(OneChangePerKey().Count(), pairs.Count);
        var keys = pairs.Select(p => p.Key).ToList();
        Assert.Equal(keys.OrderBy(k => k, StringComparer.Ordinal), keys);
        var constants = typeof(ClassificationConfig.Keys).GetFields().Select(f => (string)f.GetValue(null)!).OrderBy(k => k, StringComparer.Ordinal);
        Assert.Equal(constants, keys);
    }

    [Fact]
    public void Canonical_values_are_culture_invariant()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var d = new ClassificationConfig { ClassSimilarity = 0.25, MaskRadiusAngstrom = 62.5, Seed = ulong.MaxValue }
                .ToCanonicalDictionary().ToDictionary(p => p.Key, p => p.Value);
            Assert.Equal("0.25", d["class_similarity"]);
            Assert.Equal("62.5", d["mask_radius_angstrom"]);
            Assert.Equal("18446744073709551615", d["seed"]);
            Assert.Equal("null", d["auto_similarity_target_ess_fraction"]);
            Assert.Equal("mixture", d["similarity_model"]);
            Assert.Equal("off", d["hard_classification"]);
            Assert.Equal("0.1", new ClassificationConfig { ClassSimilarity = 0.1 }.ToCanonicalDictionary().Single(p => p.Key == "class_similarity").Value);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("off")]
    [InlineData("on")]
    [InlineData("soft_then_hard:12")]
    [InlineData("soft_then_hard:anneal_end")]
    [InlineData("hard_then_soft:5")]
    public void Hard_schedule_text_round_trips(string text)
    {
        var schedule = HardClassificationSchedule.Parse(text);
        Assert.Equal(text, schedule.Canonical);
        Assert.Equal(text, schedule.ToString());
        Assert.Equal(schedule, HardClassificationSchedule.Parse(" " + text.ToUpperInvariant() + " "));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hard")]
    [InlineData("soft_then_hard:")]
    [InlineData("soft_then_hard:-1")]
    [InlineData("hard_then_soft:anneal_end")]
    public void Bad_hard_schedule_text_names_the_accepted_forms(string text)
    {
        var ex = Assert.Throws<FormatException>(() => HardClassificationSchedule.Parse(text));
        Assert.Contains("soft_then_hard:anneal_end", ex.Message);
    }
}
