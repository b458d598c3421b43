namespace SweepLab.Sweeps;

/// <summary>
/// One mistake in a sweep spec, located: printed as <c>path:line: key: message</c> so editors and terminals can
/// jump to it. <paramref name="Key"/> is the dotted key path (<c>grid.class_similarity</c>).
/// </summary>
public sealed record SpecError(string? SourcePath, int Line, string Key, string Message)
{
    public override string ToString()
    {
        string where = (SourcePath, Line) switch
        {
            (null or "", <= 0) => "",
            (null or "", _) => $"line {Line}: ",
            (_, <= 0) => $"{SourcePath}: ",
            _ => $"{SourcePath}:{Line}: ",
        };
        return string.IsNullOrEmpty(Key) ? $"{where}{Message}" : $"{where}{Key}: {Message}";
    }
}

/// <summary>
/// A sweep spec that cannot be run, with every error found (not just the first), thrown before any work starts.
/// A <see cref="FormatException"/> so the CLI reports it as bad input.
/// </summary>
public sealed class SweepSpecException : FormatException
{
    public IReadOnlyList<SpecError> Errors { get; }

    public SweepSpecException(IReadOnlyList<SpecError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    private static string FormatMessage(IReadOnlyList<SpecError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0) throw new ArgumentException("a spec exception needs at least one error", nameof(errors));
        if (errors.Count == 1) return errors[0].ToString();
        // The first line stands alone (file:line: key: message); the others follow, one a line.
        return $"{errors[0]} (and {errors.Count - 1} more error{(errors.Count > 2 ? "s" : "")} below)" + Environment.NewLine
            + string.Join(Environment.NewLine, errors.Skip(1).Select(e => "  " + e));
    }
}
