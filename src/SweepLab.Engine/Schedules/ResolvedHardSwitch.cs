using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Schedules;

/// <summary>
/// A run's <see cref="HardClassificationSchedule"/> (the configured form, which may name epochs or the anneal end)
/// resolved to the iteration where it switches on this run's timeline: whether iteration t (0-based) uses one-hot
/// assignments is then a pure function of t.
/// </summary>
/// <param name="SwitchIteration">The switch resolved to an iteration (<see cref="HardClassificationSchedule.SwitchIterationOn"/>); unused by off and on.</param>
public sealed record ResolvedHardSwitch(HardClassificationSchedule Schedule, int SwitchIteration)
{
    public bool IsHard(int iteration)
    {
        if (iteration < 0) throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "iterations are 0-based");
        return Schedule.IsHardAt(iteration, SwitchIteration);
    }
}
