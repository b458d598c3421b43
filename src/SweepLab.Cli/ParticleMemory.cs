using System.Globalization;
using SweepLab.Compute;
using SweepLab.Core.Particles;

namespace SweepLab.Cli;

/// <summary>
/// How much memory the particle images may take in the kernels. A set larger than this is not uploaded whole: each
/// batch is read from the particle cache (or the in-memory set) into a staging buffer as it comes, with identical results
/// (ClassificationKernels.ParticleBudgetBytes). The default is half of the memory this process may use (the machine's,
/// or a container's or SLURM job's limit), leaving the rest to volumes, posteriors and the OS cache.
/// </summary>
internal static class ParticleMemory
{
    public const string Option = "particle-memory-gb";
    public const string OptionDescription = "Memory the particle images may take, in GB (default: half of the memory available); a larger set is read batch by batch from the particle cache, with identical results";

    /// <summary>The budget for this invocation, in bytes (all workers together).</summary>
    public static long BudgetBytes { get; private set; } = DefaultBytes();

    public static long DefaultBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <summary>Takes the option's value (null = the default), refusing what cannot be a budget.</summary>
    public static void Set(double? gigabytes)
    {
        if (gigabytes is not double gb) return;
        if (!double.IsFinite(gb) || gb <= 0)
            throw new UserInputException($"--{Option} {gb.ToString(CultureInfo.InvariantCulture)}: must be a positive number of GB");
        BudgetBytes = (long)Math.Min(gb * (1L << 30), long.MaxValue / 2);
    }

    /// <summary>Each worker's share: every worker holds its own copy of the particles it uses.</summary>
    public static long PerWorker(int workers) => BudgetBytes / Math.Max(1, workers);

    /// <summary>Kernels for a set under this budget share: uploaded whole when it fits, else staged (said in the log).</summary>
    public static ClassificationKernels Kernels(ComputeDevice device, ParticleSet set, long budgetBytes, Action<string>? log)
    {
        var kernels = new ClassificationKernels(device) { ParticleBudgetBytes = budgetBytes };
        try
        {
            kernels.UploadParticles(set);
        }
        catch
        {
            kernels.Dispose();
            throw;
        }
        if (kernels.Staging)
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"particles need {ClassificationKernels.ResidentBytes(set) / (double)(1L << 30):0.0#} GB, over the {budgetBytes / (double)(1L << 30):0.0#} GB budget (--{Option}): batches are read as they come, {kernels.StageCapacity} particles at a time"));
        return kernels;
    }
}
