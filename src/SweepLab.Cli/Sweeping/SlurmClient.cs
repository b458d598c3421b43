using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace SweepLab.Cli.Sweeping;

/// <summary>
/// The SLURM client commands SweepLab uses (sbatch, squeue, scontrol, scancel), run as processes in the caller's
/// environment (so SLURM_CONF and the user's defaults apply). No accounting database is needed: state comes from
/// squeue while a job is known to the controller, and from the result store afterwards.
/// </summary>
internal sealed class SlurmClient
{
    /// <summary>squeue states of a job that may still run or write (array elements listed one per line with -r).</summary>
    private static readonly HashSet<string> ActiveStates = new(StringComparer.Ordinal)
    {
        "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
        "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD", "SPECIAL_EXIT",
    };

    public static bool IsActive(string state) => ActiveStates.Contains(state);

    /// <summary>Submits a batch script; returns the job id (sbatch --parsable prints "id" or "id;cluster").</summary>
    public string Submit(IEnumerable<string> options, string script)
    {
        var args = new List<string> { "--parsable" };
        args.AddRange(options);
        args.Add(script);
        string output = Run("sbatch", args).Trim();
        string id = output.Split(';')[0].Trim();
        if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new InvalidOperationException($"sbatch printed '{output}', not a job id");
        return id;
    }

    /// <summary>This user's jobs known to the controller: squeue id (JOBID or JOBID_INDEX) to state.</summary>
    public IReadOnlyDictionary<string, string> Queue()
    {
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in Run("squeue", ["-h", "-r", "--me", "-o", "%i %T"]).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2) states[parts[0]] = parts[1];
        }
        return states;
    }

    /// <summary>The cluster's MaxArraySize (largest array index + 1), or null when scontrol does not say.</summary>
    public int? MaxArraySize()
    {
        foreach (string line in Run("scontrol", ["show", "config"]).Split('\n'))
        {
            var parts = line.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0] == "MaxArraySize" && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int size)) return size;
        }
        return null;
    }

    public void Cancel(string jobId) => Run("scancel", [jobId]);

    private static string Run(string command, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start");
        }
        catch (Win32Exception e)
        {
            throw new UserInputException($"{command}: {e.Message}; the SLURM executor needs SLURM's client commands (Debian: slurm-client) on PATH");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill();
                throw new UserInputException($"{command} {string.Join(' ', args)}: no answer within 2 minutes");
            }
            if (process.ExitCode != 0)
                throw new UserInputException($"{command} {string.Join(' ', args)} failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
            return stdout;
        }
    }
}
