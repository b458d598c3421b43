namespace SweepLab.Engine.Configuration;

/// <summary>One problem with a setting: the snake_case key a YAML file or the CLI uses, and what is wrong, with the allowed range.</summary>
public sealed record ConfigError(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}

/// <summary>Thrown when a configuration is invalid; lists every problem at once so a user fixes them in one pass.</summary>
public sealed class ConfigValidationException : Exception
{
    public IReadOnlyList<ConfigError> Errors { get; }

    public ConfigValidationException(IReadOnlyList<ConfigError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    private static string FormatMessage(IReadOnlyList<ConfigError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0) return "invalid classification settings";
        // The first line stands alone (key: problem, range); any others follow, one a line.
        return $"{errors[0]}{(errors.Count > 1 ? $" (and {errors.Count - 1} more below)" : "")}"
               + string.Concat(errors.Skip(1).Select(e => Environment.NewLine + "  " + e));
    }
}
