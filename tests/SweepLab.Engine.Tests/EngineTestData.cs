using SweepLab.Compute;
using SweepLab.Core.Fourier;
using SweepLab.Core.Particles;
using SweepLab.Simulation;

namespace SweepLab.Engine.Tests;

/// <summary>Simulated datasets with truth, turned into engine inputs in memory.</summary>
internal static class EngineTestData
{
    public static (ClassificationInput Input, SimulatedDataset Dataset) Simulated(SimulationSettings settings, double targetResolutionAngstrom)
    {
        var dataset = ParticleSimulator.Simulate(settings);
        var set = ParticleImages.ToParticleSet(dataset.Images, settings.BoxPixels, settings.PixelSizeAngstrom, dataset.Particles, targetResolutionAngstrom);
        int m = set.Grid.CroppedBox;
        var trueVolumes = dataset.Phantoms.Select(p => FourierVolume.FromRealSpace(p.Render(settings.BoxPixels, settings.PixelSizeAngstrom), settings.BoxPixels, m)).ToList();
        return (new ClassificationInput(set, dataset.TrueClass, trueVolumes), dataset);
    }

    public static bool PoclInstalled => File.Exists("/usr/lib/x86_64-linux-gnu/libpocl.so.2") || Directory.Exists("/etc/OpenCL/vendors") && Directory.GetFiles("/etc/OpenCL/vendors", "*pocl*").Length > 0;
}

/// <summary>One device per backend, kernels compiled once, shared by the engine tests.</summary>
public sealed class EngineDeviceFixture : IDisposable
{
    private readonly Dictionary<ComputeBackend, ComputeDevice> _devices = new();
    private readonly object _gate = new();

    /// <summary>Fresh kernels (one particle upload each) on a shared device; PoCL skips when it is not installed.</summary>
    public ClassificationKernels Kernels(ComputeBackend backend, ParticleSet set, Action<ClassificationKernels>? beforeUpload = null)
    {
        lock (_gate)
        {
            Skip.If(backend == ComputeBackend.Pocl && !EngineTestData.PoclInstalled, "PoCL (pocl-opencl-icd) is not installed");
            if (!_devices.TryGetValue(backend, out var device)) _devices[backend] = device = ComputeDevice.Create(backend);
            var kernels = new ClassificationKernels(device);
            beforeUpload?.Invoke(kernels);
            kernels.UploadParticles(set);
            return kernels;
        }
    }

    public void Dispose()
    {
        foreach (var device in _devices.Values) device.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EngineDeviceCollection : ICollectionFixture<EngineDeviceFixture>
{
    public const string Name = "engine devices";
}
