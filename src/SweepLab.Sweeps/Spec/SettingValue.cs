using System.Globalization;

namespace SweepLab.Sweeps;

/// <summary>The kinds of value a setting can hold.</summary>
public enum SettingKind
{
    String,
    Integer,
    Real,
    Boolean,
}

/// <summary>
/// One setting's value: a string, an integer (kept integral, 64-bit), a real number (finite double) or a boolean,
/// with the line of the sweep file it came from so errors can point there.
/// Two values are equal when their category (text, number, boolean) and canonical text are equal; the source line
/// never takes part, and the integer 1 equals the real 1.0 (both read "1"), so a run id does not depend on how a
/// number was typed.
/// </summary>
public readonly struct SettingValue : IEquatable<SettingValue>
{
    private readonly string? _text;
    private readonly long _integer;
    private readonly double _real;

    public SettingKind Kind { get; }

    /// <summary>1-based line in the sweep file, or 0 where the value was not read from a file.</summary>
    public int Line { get; }

    private SettingValue(SettingKind kind, string? text, long integer, double real, int line)
    {
        Kind = kind;
        _text = text;
        _integer = integer;
        _real = real;
        Line = line;
    }

    public static SettingValue FromString(string value, int line = 0)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new SettingValue(SettingKind.String, value, 0, 0, line);
    }

    public static SettingValue FromInteger(long value, int line = 0) => new(SettingKind.Integer, null, value, value, line);

    /// <summary>A real value; NaN and infinities are refused because they have no place in a setting or in JSON.</summary>
    public static SettingValue FromReal(double value, int line = 0)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "a setting must be a finite number");
        if (value == 0) value = 0; // -0.0 and 0.0 are the same setting
        return new SettingValue(SettingKind.Real, null, 0, value, line);
    }

    public static SettingValue FromBoolean(bool value, int line = 0) => new(SettingKind.Boolean, null, value ? 1 : 0, 0, line);

    public static implicit operator SettingValue(string value) => FromString(value);
    public static implicit operator SettingValue(long value) => FromInteger(value);
    public static implicit operator SettingValue(int value) => FromInteger(value);
    public static implicit operator SettingValue(double value) => FromReal(value);
    public static implicit operator SettingValue(bool value) => FromBoolean(value);

    /// <summary>The same value attributed to another source line.</summary>
    public SettingValue WithLine(int line) => new(Kind, _text, _integer, _real, line);

    public bool IsNumber => Kind is SettingKind.Integer or SettingKind.Real;

    public string AsString => Kind == SettingKind.String ? _text ?? "" : throw WrongKind("a string");

    public bool AsBoolean => Kind == SettingKind.Boolean ? _integer != 0 : throw WrongKind("a boolean");

    /// <summary>The number as a double (integers convert exactly up to 2^53).</summary>
    public double AsDouble => Kind switch
    {
        SettingKind.Integer => _integer,
        SettingKind.Real => _real,
        _ => throw WrongKind("a number"),
    };

    /// <summary>The integer, or a real with no fractional part inside the long range.</summary>
    public bool TryGetInt64(out long value)
    {
        if (Kind == SettingKind.Integer) { value = _integer; return true; }
        if (Kind == SettingKind.Real && Math.Floor(_real) == _real && _real >= -9.2e18 && _real <= 9.2e18)
        {
            value = (long)_real;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>
    /// Culture-invariant text: strings as they are, integers in decimal, reals in the shortest form that reads back
    /// to the same double ("0.1", "1E-05"), booleans as "true"/"false". Used for ids, CSV cells and messages.
    /// </summary>
    public string CanonicalText => Kind switch
    {
        SettingKind.String => _text ?? "",
        SettingKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        SettingKind.Real => _real.ToString("R", CultureInfo.InvariantCulture),
        SettingKind.Boolean => _integer != 0 ? "true" : "false",
        _ => throw new InvalidOperationException(),
    };

    private int Category => Kind switch
    {
        SettingKind.String => 0,
        SettingKind.Integer or SettingKind.Real => 1,
        _ => 2,
    };

    public bool Equals(SettingValue other) =>
        Category == other.Category && string.Equals(CanonicalText, other.CanonicalText, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is SettingValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Category, StringComparer.Ordinal.GetHashCode(CanonicalText));

    public static bool operator ==(SettingValue left, SettingValue right) => left.Equals(right);
    public static bool operator !=(SettingValue left, SettingValue right) => !left.Equals(right);

    public override string ToString() => Kind == SettingKind.String ? $"\"{_text}\"" : CanonicalText;

    private InvalidOperationException WrongKind(string wanted) =>
        new($"the value {ToString()} is {Kind.ToString().ToLowerInvariant()}, not {wanted}");
}
