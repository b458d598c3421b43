using SweepLab.Formats.Star;

namespace SweepLab.Formats.Particles;

/// <summary>Typed access to a STAR loop's cells with errors that name the file, line, column and value.</summary>
internal readonly struct TableColumns(StarLoop loop, string path, string blockName)
{
    public StarLoop Loop => loop;

    public int Optional(string name) => loop.ColumnIndex(name);

    public int Require(string name, string why)
    {
        int i = loop.ColumnIndex(name);
        if (i < 0) throw new DataFormatException(path, $"data_{blockName} has no column _{name} ({why})");
        return i;
    }

    public string Text(int column, int row) => loop[row, column];

    public double Double(int column, int row)
    {
        string text = loop[row, column];
        if (!InvariantNumbers.TryParse(text, out double value))
            throw new DataFormatException(path, $"_{loop.Columns[column]} value '{text}' is not a number", LineOf(row), row);
        if (!double.IsFinite(value))
            throw new DataFormatException(path, $"_{loop.Columns[column]} value '{text}' is not finite", LineOf(row), row);
        return value;
    }

    public double DoubleOr(int column, int row, double fallback) => column < 0 ? fallback : Double(column, row);

    public int Int(int column, int row)
    {
        string text = loop[row, column];
        if (!InvariantNumbers.TryParse(text, out int value))
            throw new DataFormatException(path, $"_{loop.Columns[column]} value '{text}' is not an integer", LineOf(row), row);
        return value;
    }

    public int? LineOf(int row) => loop.LineNumber(row) is > 0 and var l ? l : null;

    public DataFormatException Error(int row, string problem, Exception? inner = null) =>
        new(path, problem, LineOf(row), row, inner);
}
