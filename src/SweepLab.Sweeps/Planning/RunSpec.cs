using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SweepLab.Sweeps;

/// <summary>
/// One run: the complete settings of its configuration (without the seed), the seed, and stable ids.
/// <see cref="ConfigId"/> hashes the settings only, so the repeats of a configuration share it; <see cref="RunId"/>
/// hashes settings and seed, so the same run gets the same folder in every sweep and is never computed twice. The
/// planner gives runs their settings in the objective's canonical form (see <see cref="SweepPlanner.Plan"/>), so every
/// spelling of a value (soft, off, OFF) hashes to one id.
/// </summary>
public sealed record RunSpec
{
    public SettingMap Settings { get; }
    public long Seed { get; }
    public int RepeatIndex { get; }
    public string ConfigId { get; }
    public string RunId { get; }

    public RunSpec(SettingMap settings, long seed, int repeatIndex)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(repeatIndex);
        Settings = settings;
        Seed = seed;
        RepeatIndex = repeatIndex;
        ConfigId = CanonicalJson.ConfigId(settings);
        RunId = CanonicalJson.RunId(settings, seed);
    }

    /// <summary>Runs are equal when their ids are: the id covers every setting and the seed.</summary>
    public bool Equals(RunSpec? other) => other is not null && RunId == other.RunId && RepeatIndex == other.RepeatIndex;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(RunId);

    public override string ToString() => $"{RunId} (repeat {RepeatIndex}, seed {Seed}: {Settings})";
}

/// <summary>
/// The canonical JSON form of settings that ids hash: keys sorted ordinally (so the order in the sweep file does
/// not matter), no whitespace, numbers in their canonical text (<see cref="SettingValue.CanonicalText"/>).
/// Ids are the first 16 hex digits (64 bits) of the SHA-256 of its UTF-8 bytes.
/// </summary>
public static class CanonicalJson
{
    public static string Settings(IReadOnlyDictionary<string, SettingValue> settings, long? seed = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (seed is long s) writer.WriteNumber("seed", s);
            writer.WriteStartObject("settings");
            foreach (var key in settings.Keys.OrderBy(k => k, StringComparer.Ordinal))
            {
                writer.WritePropertyName(key);
                WriteValue(writer, settings[key]);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static void WriteValue(Utf8JsonWriter writer, SettingValue value)
    {
        switch (value.Kind)
        {
            case SettingKind.String: writer.WriteStringValue(value.AsString); break;
            case SettingKind.Boolean: writer.WriteBooleanValue(value.AsBoolean); break;
            default: writer.WriteRawValue(value.CanonicalText, skipInputValidation: false); break;
        }
    }

    public static string ConfigId(IReadOnlyDictionary<string, SettingValue> settings) => Hash16(Settings(settings));

    public static string RunId(IReadOnlyDictionary<string, SettingValue> settings, long seed) => Hash16(Settings(settings, seed));

    private static string Hash16(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}

/// <summary>
/// Seeds of the repeats: repeat r of every configuration gets the same seed (common random numbers, so
/// configurations are compared on the same draws, and runs that share a seed can share a pass over the data),
/// derived from the sweep's base seed by a SplitMix64 finaliser and kept in [0, 2^31) for tools with 32-bit seeds.
/// </summary>
public static class SeedDerivation
{
    public static long ForRepeat(long baseSeed, int repeatIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(repeatIndex);
        ulong z = unchecked((ulong)baseSeed + 0x9E3779B97F4A7C15UL * (ulong)(repeatIndex + 1));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (long)(z >> 33);
    }
}
