using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using SweepLab.Compute.Kernels;
using SweepLab.Core.Ctf;

namespace SweepLab.Compute;

/// <summary>Thrown when an explicitly requested backend is not available on this machine.</summary>
public sealed class ComputeBackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The one accelerator the kernels run on, chosen once and passed down as an instance (never a static). Owns
/// the ILGPU context and accelerator. <see cref="Warnings"/> says what was tried and fell through, so a user
/// running at 1/25 of the expected speed on the CPU accelerator learns why.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    /// <summary>Largest single buffer allowed on PoCL (strictly below 2 GiB; PoCL 3.1 fails at 2 GiB).</summary>
    public const long PoclMaxBufferBytes = (2L << 30) - 4096;

    private readonly Context _context;
    private bool _disposed;

    /// <summary>Device name as the driver reports it.</summary>
    public string Name { get; }
    /// <summary>The backend actually running (never <see cref="ComputeBackend.Auto"/>).</summary>
    public ComputeBackend Kind { get; }
    /// <summary>Fallbacks and workarounds that happened while choosing the device.</summary>
    public IReadOnlyList<string> Warnings { get; }
    /// <summary>Whether the device is the host CPU (PoCL or the CPU accelerator): partial counts scale with cores.</summary>
    public bool IsCpu => Kind is ComputeBackend.Pocl or ComputeBackend.Cpu;
    /// <summary>Hardware threads (CPU) or multiprocessors (GPU), for choosing work splits.</summary>
    public int ParallelUnits { get; }
    /// <summary>Largest single device buffer the kernels may allocate.</summary>
    public long MaxBufferBytes { get; }

    internal Accelerator Accelerator { get; }

    private ComputeDevice(Context context, Accelerator accelerator, ComputeBackend kind, IReadOnlyList<string> warnings)
    {
        _context = context;
        Accelerator = accelerator;
        Kind = kind;
        Warnings = warnings;
        Name = accelerator.Name;
        ParallelUnits = kind == ComputeBackend.Cpu
            ? Environment.ProcessorCount
            : Math.Max(1, accelerator.NumMultiprocessors);
        // Every kernel indexes with 32-bit ints, so no buffer may hold 2^31 floats either.
        long intLimit = (long)int.MaxValue * sizeof(float);
        MaxBufferBytes = kind is ComputeBackend.Pocl or ComputeBackend.OpenCL
            ? Math.Min(PoclMaxBufferBytes, intLimit)
            : intLimit;
    }

    /// <summary>
    /// Opens the requested backend. <see cref="ComputeBackend.Auto"/> tries CUDA, an OpenCL GPU, PoCL and the
    /// CPU accelerator in that order; an explicit request that cannot be met throws
    /// <see cref="ComputeBackendUnavailableException"/> (except that a PoCL device whose probe kernel fails still
    /// throws: the caller asked for it). <paramref name="log"/> receives one line per step.
    /// </summary>
    public static ComputeDevice Create(ComputeBackend requested, Action<string>? log = null) =>
        Create(requested, log, PoclSupport.GenericAddressSpaceMember);

    /// <summary>Test seam: the reflection target can be renamed to check the failure path.</summary>
    internal static ComputeDevice Create(ComputeBackend requested, Action<string>? log, string genericAddressSpaceMember)
    {
        var warnings = new List<string>();
        void Warn(string message)
        {
            warnings.Add(message);
            log?.Invoke("warning: " + message);
        }

        switch (requested)
        {
            case ComputeBackend.Cuda:
                return TryCuda(log, warnings, out string? cudaWhy)
                       ?? throw new ComputeBackendUnavailableException($"CUDA backend requested but unavailable: {cudaWhy}");
            case ComputeBackend.OpenCL:
                return TryOpenClGpu(log, warnings, Warn, out string? clWhy)
                       ?? throw new ComputeBackendUnavailableException($"OpenCL GPU backend requested but unavailable: {clWhy}");
            case ComputeBackend.Pocl:
                return TryPocl(log, warnings, Warn, genericAddressSpaceMember, out string? poclWhy)
                       ?? throw new ComputeBackendUnavailableException($"PoCL backend requested but unavailable: {poclWhy}");
            case ComputeBackend.Cpu:
                return CreateCpu(log, warnings);
            case ComputeBackend.Auto:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(requested), requested, "unknown compute backend");
        }

        // A missing device is normal and only logged; a device that exists but fails is worth a warning.
        void Report(string backend, string? reason)
        {
            if (reason is not null && reason.StartsWith("no ", StringComparison.Ordinal)) log?.Invoke($"{backend}: {reason}");
            else Warn($"{backend} skipped: {reason}");
        }

        ComputeDevice? device = TryCuda(log, warnings, out string? why);
        if (device is not null) return device;
        Report("CUDA", why);
        device = TryOpenClGpu(log, warnings, Warn, out why);
        if (device is not null) return device;
        Report("OpenCL GPU", why);
        device = TryPocl(log, warnings, Warn, genericAddressSpaceMember, out why);
        if (device is not null) return device;
        Warn($"PoCL unavailable ({why}); falling back to ILGPU's CPU accelerator, about 25x slower");
        return CreateCpu(log, warnings);
    }

    private static ComputeDevice? TryCuda(Action<string>? log, List<string> warnings, out string? why)
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O1));
            var devices = context.GetCudaDevices();
            if (devices.Count == 0)
            {
                why = "no CUDA device";
                context.Dispose();
                return null;
            }
            Accelerator accelerator = devices[0].CreateAccelerator(context);
            log?.Invoke($"CUDA: using {accelerator.Name}");
            why = null;
            return new ComputeDevice(context, accelerator, ComputeBackend.Cuda, warnings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            why = $"CUDA initialisation failed: {e.Message}";
            return null;
        }
    }

    private static ComputeDevice? TryOpenClGpu(Action<string>? log, List<string> warnings, Action<string> warn, out string? why)
    {
        string? resolverWarning = PoclSupport.EnsureOpenClResolver();
        if (resolverWarning is not null && !warnings.Contains(resolverWarning)) warn(resolverWarning);
        Context? context = null;
        try
        {
            // Stock ILGPU requires the generic address space; GPUs that lack it are skipped, not patched.
            context = Context.Create(b => b.OpenCL(d => d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU
                                                        && d.Capabilities.GenericAddressSpace).Optimize(OptimizationLevel.O1));
            var devices = context.GetCLDevices();
            if (devices.Count == 0)
            {
                why = "no OpenCL GPU with generic address space support";
                context.Dispose();
                return null;
            }
            Accelerator accelerator = devices[0].CreateAccelerator(context);
            string? probeFailure = RunProbe(accelerator);
            if (probeFailure is not null)
            {
                accelerator.Dispose();
                context.Dispose();
                why = $"probe kernel failed on {devices[0].Name}: {probeFailure}";
                return null;
            }
            log?.Invoke($"OpenCL GPU: using {accelerator.Name}");
            why = null;
            return new ComputeDevice(context, accelerator, ComputeBackend.OpenCL, warnings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            why = $"OpenCL initialisation failed: {e.Message}";
            return null;
        }
    }

    private static ComputeDevice? TryPocl(Action<string>? log, List<string> warnings, Action<string> warn,
        string genericAddressSpaceMember, out string? why)
    {
        string? resolverWarning = PoclSupport.EnsureOpenClResolver();
        if (resolverWarning is not null && !warnings.Contains(resolverWarning)) warn(resolverWarning);
        Context? context = null;
        Accelerator? accelerator = null;
        try
        {
            context = Context.Create(b => b.OpenCL(d => PoclSupport.IsPocl(d) && d.DeviceType == CLDeviceType.CL_DEVICE_TYPE_CPU)
                .Optimize(OptimizationLevel.O1));
            var devices = context.GetCLDevices();
            if (devices.Count == 0)
            {
                why = "no PoCL CPU device (is pocl-opencl-icd installed?)";
                context.Dispose();
                return null;
            }
            CLDevice device = devices[0];
            var version = PoclSupport.PoclVersion(device);
            string versionText = version is { } v ? $"{v.Major}.{v.Minor}" : "unknown";
            bool oldPocl = version is null || version.Value.Major < 4;
            if (oldPocl && !device.Capabilities.GenericAddressSpace)
            {
                string? capabilityWarning = PoclSupport.EnableCapability(device.Capabilities, genericAddressSpaceMember);
                if (capabilityWarning is not null) warn(capabilityWarning);
                else log?.Invoke($"PoCL {versionText}: generic address space enabled (mapped to __global)");
            }
            string? flagsWarning = PoclSupport.EnsureBuildFlags(genericAsGlobal: oldPocl);
            if (flagsWarning is not null) warn(flagsWarning);

            accelerator = device.CreateAccelerator(context);
            string? probeFailure = RunProbe(accelerator);
            if (probeFailure is not null)
            {
                accelerator.Dispose();
                context.Dispose();
                why = $"probe kernel failed on PoCL {versionText} ({device.Name}): {probeFailure}";
                return null;
            }
            log?.Invoke($"PoCL {versionText}: using {accelerator.Name}");
            why = null;
            return new ComputeDevice(context, accelerator, ComputeBackend.Pocl, warnings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            accelerator?.Dispose();
            context?.Dispose();
            why = $"PoCL initialisation failed: {e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    private static ComputeDevice CreateCpu(Action<string>? log, List<string> warnings)
    {
        var context = Context.Create(b => b.CPU().Optimize(OptimizationLevel.O1));
        Accelerator accelerator = context.CreateCPUAccelerator(0, CPUAcceleratorMode.Parallel);
        log?.Invoke($"CPU accelerator: using {accelerator.Name}");
        return new ComputeDevice(context, accelerator, ComputeBackend.Cpu, warnings);
    }

    /// <summary>Builds and runs a tiny kernel and compares it with the host; null when it matches.</summary>
    private static string? RunProbe(Accelerator accelerator)
    {
        try
        {
            const int count = 64;
            float[] volume = new float[4 * 4 * 4 * 2];
            for (int i = 0; i < volume.Length; i++) volume[i] = MathF.Sin(1.3f * i) + 0.1f * i;
            var ctf = new CtfParameters(12000, 11000, 35, 300, 2.7, 0.1, 0, 40).ToCoefficients();
            var kernel = accelerator.LoadStreamKernel<ProbeArgs>(KernelBodies.Probe);
            using var volumeBuffer = accelerator.Allocate1D(volume);
            using var output = accelerator.Allocate1D<float>(count);
            kernel(new KernelConfig(1, count), new ProbeArgs(volumeBuffer.View, output.View, ctf, count));
            accelerator.Synchronize();
            float[] result = output.GetAsArray1D();
            for (int i = 0; i < count; i++)
            {
                float expected = KernelBodies.ProbeOnHost(volume, ctf, i);
                if (!(MathF.Abs(result[i] - expected) <= 1e-3f * (1f + MathF.Abs(expected))))
                    return $"element {i}: device {result[i]}, host {expected}";
            }
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    public override string ToString() => $"{Kind}: {Name}";

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Accelerator.Dispose();
        _context.Dispose();
    }
}
