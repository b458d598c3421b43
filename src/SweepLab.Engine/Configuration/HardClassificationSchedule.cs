using System.Globalization;

namespace SweepLab.Engine.Configuration;

/// <summary>
/// When the E-step replaces posteriors by one-hot argmax assignments. Iterations t are 0-based and count every
/// iteration of the run (online-EM and final full-batch ones alike). Canonical text forms, as a YAML file or the CLI
/// writes them: <c>off</c>, <c>on</c>, <c>soft_then_hard:N</c>, <c>soft_then_hard:anneal_end</c>, <c>hard_then_soft:N</c>,
/// where N is an iteration or a number of epochs (<c>soft_then_hard:2ep</c>; see <see cref="ScheduleTime"/>).
/// </summary>
public abstract record HardClassificationSchedule
{
    private HardClassificationSchedule() { }

    /// <summary>Whether iteration <paramref name="iteration"/> uses hard assignments, given the schedule's switch
    /// resolved to an iteration (<see cref="SwitchIterationOn"/>; unused by off and on).</summary>
    public abstract bool IsHardAt(int iteration, int switchIteration);

    /// <summary>The canonical text form (see the type's summary).</summary>
    public abstract string Canonical { get; }

    public sealed override string ToString() => Canonical;

    /// <summary>Soft posteriors throughout (cryoSPARC's default, "force hard classification" off).</summary>
    public sealed record Off : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int switchIteration) => false;
        public override string Canonical => "off";
    }

    /// <summary>Hard assignments throughout ("force hard classification" on).</summary>
    public sealed record On : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int switchIteration) => true;
        public override string Canonical => "on";
    }

    /// <summary>Soft before the switch <paramref name="At"/>, hard from it on (t &gt;= switch).</summary>
    public sealed record SoftThenHard(ScheduleTime At) : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int switchIteration) => iteration >= switchIteration;
        public override string Canonical => "soft_then_hard:" + At.Canonical;
    }

    /// <summary>Soft while the class similarity anneals, hard from similarity_anneal_end on (t &gt;= anneal end, where s reaches 0).</summary>
    public sealed record SoftThenHardAtAnnealEnd : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int switchIteration) => iteration >= switchIteration;
        public override string Canonical => "soft_then_hard:anneal_end";
    }

    /// <summary>Hard before the switch <paramref name="At"/>, soft from it on (t &gt;= switch).</summary>
    public sealed record HardThenSoft(ScheduleTime At) : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int switchIteration) => iteration < switchIteration;
        public override string Canonical => "hard_then_soft:" + At.Canonical;
    }

    /// <summary>The switch point as given, of a schedule that has one (null for off, on and anneal-end switching).</summary>
    public ScheduleTime? Switch => this switch
    {
        SoftThenHard s => s.At,
        HardThenSoft h => h.At,
        _ => null,
    };

    /// <summary>The iteration at which this schedule switches on the run's timeline (the anneal end for
    /// soft_then_hard:anneal_end); null for off and on, which never switch.</summary>
    public int? SwitchIterationOn(RunClock clock, int annealEndIteration) => this switch
    {
        SoftThenHardAtAnnealEnd => annealEndIteration,
        _ => Switch?.ToIteration(clock),
    };

    /// <summary>Reads the canonical text form; the error names the accepted forms.</summary>
    public static bool TryParse(string? text, out HardClassificationSchedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        string t = (text ?? "").Trim().ToLowerInvariant();
        switch (t)
        {
            case "off": schedule = new Off(); return true;
            case "on": schedule = new On(); return true;
            case "soft_then_hard:anneal_end": schedule = new SoftThenHardAtAnnealEnd(); return true;
        }
        int colon = t.IndexOf(':');
        if (colon > 0 && t[..colon] is "soft_then_hard" or "hard_then_soft" && !t[(colon + 1)..].Contains('-'))
        {
            ScheduleTime at;
            try { at = ScheduleTime.Parse(t[(colon + 1)..], wholeIterations: true); }
            catch (FormatException) { at = new ScheduleTime(double.NaN, ScheduleUnit.Iterations); }
            if (double.IsFinite(at.Value))
            {
                schedule = t[..colon] == "soft_then_hard" ? new SoftThenHard(at) : new HardThenSoft(at);
                return true;
            }
        }
        error = $"'{text}' is not a hard-classification schedule; expected off, on, soft_then_hard:N, soft_then_hard:anneal_end or hard_then_soft:N (N an iteration >= 1, or epochs such as 2ep)";
        return false;
    }

    /// <summary>Reads the canonical text form or throws <see cref="FormatException"/> naming the accepted forms.</summary>
    public static HardClassificationSchedule Parse(string text)
        => TryParse(text, out var schedule, out string error) ? schedule! : throw new FormatException(error);
}
