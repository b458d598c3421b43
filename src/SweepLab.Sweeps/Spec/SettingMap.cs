using System.Collections;

namespace SweepLab.Sweeps;

/// <summary>
/// An immutable name -> value map that remembers insertion order (the order of the sweep file), so tables list
/// settings the way the user wrote them. Ids do not depend on this order (see <see cref="CanonicalJson"/>).
/// </summary>
public sealed class SettingMap : IReadOnlyDictionary<string, SettingValue>
{
    private readonly string[] _keys;
    private readonly Dictionary<string, SettingValue> _values;

    public static SettingMap Empty { get; } = new([]);

    /// <summary>Builds a map; a repeated name is a programming error here (the parsers report it with a line).</summary>
    public SettingMap(IEnumerable<KeyValuePair<string, SettingValue>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var keys = new List<string>();
        _values = new Dictionary<string, SettingValue>(StringComparer.Ordinal);
        foreach (var (key, value) in entries)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("a setting name must not be empty", nameof(entries));
            if (!_values.TryAdd(key, value)) throw new ArgumentException($"setting '{key}' appears twice", nameof(entries));
            keys.Add(key);
        }
        _keys = keys.ToArray();
    }

    /// <summary>A copy with one more setting at the end, or with an existing setting's value replaced in place.</summary>
    public SettingMap With(string key, SettingValue value)
    {
        if (_values.ContainsKey(key))
            return new SettingMap(_keys.Select(k => new KeyValuePair<string, SettingValue>(k, k == key ? value : _values[k])));
        return new SettingMap(this.Append(new KeyValuePair<string, SettingValue>(key, value)));
    }

    public SettingValue this[string key] => _values.TryGetValue(key, out var value)
        ? value
        : throw new KeyNotFoundException($"no setting named '{key}'");

    public IEnumerable<string> Keys => _keys;
    public IEnumerable<SettingValue> Values => _keys.Select(k => _values[k]);
    public int Count => _keys.Length;
    public bool ContainsKey(string key) => _values.ContainsKey(key);
    public bool TryGetValue(string key, out SettingValue value) => _values.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, SettingValue>> GetEnumerator()
    {
        foreach (var key in _keys) yield return new KeyValuePair<string, SettingValue>(key, _values[key]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", this.Select(kv => $"{kv.Key}={kv.Value.CanonicalText}"));
}
