using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace SweepLab.Notebooks.Tests;

/// <summary>What running a notebook produced: the displayed outputs, which cells ran and which were skipped.</summary>
public sealed record NotebookRun(string NotebookPath, IReadOnlyList<DisplayedOutput> Outputs, IReadOnlyList<int> ExecutedCells,
    IReadOnlyList<int> SkippedCells);

/// <summary>A notebook cell that did not compile or threw: the message names the notebook and the cell.</summary>
public sealed class NotebookCellException(string notebook, int cellIndex, string message, Exception inner)
    : Exception($"{notebook}: cell {cellIndex} failed: {message}", inner)
{
    public string Notebook { get; } = notebook;
    public int CellIndex { get; } = cellIndex;
}

/// <summary>
/// Runs every C# code cell of a Polyglot notebook in order in one Roslyn script session, the way the notebook kernel
/// would: state carries from cell to cell, a trailing expression is displayed, and <c>display(...)</c> is the shim in
/// <see cref="NotebookGlobals"/>.
/// <para>Magic lines are not run: <c>#r</c> (assembly and <c>nuget:</c> references), <c>#i</c> (package sources)
/// and <c>#!</c> (kernel directives) become blank lines, because this runner supplies the references itself
/// (<see cref="ReferenceRoots"/> and everything they reference) and the imports in <see cref="DefaultImports"/>.
/// A notebook must therefore put its <c>#r "nuget: ..."</c> lines in a setup cell whose remaining code still runs
/// without them. Cells of another kernel (F#, PowerShell, Markdown-in-code) are skipped and reported.</para>
/// <para>The working directory is the notebook's folder while it runs (Polyglot's behaviour), so relative paths
/// such as <c>data/knife-edge/results.csv</c> resolve; and the current culture is a comma-decimal one (de-DE), so a
/// notebook that parses or prints numbers without <c>CultureInfo.InvariantCulture</c> fails here, not for a user.</para>
/// </summary>
public static class NotebookRunner
{
    private static readonly object WorkingDirectoryLock = new();

    /// <summary>The namespaces a Polyglot C# cell can use without a using directive.</summary>
    public static readonly string[] DefaultImports =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks"];

    /// <summary>Assemblies whose types notebooks use; the runner references these and their references, transitively.</summary>
    public static readonly string[] ReferenceRoots =
    [
        "System.Runtime", "System.Linq", "System.Collections", "System.Console", "System.Text.Json",
        "Microsoft.Data.Analysis", "Plotly.NET", "Plotly.NET.CSharp", "FSharp.Core",
        "SweepLab.Core", "SweepLab.Sweeps", "SweepLab.Reports", "SweepLab.Formats",
    ];

    private static readonly Lazy<ScriptOptions> Options = new(CreateOptions);

    /// <summary>Runs the notebook at <paramref name="path"/>; throws <see cref="NotebookCellException"/> at the first failing cell.</summary>
    public static NotebookRun Run(string path)
    {
        var notebook = NotebookDocument.Load(path);
        string name = System.IO.Path.GetFileName(path);
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        lock (WorkingDirectoryLock)
        {
            string previousDirectory = Environment.CurrentDirectory;
            var previousCulture = CultureInfo.CurrentCulture;
            Environment.CurrentDirectory = folder;
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            try
            {
                return RunCells(notebook, name);
            }
            finally
            {
                Environment.CurrentDirectory = previousDirectory;
                CultureInfo.CurrentCulture = previousCulture;
            }
        }
    }

    /// <summary>The source without magic lines (each replaced by a blank line so compiler line numbers still match).</summary>
    public static string StripMagicLines(string source)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("#r ", StringComparison.Ordinal) || trimmed.StartsWith("#i ", StringComparison.Ordinal)
                || trimmed.StartsWith("#!", StringComparison.Ordinal))
                lines[i] = "";
        }
        return string.Join("\n", lines);
    }

    private static bool IsCSharp(string language) =>
        language.Equals("csharp", StringComparison.OrdinalIgnoreCase) || language.Equals("C#", StringComparison.OrdinalIgnoreCase);

    private static NotebookRun RunCells(NotebookDocument notebook, string name)
    {
        var globals = new NotebookGlobals();
        var executed = new List<int>();
        var skipped = new List<int>();
        ScriptState<object>? state = null;
        foreach (var cell in notebook.CodeCells)
        {
            string code = StripMagicLines(cell.Source);
            if (!IsCSharp(cell.Language) || string.IsNullOrWhiteSpace(code))
            {
                skipped.Add(cell.CellIndex);
                continue;
            }
            globals.CurrentCellIndex = cell.CellIndex;
            try
            {
                // Run synchronously: the notebook kernel also runs one cell at a time, and the working directory and
                // culture set above are this thread's (culture) and the process's (directory).
                state = state is null
                    ? CSharpScript.RunAsync(code, Options.Value, globals, typeof(NotebookGlobals)).GetAwaiter().GetResult()
                    : state.ContinueWithAsync(code, Options.Value).GetAwaiter().GetResult();
            }
            catch (CompilationErrorException e)
            {
                throw new NotebookCellException(name, cell.CellIndex, "does not compile: " + string.Join("; ", e.Diagnostics), e);
            }
            catch (Exception e)
            {
                throw new NotebookCellException(name, cell.CellIndex, $"{e.GetType().Name}: {e.Message}", e);
            }
            if (state.Exception is { } thrown)
                throw new NotebookCellException(name, cell.CellIndex, $"{thrown.GetType().Name}: {thrown.Message}", thrown);
            // A trailing expression without a semicolon is displayed by the kernel; so here too.
            if (state.ReturnValue is not null) globals.display(state.ReturnValue);
            executed.Add(cell.CellIndex);
        }
        return new NotebookRun(notebook.Path, globals.Outputs, executed, skipped);
    }

    private static ScriptOptions CreateOptions()
    {
        var assemblies = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Queue<AssemblyName>(ReferenceRoots.Select(r => new AssemblyName(r)));
        while (pending.Count > 0)
        {
            var assemblyName = pending.Dequeue();
            if (assemblies.ContainsKey(assemblyName.Name!)) continue;
            Assembly assembly;
            try { assembly = Assembly.Load(assemblyName); }
            catch (FileNotFoundException) { continue; } // an optional dependency that is not deployed (never used by the cells)
            if (string.IsNullOrEmpty(assembly.Location)) continue;
            assemblies[assemblyName.Name!] = assembly;
            foreach (var reference in assembly.GetReferencedAssemblies()) pending.Enqueue(reference);
        }
        return ScriptOptions.Default
            .WithReferences(assemblies.Values)
            .WithImports(DefaultImports)
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest)
            .WithEmitDebugInformation(false);
    }
}
