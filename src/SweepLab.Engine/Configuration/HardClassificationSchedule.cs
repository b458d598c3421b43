using System.Globalization;

namespace SweepLab.Engine.Configuration;

/// <summary>
/// When the E-step replaces posteriors by one-hot argmax assignments. Iterations t are 0-based and count every
/// iteration of the run (online-EM and final full-batch ones alike). Canonical text forms, as a YAML file or the CLI
/// writes them: <c>off</c>, <c>on</c>, <c>soft_then_hard:N</c>, <c>soft_then_hard:anneal_end</c>, <c>hard_then_soft:N</c>.
/// </summary>
public abstract record HardClassificationSchedule
{
    private HardClassificationSchedule() { }

    /// <summary>Whether iteration <paramref name="iteration"/> uses hard assignments; <paramref name="annealEndIteration"/> is similarity_anneal_end.</summary>
    public abstract bool IsHardAt(int iteration, int annealEndIteration);

    /// <summary>The canonical text form (see the type's summary).</summary>
    public abstract string Canonical { get; }

    public sealed override string ToString() => Canonical;

    /// <summary>Soft posteriors throughout (cryoSPARC's default, "force hard classification" off).</summary>
    public sealed record Off : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int annealEndIteration) => false;
        public override string Canonical => "off";
    }

    /// <summary>Hard assignments throughout ("force hard classification" on).</summary>
    public sealed record On : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int annealEndIteration) => true;
        public override string Canonical => "on";
    }

    /// <summary>Soft before iteration <paramref name="Iteration"/>, hard from it on (t &gt;= Iteration).</summary>
    public sealed record SoftThenHard(int Iteration) : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int annealEndIteration) => iteration >= Iteration;
        public override string Canonical => "soft_then_hard:" + Iteration.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Soft while the class similarity anneals, hard from similarity_anneal_end on (t &gt;= anneal end, where s reaches 0).</summary>
    public sealed record SoftThenHardAtAnnealEnd : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int annealEndIteration) => iteration >= annealEndIteration;
        public override string Canonical => "soft_then_hard:anneal_end";
    }

    /// <summary>Hard before iteration <paramref name="Iteration"/>, soft from it on (t &gt;= Iteration).</summary>
    public sealed record HardThenSoft(int Iteration) : HardClassificationSchedule
    {
        public override bool IsHardAt(int iteration, int annealEndIteration) => iteration < Iteration;
        public override string Canonical => "hard_then_soft:" + Iteration.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The switch iteration of a schedule that has one (null for off, on and anneal-end switching).</summary>
    public int? SwitchIteration => this switch
    {
        SoftThenHard s => s.Iteration,
        HardThenSoft h => h.Iteration,
        _ => null,
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
        if (colon > 0 && int.TryParse(t.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            switch (t[..colon])
            {
                case "soft_then_hard": schedule = new SoftThenHard(n); return true;
                case "hard_then_soft": schedule = new HardThenSoft(n); return true;
            }
        }
        error = $"'{text}' is not a hard-classification schedule; expected off, on, soft_then_hard:N, soft_then_hard:anneal_end or hard_then_soft:N (N an iteration >= 1)";
        return false;
    }

    /// <summary>Reads the canonical text form or throws <see cref="FormatException"/> naming the accepted forms.</summary>
    public static HardClassificationSchedule Parse(string text)
        => TryParse(text, out var schedule, out string error) ? schedule! : throw new FormatException(error);
}
