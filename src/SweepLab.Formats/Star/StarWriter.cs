using SweepLab.Core.IO;
using System.Text;

namespace SweepLab.Formats.Star;

/// <summary>
/// Writes a <see cref="StarDocument"/> in RELION's layout (blank line, <c>data_</c>, pairs, <c>loop_</c>,
/// <c>_name #n</c>, right-aligned rows), atomically. Values that would not read back as themselves (empty, with
/// whitespace, starting with a quote, '#', '_', '$', ';' or a reserved word) are quoted.
/// </summary>
public static class StarWriter
{
    /// <summary>Writes the document; <paramref name="headerComment"/> is an optional first line (e.g. RELION's
    /// "version 30001"), written after "# ".</summary>
    public static void Write(string path, StarDocument document, string? headerComment = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        string text = ToText(document, headerComment);
        AtomicFile.Write(path, stream =>
        {
            var bytes = new UTF8Encoding(false).GetBytes(text);
            stream.Write(bytes);
        });
    }

    public static string ToText(StarDocument document, string? headerComment = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var sb = new StringBuilder(1 << 16);
        if (headerComment is not null)
        {
            if (headerComment.Contains('\n')) throw new ArgumentException("the header comment must be one line", nameof(headerComment));
            sb.Append("# ").Append(headerComment).Append('\n');
        }
        foreach (var block in document.Blocks)
        {
            sb.Append('\n').Append("data_").Append(block.Name).Append("\n\n");
            if (block.Pairs.Count > 0)
            {
                int keyWidth = block.Pairs.Max(p => p.Key.Length) + 1;
                foreach (var (key, value) in block.Pairs)
                    sb.Append('_').Append(key.PadRight(keyWidth)).Append(' ').Append(Quote(value)).Append('\n');
                sb.Append('\n');
            }
            if (block.Loop is { } loop)
            {
                sb.Append("loop_\n");
                for (int c = 0; c < loop.Columns.Count; c++)
                    sb.Append('_').Append(loop.Columns[c]).Append(" #").Append(c + 1).Append('\n');
                var formatted = new string[loop.Columns.Count][];
                var widths = new int[loop.Columns.Count];
                for (int c = 0; c < loop.Columns.Count; c++)
                {
                    var column = loop.Column(c);
                    var f = new string[loop.RowCount];
                    int w = 0;
                    for (int r = 0; r < f.Length; r++)
                    {
                        f[r] = Quote(column[r]);
                        if (f[r].Length > w) w = f[r].Length;
                    }
                    formatted[c] = f;
                    widths[c] = w;
                }
                for (int r = 0; r < loop.RowCount; r++)
                {
                    for (int c = 0; c < formatted.Length; c++)
                    {
                        string v = formatted[c][r];
                        if (c > 0) sb.Append(' ');
                        sb.Append(' ', widths[c] - v.Length).Append(v);
                    }
                    sb.Append('\n');
                }
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>The value as it must appear in the file to read back unchanged.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\n') || value.Contains('\r'))
            throw new ArgumentException($"value '{value}' spans lines; STAR text fields are not supported", nameof(value));
        if (!NeedsQuotes(value)) return value;
        if (CanQuoteWith(value, '"')) return "\"" + value + "\"";
        if (CanQuoteWith(value, '\'')) return "'" + value + "'";
        throw new ArgumentException($"value '{value}' cannot be quoted: it holds both quote characters followed by whitespace", nameof(value));
    }

    private static bool NeedsQuotes(string value)
    {
        if (value.Length == 0) return true;
        char first = value[0];
        if (first is '"' or '\'' or '#' or '_' or '$' or ';') return true;
        foreach (char ch in value)
            if (char.IsWhiteSpace(ch)) return true;
        foreach (var reserved in Reserved)
            if (value.StartsWith(reserved, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static readonly string[] Reserved = ["data_", "loop_", "stop_", "save_", "global_"];

    private static bool CanQuoteWith(string value, char quote)
    {
        for (int i = 0; i < value.Length - 1; i++)
            if (value[i] == quote && char.IsWhiteSpace(value[i + 1])) return false;
        return true;
    }
}
