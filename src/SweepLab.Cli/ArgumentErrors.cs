using Cocona.Command.Binder;
using Cocona.Command.Dispatcher;
using Cocona.Filters;

namespace SweepLab.Cli;

/// <summary>
/// Command-line mistakes (unknown option, missing option, a value of the wrong type) as one line naming the option,
/// exit 2, like every other bad input. Cocona printed "requires Nullable`1 value" and exited 1 or 129.
/// </summary>
internal static class ArgumentErrors
{
    /// <summary>Outermost dispatcher middleware: refuses unknown options before Cocona's own check (exit 129).</summary>
    public static ValueTask<int> RejectUnknownOptions(CommandDispatchDelegate next, CommandDispatchContext context)
    {
        if (context.ParsedCommandLine.UnknownOptions.Count > 0)
        {
            string name = context.ParsedCommandLine.UnknownOptions[0];
            Console.Error.WriteLine($"error: --{name.TrimStart('-')}: unknown option of '{context.Command.Name}'; see sweeplab {context.Command.Name} --help");
            return new ValueTask<int>(CommandGuard.ExitBadInput);
        }
        return next(context);
    }

    /// <summary>Binding runs inside the filter chain, so its exceptions are caught here before Cocona's handler.</summary>
    public sealed class BindingFilter : CommandFilterAttribute
    {
        public override async ValueTask<int> OnCommandExecutionAsync(CoconaCommandExecutingContext ctx, CommandExecutionDelegate next)
        {
            try
            {
                return await next(ctx).ConfigureAwait(false);
            }
            catch (ParameterBinderException e)
            {
                Console.Error.WriteLine($"error: {Describe(e, ctx)}");
                return CommandGuard.ExitBadInput;
            }
        }

        private static string Describe(ParameterBinderException e, CoconaCommandExecutingContext ctx)
        {
            string command = ctx.Command.Name;
            if (e.Option is { } option)
            {
                string given = ctx.ParsedCommandLine.Options.Where(o => ReferenceEquals(o.Option, option)).Select(o => o.Value).FirstOrDefault() ?? "";
                return e.Result switch
                {
                    ParameterBinderResult.InsufficientOption => $"--{option.Name}: required by '{command}'; see sweeplab {command} --help",
                    ParameterBinderResult.InsufficientOptionValue => $"--{option.Name}: needs a value",
                    _ => $"--{option.Name}: '{given}' is not {Expected(option.OptionType)}",
                };
            }
            if (e.Argument is { } argument)
                return e.Result == ParameterBinderResult.InsufficientArgument
                    ? $"{argument.Name}: required by '{command}'; see sweeplab {command} --help"
                    : $"{argument.Name}: {e.Message}";
            return e.Message;
        }

        private static string Expected(Type type)
        {
            var t = Nullable.GetUnderlyingType(type) ?? type;
            if (t == typeof(int) || t == typeof(long)) return "an integer";
            if (t == typeof(ulong) || t == typeof(uint)) return "a non-negative integer";
            if (t == typeof(double) || t == typeof(float)) return "a number";
            if (t == typeof(bool)) return "true or false";
            return $"a valid {t.Name}";
        }
    }
}
