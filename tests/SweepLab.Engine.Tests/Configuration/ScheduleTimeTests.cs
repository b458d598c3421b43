using SweepLab.Engine.Configuration;
using SweepLab.Engine.Schedules;

namespace SweepLab.Engine.Tests.Configuration;

/// <summary>Schedules in epochs or iterations: text forms, conversion on the run's clock, and refusals in both units.</summary>
public class ScheduleTimeTests
{
    [Theory]
    [InlineData("10", 10, ScheduleUnit.Iterations, "10")]
    [InlineData("2ep", 2, ScheduleUnit.Epochs, "2ep")]
    [InlineData(" 0.5 EP", 0.5, ScheduleUnit.Epochs, "0.5ep")]
    [InlineData("3 epochs", 3, ScheduleUnit.Epochs, "3ep")]
    public void Text_forms_round_trip(string text, double value, ScheduleUnit unit, string canonical)
    {
        var t = ScheduleTime.Parse(text, wholeIterations: true);
        Assert.Equal(new ScheduleTime(value, unit), t);
        Assert.Equal(canonical, t.Canonical);
        Assert.Equal(t, ScheduleTime.Parse(t.Canonical, wholeIterations: true));
    }

    [Theory]
    [InlineData("2.5")]
    [InlineData("ep")]
    [InlineData("twoep")]
    [InlineData("nan")]
    public void Bad_text_is_refused_naming_both_forms(string text)
    {
        var e = Assert.Throws<FormatException>(() => ScheduleTime.Parse(text, wholeIterations: true));
        Assert.Contains("ep", e.Message);
    }

    [Fact]
    public void Fractional_iterations_are_fine_for_a_half_life() =>
        Assert.Equal(2.5, ScheduleTime.Parse("2.5", wholeIterations: false).Value);

    [Theory]
    // 4000 particles, K = 2: batch per class 500 -> 1000 per batch, 4 iterations per epoch; 2000 -> all 4000, 1 per epoch
    [InlineData(500, 8)]
    [InlineData(1000, 4)]
    [InlineData(2000, 2)]
    // 1500 per class -> batch 3000, 4/3 iterations per epoch: 2 epochs end inside iteration 2, so s = 0 from iteration 3
    [InlineData(1500, 3)]
    public void An_anneal_window_in_epochs_keeps_its_place_in_the_data_for_every_batch_size(int batchPerClass, int expectedEnd)
    {
        var c = new ClassificationConfig { BatchSizePerClass = batchPerClass, SimilarityAnnealStart = ScheduleTime.Epochs(0.5), SimilarityAnnealEnd = ScheduleTime.Epochs(2) };
        Assert.Empty(c.Validate(pixelSizeAngstrom: 1, particleCount: 4000));
        var (start, end) = c.AnnealWindow(4000);
        Assert.Equal(expectedEnd, end);
        Assert.True(start <= end);
        // the engine's schedule follows it: s reaches 0 exactly at the resolved iteration
        var schedule = RunSchedule.FromConfig(c, 4000);
        Assert.True(schedule.At(end - 1).Similarity > 0);
        Assert.Equal(0, schedule.At(end).Similarity);
        var timeline = c.Timeline(4000);
        Assert.Equal(end, timeline["similarity_anneal_end_iteration"]);
        Assert.Equal(end / c.Clock(4000).IterationsPerEpoch, timeline["similarity_anneal_end_epochs"], 12);
    }

    [Fact]
    public void The_same_window_in_iterations_is_refused_for_the_large_batch_with_its_equivalent_in_epochs()
    {
        // batch 2000 per class x 2 = 4000 = N: 5 O-EM + 6 full-batch iterations, the last is 10; iteration 12 is beyond
        var c = new ClassificationConfig { BatchSizePerClass = 2000, SimilarityAnnealEnd = 12, MinOemIterations = 0 };
        var error = Assert.Single(c.Validate(particleCount: 4000));
        Assert.Equal(ClassificationConfig.Keys.SimilarityAnnealEnd, error.Key);
        Assert.Contains("iteration 12 (12ep)", error.Message);
        Assert.Contains("last iteration 10 (10ep)", error.Message);
        Assert.Empty((c with { SimilarityAnnealEnd = ScheduleTime.Epochs(4) }).Validate(particleCount: 4000));
    }

    [Fact]
    public void Half_life_and_hard_switch_in_epochs_resolve_on_the_run_clock()
    {
        // 4000 particles, K = 2, 500 per class: 4 iterations per epoch
        var c = new ClassificationConfig
        {
            BatchSizePerClass = 500, LearningRateHalfLife = ScheduleTime.Epochs(1.5),
            HardClassification = HardClassificationSchedule.Parse("soft_then_hard:3ep"),
        };
        Assert.Equal("soft_then_hard:3ep", c.HardClassification.Canonical);
        var schedule = RunSchedule.FromConfig(c, 4000);
        Assert.Equal(6, schedule.LearningRate.HalfLifeIterations);
        Assert.Equal(0.2, schedule.At(6).LearningRate, 12);
        Assert.False(schedule.At(11).Hard);
        Assert.True(schedule.At(12).Hard);
        Assert.Equal(12, c.Timeline(4000)["hard_switch_iteration"]);
        Assert.Equal(3, c.Timeline(4000)["hard_switch_epochs"], 12);
        // a switch past the run is refused with both units
        var late = c with { HardClassification = HardClassificationSchedule.Parse("hard_then_soft:9ep") };
        var error = Assert.Single(late.Validate(particleCount: 4000));
        Assert.Contains("iteration 36 (9ep)", error.Message);
    }

    [Theory]
    [InlineData(2, 400, 50)]
    [InlineData(3, 4000, 500)]
    [InlineData(3, 4000, 1000)]
    [InlineData(4, 4000, 10_000)]
    [InlineData(8, 1000, 1000)]
    public void Defaults_with_an_epoch_window_run_for_any_batch_size(int classes, int particles, int batchPerClass)
    {
        var c = new ClassificationConfig { ClassCount = classes, BatchSizePerClass = batchPerClass };
        Assert.Empty(c.Validate(particleCount: particles));
        Assert.Empty((c with { SimilarityAnnealEnd = ScheduleTime.Epochs(2) }).Validate(particleCount: particles));
    }
}
