using System.Globalization;

namespace SweepLab.Sweeps;

/// <summary>
/// Generators for axis values written compactly. Generated reals are rounded to 15 significant digits, so
/// <c>range: [0, 0.3, 0.1]</c> gives 0.1 and 0.2 rather than 0.30000000000000004-style neighbours, and ids stay the
/// same as for values typed by hand.
/// </summary>
public static class AxisValues
{
    /// <summary>Above this many values an axis is surely a typo.</summary>
    public const int MaxValuesPerAxis = 1_000_000;

    /// <summary>
    /// <c>start, start + step, ...</c> strictly below <paramref name="stop"/> (above, for a negative step), like
    /// Python's range. Integers when all three are integers, reals otherwise.
    /// </summary>
    public static IReadOnlyList<SettingValue> Range(SettingValue start, SettingValue stop, SettingValue step, int line = 0)
    {
        double a = start.AsDouble, b = stop.AsDouble, s = step.AsDouble;
        if (s == 0) throw new ArgumentException("range step must not be zero");
        double countReal = Math.Ceiling((b - a) / s - 1e-9);
        if (countReal < 1) throw new ArgumentException($"range [{start.CanonicalText}, {stop.CanonicalText}, {step.CanonicalText}] is empty");
        if (countReal > MaxValuesPerAxis) throw new ArgumentException($"range gives {countReal:0} values, more than {MaxValuesPerAxis}");
        int count = (int)countReal;
        bool integral = start.Kind == SettingKind.Integer && stop.Kind == SettingKind.Integer && step.Kind == SettingKind.Integer;
        start.TryGetInt64(out long firstInteger);
        step.TryGetInt64(out long stepInteger);
        var values = new SettingValue[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = integral
                ? SettingValue.FromInteger(checked(firstInteger + i * stepInteger), line)
                : SettingValue.FromReal(Round15(a + i * s), line);
        }
        return values;
    }

    /// <summary>
    /// <paramref name="count"/> evenly spaced values from <paramref name="start"/> to <paramref name="stop"/>, both
    /// included. Integers when start and stop are integers and every value is whole.
    /// </summary>
    public static IReadOnlyList<SettingValue> Linspace(SettingValue start, SettingValue stop, long count, int line = 0)
    {
        CheckCount(count, "linspace");
        double a = start.AsDouble, b = stop.AsDouble;
        var reals = new double[count];
        for (int i = 0; i < count; i++)
            reals[i] = count == 1 ? a : i == count - 1 ? b : Round15(a + (b - a) * i / (count - 1));
        bool integral = start.Kind == SettingKind.Integer && stop.Kind == SettingKind.Integer
            && reals.All(r => Math.Floor(r) == r && Math.Abs(r) < 9e15);
        return reals.Select(r => integral ? SettingValue.FromInteger((long)r, line) : SettingValue.FromReal(r, line)).ToArray();
    }

    /// <summary><paramref name="count"/> values 10^e for exponents e evenly spaced from start to stop; always reals.</summary>
    public static IReadOnlyList<SettingValue> Logspace(SettingValue startExponent, SettingValue stopExponent, long count, int line = 0)
    {
        CheckCount(count, "logspace");
        double a = startExponent.AsDouble, b = stopExponent.AsDouble;
        var values = new SettingValue[count];
        for (int i = 0; i < count; i++)
        {
            double exponent = count == 1 ? a : i == count - 1 ? b : a + (b - a) * i / (count - 1);
            double value = Round15(Math.Pow(10, exponent));
            if (!double.IsFinite(value) || value == 0) throw new ArgumentException($"logspace exponent {exponent} is out of the double range");
            values[i] = SettingValue.FromReal(value, line);
        }
        return values;
    }

    private static void CheckCount(long count, string what)
    {
        if (count < 1) throw new ArgumentException($"{what} count must be at least 1, not {count}");
        if (count > MaxValuesPerAxis) throw new ArgumentException($"{what} count {count} is more than {MaxValuesPerAxis}");
    }

    /// <summary>Rounds to 15 significant digits, which removes binary representation noise from arithmetic.</summary>
    internal static double Round15(double value) =>
        double.Parse(value.ToString("G15", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
