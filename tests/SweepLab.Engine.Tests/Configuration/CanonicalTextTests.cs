using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Tests.Configuration;

/// <summary>The canonical text that run ids hash: one spelling per value, and a fixed point for every knob.</summary>
public class CanonicalTextTests
{
    [Fact]
    public void EveryKnobsCanonicalTextIsItsOwnCanonicalText()
    {
        foreach (var knob in Knobs.All)
            Assert.Equal(knob.DefaultText, ConfigSettings.CanonicalText(knob.Key, knob.DefaultText));
    }

    [Theory]
    [InlineData("hard_classification", " SOFT ", "off")]
    [InlineData("hard_classification", "hard", "on")]
    [InlineData("hard_classification", "soft_then_hard", "soft_then_hard:anneal_end")]
    [InlineData("hard_classification", "Hard_Then_Soft:2EP", "hard_then_soft:2ep")]
    [InlineData("noise_model", "colored", "coloured")]
    [InlineData("auto_mask", "Yes", "true")]
    [InlineData("mask_radius_angstrom", "0", "none")]
    [InlineData("mask_radius_angstrom", "null", "auto")]
    [InlineData("auto_similarity_target_ess_fraction", "~", "null")]
    [InlineData("classes", "2.0", "2")]
    [InlineData("class_similarity", "5e-1", "0.5")]
    [InlineData("algorithm", "RELION_EM", "relion_em")]
    [InlineData("hard_switch_iteration", "2EP", "2ep")]
    [InlineData("classes", "two", "two")] // unreadable: left for validation to report
    [InlineData("no_such_setting", "Soft", "Soft")]
    public void AliasesAndCasingsReadAsTheFormResultJsonWrites(string key, string value, string canonical) =>
        Assert.Equal(canonical, ConfigSettings.CanonicalText(key, value));

    [Fact]
    public void BesideItsSwitchIterationASwitchingScheduleKeepsItsBareName()
    {
        Assert.Equal("soft_then_hard", ConfigSettings.CanonicalText("hard_classification", "Soft_Then_Hard", withSwitchIteration: true));
        Assert.Equal("hard_then_soft", ConfigSettings.CanonicalText("hard_classification", "hard_then_soft", withSwitchIteration: true));
        var (config, errors) = ConfigSettings.TryApply([new("hard_classification", "soft_then_hard"), new("hard_switch_iteration", "3")]);
        Assert.Empty(errors);
        Assert.Equal("soft_then_hard:3", config!.HardClassification.Canonical);
    }
}
