namespace SweepLab.Compute.Tests;

/// <summary>One PoCL and one CPU-accelerator device (with compiled kernels) shared by the device tests.</summary>
public sealed class DeviceFixture : IDisposable
{
    private readonly Dictionary<ComputeBackend, (ComputeDevice Device, ClassificationKernels Kernels)> _open = new();
    private readonly Dictionary<ComputeBackend, string> _failures = new();
    private readonly object _gate = new();

    /// <summary>The kernels on <paramref name="backend"/>, or a skip when that backend is not on this machine.</summary>
    public ClassificationKernels Kernels(ComputeBackend backend)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(backend, out var open)) return open.Kernels;
            Skip.If(backend == ComputeBackend.Pocl && !TestData.PoclInstalled, "PoCL (pocl-opencl-icd) is not installed");
            if (_failures.TryGetValue(backend, out string? why)) throw new InvalidOperationException(why);
            try
            {
                var device = ComputeDevice.Create(backend);
                var kernels = new ClassificationKernels(device);
                _open[backend] = (device, kernels);
                return kernels;
            }
            catch (Exception e)
            {
                _failures[backend] = $"{backend} could not be opened: {e.Message}";
                throw;
            }
        }
    }

    public void Dispose()
    {
        foreach (var (device, kernels) in _open.Values)
        {
            kernels.Dispose();
            device.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DeviceCollection : ICollectionFixture<DeviceFixture>
{
    public const string Name = "devices";
}
