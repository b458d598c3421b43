namespace SweepLab.Cli;

/// <summary>
/// The one place where exceptions become exit codes: expected failures (bad files, bad settings) print one clear
/// line to stderr and return 2; anything unexpected prints the exception and returns 1.
/// </summary>
internal static class CommandGuard
{
    public const int ExitOk = 0;
    public const int ExitUnexpected = 1;
    public const int ExitBadInput = 2;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException) when (Interruption.Requested)
        {
            Console.Error.WriteLine($"interrupted: stopped; {Interruption.Kept()}");
            return Interruption.ExitInterrupted;
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitBadInput;
        }
        catch (IOException e) when (DiskSpace.IsFull(e))
        {
            Console.Error.WriteLine($"error: {DiskSpace.Describe(e)}");
            return ExitBadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error (unexpected): {e}");
            return ExitUnexpected;
        }
    }

    private static bool IsUserError(Exception e) => e is Formats.DataFormatException or Engine.Configuration.ConfigValidationException
        or UserInputException or FileNotFoundException or DirectoryNotFoundException or FormatException or InvalidDataException
        or ArgumentException or Compute.ComputeBackendUnavailableException;
}

/// <summary>A mistake in what the user asked for, reported without a stack trace.</summary>
internal sealed class UserInputException(string message) : Exception(message);
