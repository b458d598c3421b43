using System.Globalization;

namespace SweepLab.Engine.Configuration;

/// <summary>The unit of a schedule point: O-EM iterations (batches) or epochs (passes through the data).</summary>
public enum ScheduleUnit
{
    Iterations,
    Epochs,
}

/// <summary>
/// A point or a length on a run's timeline, in iterations or in epochs. Iterations depend on N, K and the batch size,
/// epochs do not, so a grid over batch sizes keeps its anneal window in epochs (<c>2ep</c>). Text forms: a plain
/// number is iterations (<c>10</c>, as every earlier sweep file wrote it, so run ids are unchanged), a number with the
/// suffix <c>ep</c> is epochs (<c>2ep</c>, <c>0.5ep</c>). A point in epochs becomes the first iteration whose batch
/// starts after that many epochs: ceil(epochs x N / batch), batch = min(batch per class x K, N).
/// </summary>
public readonly record struct ScheduleTime(double Value, ScheduleUnit Unit)
{
    /// <summary>The suffix that marks epochs in text.</summary>
    public const string EpochSuffix = "ep";

    public static implicit operator ScheduleTime(int iterations) => new(iterations, ScheduleUnit.Iterations);

    public static implicit operator ScheduleTime(double iterations) => new(iterations, ScheduleUnit.Iterations);

    public static ScheduleTime Epochs(double epochs) => new(epochs, ScheduleUnit.Epochs);

    public bool IsEpochs => Unit == ScheduleUnit.Epochs;

    /// <summary>The length in iterations (fractional for epochs), as a half-life uses it.</summary>
    public double ToIterations(RunClock clock) => IsEpochs ? Value * clock.IterationsPerEpoch : Value;

    /// <summary>The 0-based iteration this point names (epochs rounded up to the next batch boundary).</summary>
    public int ToIteration(RunClock clock)
    {
        double iterations = ToIterations(clock);
        double rounded = Math.Ceiling(iterations - 1e-9);
        return rounded >= int.MaxValue ? int.MaxValue : (int)Math.Max(0, rounded);
    }

    /// <summary>The text form: <c>10</c> (iterations) or <c>2ep</c> (epochs), numbers culture-invariant.</summary>
    public string Canonical => Value.ToString("R", CultureInfo.InvariantCulture) + (IsEpochs ? EpochSuffix : "");

    public override string ToString() => Canonical;

    /// <summary>Reads <c>10</c> or <c>2ep</c> (also <c>2 epochs</c>); <paramref name="wholeIterations"/> refuses fractional iterations.</summary>
    public static ScheduleTime Parse(string text, bool wholeIterations)
    {
        string t = text.Trim().ToLowerInvariant();
        foreach (string suffix in new[] { "epochs", "epoch", EpochSuffix })
        {
            if (!t.EndsWith(suffix, StringComparison.Ordinal)) continue;
            string number = t[..^suffix.Length].Trim();
            if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double epochs) && double.IsFinite(epochs))
                return Epochs(epochs);
            throw new FormatException($"'{text}' is not a number of epochs (e.g. 2ep)");
        }
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double iterations) || !double.IsFinite(iterations))
            throw new FormatException($"'{text}' is not a number of iterations (e.g. 10) or of epochs (e.g. 2ep)");
        if (wholeIterations && iterations != Math.Floor(iterations))
            throw new FormatException($"'{text}' is not a whole number of iterations; write an integer, or epochs as e.g. {text}ep");
        return iterations;
    }
}

/// <summary>
/// The timeline of one run: how many O-EM iterations it has and how many make an epoch. Every schedule point given in
/// epochs is turned into iterations through this, once, when the run's schedules are built.
/// </summary>
/// <param name="ParticleCount">N.</param>
/// <param name="BatchSize">Particles per O-EM iteration, min(batch per class x K, N).</param>
/// <param name="OemIterations">ceil(epochs x N / batch).</param>
/// <param name="TotalIterations">O-EM plus full-batch iterations.</param>
public sealed record RunClock(long ParticleCount, long BatchSize, long OemIterations, long TotalIterations)
{
    /// <summary>O-EM iterations per epoch, N / batch (fractional when the batch does not divide N).</summary>
    public double IterationsPerEpoch => (double)ParticleCount / BatchSize;

    /// <summary>An iteration count as epochs, for messages and tables.</summary>
    public double ToEpochs(double iterations) => iterations / IterationsPerEpoch;

    /// <summary>"iteration 10 (5ep)": both units, so a refusal names the equivalent in the other one.</summary>
    public string Describe(int iteration) =>
        $"iteration {iteration.ToString(CultureInfo.InvariantCulture)} ({Math.Round(ToEpochs(iteration), 3).ToString("R", CultureInfo.InvariantCulture)}{ScheduleTime.EpochSuffix})";
}
