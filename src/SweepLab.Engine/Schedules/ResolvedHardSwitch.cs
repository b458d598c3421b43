using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Schedules;

/// <summary>Whether iteration t (0-based) uses one-hot assignments; see <see cref="HardClassificationSchedule"/> for each form.</summary>
/// <param name="SwitchIteration">The switch resolved to an iteration (<see cref="HardClassificationSchedule.SwitchIterationOn"/>); unused by off and on.</param>
public sealed record HardSchedule(HardClassificationSchedule Schedule, int SwitchIteration)
{
    public bool IsHard(int iteration)
    {
        if (iteration < 0) throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "iterations are 0-based");
        return Schedule.IsHardAt(iteration, SwitchIteration);
    }
}
