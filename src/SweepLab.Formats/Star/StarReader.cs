namespace SweepLab.Formats.Star;

/// <summary>
/// Reads STAR files as RELION writes them: <c>data_</c> blocks, <c>_name value</c> pairs, <c>loop_</c> tables;
/// values separated by whitespace, optionally quoted with " or ' (a quote closes only when followed by whitespace
/// or the end of the line, as in STAR 1.1); '#' starts a comment outside quotes; blank lines are skipped.
/// </summary>
public static class StarReader
{
    public static StarDocument Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFormatException(path, "file not found", innerException: e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses STAR text; <paramref name="path"/> names the source in error messages.</summary>
    public static StarDocument Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        var doc = new StarDocument();
        StarBlock? block = null;
        StarLoop? loop = null;
        bool inLoopHeader = false;
        var tokens = new List<(int Start, int Length)>(64);
        int lineNumber = 0;
        int position = 0;
        var span = text.AsSpan();
        while (position <= span.Length)
        {
            int end = span[position..].IndexOf('\n');
            int lineEnd = end < 0 ? span.Length : position + end;
            var line = span[position..lineEnd];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            int lineStart = position;
            position = lineEnd + 1;
            lineNumber++;

            var trimmed = line.TrimStart();
            if (trimmed.IsEmpty || trimmed[0] == '#')
            {
                if (end < 0) break;
                continue;
            }

            if (trimmed.StartsWith("data_", StringComparison.Ordinal))
            {
                var name = FirstToken(trimmed)[5..];
                block = doc.Add(new StarBlock(name.ToString()));
                loop = null;
                inLoopHeader = false;
            }
            else if (IsKeyword(trimmed, "loop_"))
            {
                if (block is null) throw new DataFormatException(path, "loop_ before any data_ block", lineNumber);
                if (block.Loop is not null)
                    throw new DataFormatException(path, $"a second loop_ in block data_{block.Name}; SweepLab reads one loop per block", lineNumber);
                loop = new StarLoop();
                block.Loop = loop;
                inLoopHeader = true;
            }
            else if (IsKeyword(trimmed, "stop_"))
            {
                loop = null;
                inLoopHeader = false;
            }
            else if (trimmed[0] == '_')
            {
                if (block is null) throw new DataFormatException(path, "a _name before any data_ block", lineNumber);
                int offset = lineStart + (line.Length - trimmed.Length);
                Tokenize(text, offset, offset + trimmed.Length, tokens, path, lineNumber);
                string name = text.Substring(tokens[0].Start + 1, tokens[0].Length - 1);
                if (name.Length == 0) throw new DataFormatException(path, "a label consisting of '_' alone", lineNumber);
                if (inLoopHeader && loop is not null)
                {
                    if (loop.HasColumn(name))
                        throw new DataFormatException(path, $"column _{name} appears twice in data_{block.Name}", lineNumber);
                    loop.AddColumn(name);
                }
                else
                {
                    loop = null; // a pair after a loop's rows ends the loop
                    if (tokens.Count < 2)
                        throw new DataFormatException(path, $"_{name} has no value", lineNumber);
                    if (tokens.Count > 2)
                        throw new DataFormatException(path, $"_{name} has {tokens.Count - 1} values; a key-value pair takes one", lineNumber);
                    block.Pairs.Add(new(name, TokenText(text, tokens[1])));
                }
            }
            else
            {
                if (loop is null || block is null)
                    throw new DataFormatException(path, $"unexpected text '{Shorten(trimmed)}' outside a loop_", lineNumber);
                if (loop.Columns.Count == 0)
                    throw new DataFormatException(path, $"loop_ in data_{block.Name} has values but no column names", lineNumber);
                inLoopHeader = false;
                int offset = lineStart + (line.Length - trimmed.Length);
                Tokenize(text, offset, offset + trimmed.Length, tokens, path, lineNumber);
                if (tokens.Count != loop.Columns.Count)
                    throw new DataFormatException(path,
                        $"row has {tokens.Count} values; data_{block.Name} has {loop.Columns.Count} columns", lineNumber);
                for (int c = 0; c < tokens.Count; c++)
                {
                    var column = loop.MutableColumn(c);
                    var t = tokens[c];
                    var value = TokenSpan(text, t);
                    // Neighbouring rows often repeat a value (micrograph, optics group, defocus): share the string.
                    if (column.Count > 0 && value.SequenceEqual(column[^1])) column.Add(column[^1]);
                    else column.Add(value.ToString());
                }
                loop.CommitParsedRow(lineNumber);
            }
            if (end < 0) break;
        }
        return doc;
    }

    private static bool IsKeyword(ReadOnlySpan<char> trimmed, string keyword) =>
        trimmed.StartsWith(keyword, StringComparison.Ordinal) &&
        (trimmed.Length == keyword.Length || char.IsWhiteSpace(trimmed[keyword.Length]) || trimmed[keyword.Length] == '#');

    private static ReadOnlySpan<char> FirstToken(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
        return s[..i];
    }

    private static string Shorten(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : s[..40].ToString() + "...";

    private static ReadOnlySpan<char> TokenSpan(string text, (int Start, int Length) t) => text.AsSpan(t.Start, t.Length);

    private static string TokenText(string text, (int Start, int Length) t) => text.Substring(t.Start, t.Length);

    /// <summary>Splits text[start..end) into values (quotes removed); stops at a '#' that starts a token.</summary>
    private static void Tokenize(string text, int start, int end, List<(int, int)> tokens, string path, int lineNumber)
    {
        tokens.Clear();
        int i = start;
        while (true)
        {
            while (i < end && char.IsWhiteSpace(text[i])) i++;
            if (i >= end || text[i] == '#') return;
            char c = text[i];
            if (c == '"' || c == '\'')
            {
                int j = i + 1;
                while (true)
                {
                    if (j >= end) throw new DataFormatException(path, $"unterminated {c}-quoted value", lineNumber);
                    if (text[j] == c && (j + 1 == end || char.IsWhiteSpace(text[j + 1]))) break;
                    j++;
                }
                tokens.Add((i + 1, j - i - 1));
                i = j + 1;
            }
            else
            {
                int j = i;
                while (j < end && !char.IsWhiteSpace(text[j])) j++;
                tokens.Add((i, j - i));
                i = j;
            }
        }
    }
}
