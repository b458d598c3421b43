using SweepLab.Engine.Configuration;
using SweepLab.Engine.Schedules;

namespace SweepLab.Engine.Tests.Schedules;

public class ScheduleTests
{
    [Fact]
    public void Similarity_holds_then_falls_linearly_to_zero()
    {
        var s = new SimilaritySchedule(0.5, 2, 10);
        Assert.Equal(0.5, s.At(0));
        Assert.Equal(0.5, s.At(2));
        Assert.Equal(0.5 * 7 / 8, s.At(3), 15);
        Assert.Equal(0.25, s.At(6), 15);
        Assert.Equal(0.5 / 8, s.At(9), 15);
        Assert.Equal(0.0, s.At(10));
        Assert.Equal(0.0, s.At(1000));
        for (int t = 3; t < 10; t++) Assert.True(s.At(t) < s.At(t - 1));
    }

    [Fact]
    public void Similarity_with_equal_start_and_end_steps_to_zero()
    {
        var s = new SimilaritySchedule(0.8, 4, 4);
        Assert.Equal(0.8, s.At(3));
        Assert.Equal(0.0, s.At(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimilaritySchedule(0.8, 5, 4));
    }

    [Fact]
    public void Learning_rate_halves_every_half_life_and_is_one_in_full_batch_iterations()
    {
        var lr = new LearningRateSchedule(0.4, 50, oemIterationCount: 200);
        Assert.Equal(0.4, lr.At(0));
        Assert.Equal(0.2, lr.At(50), 15);
        Assert.Equal(0.1, lr.At(100), 15);
        Assert.Equal(0.4 / Math.Sqrt(2), lr.At(25), 15);
        Assert.Equal(1.0, lr.At(200));
        Assert.Equal(1.0, lr.At(201));
    }

    [Fact]
    public void The_rate_used_is_one_at_iteration_zero_and_the_curve_after()
    {
        var lr = new LearningRateSchedule(0.4, 50, oemIterationCount: 200);
        Assert.Equal(1.0, lr.RateUsed(0));
        for (int t = 1; t < 210; t++) Assert.Equal(lr.At(t), lr.RateUsed(t));
        var plan = new RunSchedule(new BatchSchedule(1000, 2, 100, 1, 1, 1), new SimilaritySchedule(0, 0, 0), lr,
            new ResolvedHardSwitch(new HardClassificationSchedule.Off(), 0));
        Assert.Equal(1.0, plan.At(0).LearningRate);
        Assert.Equal(lr.At(1), plan.At(1).LearningRate);
        Assert.Throws<ArgumentOutOfRangeException>(() => lr.RateUsed(-1));
    }

    [Fact]
    public void Half_life_zero_keeps_the_rate_fixed()
    {
        var lr = new LearningRateSchedule(0.75, 0, oemIterationCount: 100);
        for (int t = 0; t < 100; t++) Assert.Equal(0.75, lr.At(t));
        Assert.Equal(1.0, lr.At(100));
    }

    [Fact]
    public void Soft_then_hard_switches_on_at_the_stated_iteration()
    {
        var h = new ResolvedHardSwitch(new HardClassificationSchedule.SoftThenHard(7), SwitchIteration: 7);
        for (int t = 0; t < 7; t++) Assert.False(h.IsHard(t));
        for (int t = 7; t < 20; t++) Assert.True(h.IsHard(t));
    }

    [Fact]
    public void Soft_then_hard_at_anneal_end_switches_when_similarity_reaches_zero()
    {
        var h = new ResolvedHardSwitch(new HardClassificationSchedule.SoftThenHardAtAnnealEnd(), SwitchIteration: 10);
        var s = new SimilaritySchedule(0.5, 2, 10);
        for (int t = 0; t < 20; t++) Assert.Equal(s.At(t) == 0, h.IsHard(t));
    }

    [Fact]
    public void Hard_then_soft_switches_off_at_the_stated_iteration()
    {
        var h = new ResolvedHardSwitch(new HardClassificationSchedule.HardThenSoft(4), SwitchIteration: 4);
        for (int t = 0; t < 4; t++) Assert.True(h.IsHard(t));
        for (int t = 4; t < 20; t++) Assert.False(h.IsHard(t));
    }

    [Fact]
    public void Off_and_on_are_constant()
    {
        var off = new ResolvedHardSwitch(new HardClassificationSchedule.Off(), 10);
        var on = new ResolvedHardSwitch(new HardClassificationSchedule.On(), 10);
        for (int t = 0; t < 30; t++) { Assert.False(off.IsHard(t)); Assert.True(on.IsHard(t)); }
    }
}
