using System.Globalization;

namespace SweepLab.Formats;

/// <summary>
/// Every number SweepLab writes or reads in text goes through here: invariant culture, and the shortest text that
/// parses back to the same double ("R"), so a read-write-read cycle is exact on any machine locale.
/// </summary>
public static class InvariantNumbers
{
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public static bool TryParse(ReadOnlySpan<char> text, out int value)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value)) return true;
        // RELION sometimes writes integer columns as floats ("1.000000"); accept those only when whole.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue)
        {
            value = (int)d;
            return true;
        }
        return false;
    }
}
