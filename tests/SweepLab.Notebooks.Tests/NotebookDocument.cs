using System.Text.Json;

namespace SweepLab.Notebooks.Tests;

/// <summary>One code cell of a notebook: its 0-based index among all cells, its kernel language and its source.</summary>
public sealed record NotebookCodeCell(int CellIndex, string Language, string Source);

/// <summary>
/// The parts of a Jupyter notebook (nbformat 4, as VS Code's Polyglot Notebooks writes it) that the runner needs:
/// the code cells in order and the language of each. A cell's language comes from its
/// <c>metadata.polyglot_notebook.kernelName</c> (or the older <c>metadata.dotnet_interactive.language</c>), else
/// from the notebook's default kernel (<c>metadata.polyglot_notebook.kernelInfo.defaultKernelName</c>), else from
/// the kernelspec (<c>.net-csharp</c> means C#).
/// </summary>
public sealed record NotebookDocument(string Path, string DefaultLanguage, IReadOnlyList<NotebookCodeCell> CodeCells)
{
    /// <summary>Parses a notebook file; a file that is not a notebook fails with its path in the message.</summary>
    public static NotebookDocument Load(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        if (!root.TryGetProperty("cells", out var cells) || cells.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: not a Jupyter notebook (no 'cells' array)");
        string defaultLanguage = DefaultLanguageOf(root);
        var codeCells = new List<NotebookCodeCell>();
        int index = 0;
        foreach (var cell in cells.EnumerateArray())
        {
            string type = cell.TryGetProperty("cell_type", out var t) ? t.GetString() ?? "" : "";
            if (type == "code")
                codeCells.Add(new NotebookCodeCell(index, LanguageOf(cell) ?? defaultLanguage, SourceOf(cell)));
            index++;
        }
        return new NotebookDocument(path, defaultLanguage, codeCells);
    }

    /// <summary>nbformat allows the source as one string or as a list of lines (each keeping its newline).</summary>
    private static string SourceOf(JsonElement cell)
    {
        if (!cell.TryGetProperty("source", out var source)) return "";
        return source.ValueKind switch
        {
            JsonValueKind.String => source.GetString() ?? "",
            JsonValueKind.Array => string.Concat(source.EnumerateArray().Select(l => l.GetString())),
            _ => "",
        };
    }

    private static string? LanguageOf(JsonElement cell)
    {
        if (!cell.TryGetProperty("metadata", out var metadata)) return null;
        if (metadata.TryGetProperty("polyglot_notebook", out var polyglot) && polyglot.TryGetProperty("kernelName", out var kernel))
            return kernel.GetString();
        if (metadata.TryGetProperty("dotnet_interactive", out var interactive) && interactive.TryGetProperty("language", out var language))
            return language.GetString();
        return null;
    }

    private static string DefaultLanguageOf(JsonElement root)
    {
        if (!root.TryGetProperty("metadata", out var metadata)) return "csharp";
        if (metadata.TryGetProperty("polyglot_notebook", out var polyglot)
            && polyglot.TryGetProperty("kernelInfo", out var info)
            && info.TryGetProperty("defaultKernelName", out var name))
            return name.GetString() ?? "csharp";
        if (metadata.TryGetProperty("kernelspec", out var spec) && spec.TryGetProperty("name", out var specName))
            return specName.GetString() switch
            {
                ".net-csharp" => "csharp",
                ".net-fsharp" => "fsharp",
                ".net-pwsh" => "pwsh",
                var other => other ?? "csharp",
            };
        return "csharp";
    }
}
