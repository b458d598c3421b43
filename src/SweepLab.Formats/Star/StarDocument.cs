namespace SweepLab.Formats.Star;

/// <summary>
/// A STAR file as data: ordered <c>data_</c> blocks, each with key-value pairs and at most one loop. Values stay
/// strings (unknown columns pass through untouched); names are stored without the leading underscore.
/// </summary>
public sealed class StarDocument
{
    public List<StarBlock> Blocks { get; } = [];

    public StarBlock? Find(string name) => Blocks.Find(b => b.Name == name);

    public StarBlock Add(StarBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        Blocks.Add(block);
        return block;
    }

    /// <summary>Same blocks, pairs, columns and values in the same order (line numbers are not content).</summary>
    public bool ContentEquals(StarDocument other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Blocks.Count != other.Blocks.Count) return false;
        for (int i = 0; i < Blocks.Count; i++)
            if (!Blocks[i].ContentEquals(other.Blocks[i])) return false;
        return true;
    }

    public StarDocument Clone()
    {
        var copy = new StarDocument();
        foreach (var b in Blocks) copy.Blocks.Add(b.Clone());
        return copy;
    }
}

/// <summary>One <c>data_NAME</c> block.</summary>
public sealed class StarBlock
{
    public StarBlock(string name, StarLoop? loop = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Any(char.IsWhiteSpace)) throw new ArgumentException($"block name '{name}' contains whitespace", nameof(name));
        Name = name;
        Loop = loop;
    }

    /// <summary>The text after <c>data_</c> (may be empty: RELION 3.0 particle files use a bare <c>data_</c>).</summary>
    public string Name { get; }

    public List<KeyValuePair<string, string>> Pairs { get; } = [];

    public StarLoop? Loop { get; set; }

    public string? GetPair(string key)
    {
        foreach (var p in Pairs)
            if (p.Key == key) return p.Value;
        return null;
    }

    public bool ContentEquals(StarBlock other)
    {
        if (Name != other.Name || Pairs.Count != other.Pairs.Count) return false;
        for (int i = 0; i < Pairs.Count; i++)
            if (Pairs[i].Key != other.Pairs[i].Key || Pairs[i].Value != other.Pairs[i].Value) return false;
        if (Loop is null || other.Loop is null) return Loop is null && other.Loop is null;
        return Loop.ContentEquals(other.Loop);
    }

    public StarBlock Clone()
    {
        var copy = new StarBlock(Name, Loop?.Clone());
        copy.Pairs.AddRange(Pairs);
        return copy;
    }
}

/// <summary>
/// A <c>loop_</c> table stored column by column, so columns can be added, replaced or removed cheaply when
/// results are written back into a user's file. Each row remembers the line it came from, for error messages.
/// </summary>
public sealed class StarLoop
{
    private readonly List<string> _names = [];
    private readonly List<List<string>> _columns = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<int> _lineNumbers = [];

    public StarLoop() { }

    public StarLoop(IEnumerable<string> columnNames)
    {
        foreach (var n in columnNames) AddColumn(n);
    }

    public IReadOnlyList<string> Columns => _names;

    public int RowCount { get; private set; }

    public string this[int row, int column] => _columns[column][row];

    /// <summary>Index of a column, or -1 when absent.</summary>
    public int ColumnIndex(string name) => _index.TryGetValue(name, out int i) ? i : -1;

    public bool HasColumn(string name) => _index.ContainsKey(name);

    /// <summary>All values of one column, in row order.</summary>
    public IReadOnlyList<string> Column(int column) => _columns[column];

    /// <summary>1-based line of the row in the file it was read from; 0 for rows built in code.</summary>
    public int LineNumber(int row) => _lineNumbers[row];

    /// <summary>Adds an empty column (only while the loop has no rows).</summary>
    public void AddColumn(string name)
    {
        ValidateName(name);
        if (RowCount > 0) throw new InvalidOperationException("columns of a loop with rows are set with SetColumn");
        if (_index.ContainsKey(name)) throw new ArgumentException($"column '{name}' appears twice", nameof(name));
        _index[name] = _names.Count;
        _names.Add(name);
        _columns.Add([]);
    }

    public void AddRow(IReadOnlyList<string> values, int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != _names.Count)
            throw new ArgumentException($"row has {values.Count} values; the loop has {_names.Count} columns", nameof(values));
        for (int c = 0; c < values.Count; c++) _columns[c].Add(values[c] ?? throw new ArgumentNullException(nameof(values)));
        _lineNumbers.Add(lineNumber);
        RowCount++;
    }

    /// <summary>Replaces the values of an existing column (keeping its position) or appends a new one.</summary>
    public void SetColumn(string name, IReadOnlyList<string> values)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(values);
        if (_names.Count > 0 && values.Count != RowCount)
            throw new ArgumentException($"column '{name}' has {values.Count} values; the loop has {RowCount} rows", nameof(values));
        var list = new List<string>(values);
        if (_index.TryGetValue(name, out int i)) _columns[i] = list;
        else
        {
            if (_names.Count == 0)
            {
                RowCount = values.Count;
                _lineNumbers.AddRange(Enumerable.Repeat(0, values.Count));
            }
            _index[name] = _names.Count;
            _names.Add(name);
            _columns.Add(list);
        }
    }

    public bool RemoveColumn(string name)
    {
        if (!_index.TryGetValue(name, out int i)) return false;
        _names.RemoveAt(i);
        _columns.RemoveAt(i);
        _index.Clear();
        for (int k = 0; k < _names.Count; k++) _index[_names[k]] = k;
        return true;
    }

    public bool ContentEquals(StarLoop other)
    {
        if (RowCount != other.RowCount || _names.Count != other._names.Count) return false;
        for (int c = 0; c < _names.Count; c++)
        {
            if (_names[c] != other._names[c]) return false;
            var a = _columns[c];
            var b = other._columns[c];
            for (int r = 0; r < RowCount; r++)
                if (!string.Equals(a[r], b[r], StringComparison.Ordinal)) return false;
        }
        return true;
    }

    public StarLoop Clone()
    {
        var copy = new StarLoop();
        foreach (var n in _names) copy.AddColumn(n);
        for (int c = 0; c < _names.Count; c++) copy._columns[c].AddRange(_columns[c]);
        copy._lineNumbers.AddRange(_lineNumbers);
        copy.RowCount = RowCount;
        return copy;
    }

    internal List<string> MutableColumn(int column) => _columns[column];

    internal void CommitParsedRow(int lineNumber)
    {
        _lineNumbers.Add(lineNumber);
        RowCount++;
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name[0] == '_' || name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"column name '{name}' must not start with '_' or contain whitespace", nameof(name));
    }
}
