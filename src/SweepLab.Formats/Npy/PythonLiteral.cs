using System.Globalization;
using System.Text;

namespace SweepLab.Formats.Npy;

/// <summary>
/// Parses the Python literal in a .npy header (a dict of strings, booleans, ints, tuples and lists), which is all
/// NumPy writes there. Dicts become Dictionary&lt;string, object&gt;, tuples and lists List&lt;object&gt;.
/// </summary>
internal sealed class PythonLiteral
{
    private readonly string _text;
    private readonly string _path;
    private int _i;

    private PythonLiteral(string text, string path)
    {
        _text = text;
        _path = path;
    }

    public static object Parse(string text, string path)
    {
        var p = new PythonLiteral(text, path);
        var value = p.Value();
        p.SkipSpace();
        if (p._i != text.Length) throw p.Error("unexpected text after the header dict");
        return value;
    }

    private DataFormatException Error(string problem) =>
        new(_path, $"NumPy header: {problem} at character {_i} of \"{(_text.Length > 200 ? _text[..200] + "..." : _text)}\"");

    private void SkipSpace()
    {
        while (_i < _text.Length && char.IsWhiteSpace(_text[_i])) _i++;
    }

    private object Value()
    {
        SkipSpace();
        if (_i >= _text.Length) throw Error("unexpected end");
        char c = _text[_i];
        switch (c)
        {
            case '{': return Dict();
            case '[': return Sequence(']');
            case '(': return Sequence(')');
            case '\'':
            case '"': return String();
        }
        if (c == '-' || char.IsDigit(c))
        {
            int start = _i;
            _i++;
            while (_i < _text.Length && char.IsDigit(_text[_i])) _i++;
            if (_i < _text.Length && _text[_i] == 'L') _i++; // Python 2 longs
            var digits = _text.AsSpan(start, _i - start).TrimEnd('L');
            return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)
                ? v : throw Error($"integer '{digits}' out of range");
        }
        foreach (var (word, value) in new (string, object)[] { ("True", true), ("False", false), ("None", NoneValue) })
        {
            if (string.CompareOrdinal(_text, _i, word, 0, word.Length) == 0)
            {
                _i += word.Length;
                return value;
            }
        }
        throw Error($"unexpected character '{c}'");
    }

    /// <summary>Python's None.</summary>
    public static readonly object NoneValue = new();

    private Dictionary<string, object> Dict()
    {
        _i++;
        var d = new Dictionary<string, object>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (_i < _text.Length && _text[_i] == '}') { _i++; return d; }
            if (Value() is not string key) throw Error("dict key is not a string");
            SkipSpace();
            if (_i >= _text.Length || _text[_i] != ':') throw Error("':' expected");
            _i++;
            d[key] = Value();
            SkipSpace();
            if (_i < _text.Length && _text[_i] == ',') { _i++; continue; }
            if (_i < _text.Length && _text[_i] == '}') { _i++; return d; }
            throw Error("',' or '}' expected");
        }
    }

    private List<object> Sequence(char close)
    {
        _i++;
        var list = new List<object>();
        while (true)
        {
            SkipSpace();
            if (_i < _text.Length && _text[_i] == close) { _i++; return list; }
            list.Add(Value());
            SkipSpace();
            if (_i < _text.Length && _text[_i] == ',') { _i++; continue; }
            if (_i < _text.Length && _text[_i] == close) { _i++; return list; }
            throw Error($"',' or '{close}' expected");
        }
    }

    private string String()
    {
        char quote = _text[_i++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_i >= _text.Length) throw Error("unterminated string");
            char c = _text[_i++];
            if (c == quote) return sb.ToString();
            if (c == '\\')
            {
                if (_i >= _text.Length) throw Error("unterminated string");
                char e = _text[_i++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
            }
            else sb.Append(c);
        }
    }
}
