using Xunit.Abstractions;

namespace SweepLab.Compute.Tests;

[Collection(DeviceCollection.Name)]
public sealed class DeviceSelectionTests(ITestOutputHelper output)
{
    [Fact]
    public void CpuRequestGivesTheCpuAccelerator()
    {
        var lines = new List<string>();
        using var device = ComputeDevice.Create(ComputeBackend.Cpu, lines.Add);
        Assert.Equal(ComputeBackend.Cpu, device.Kind);
        Assert.True(device.IsCpu);
        Assert.Empty(device.Warnings);
        Assert.Contains(lines, l => l.Contains("CPU accelerator"));
    }

    [SkippableFact]
    public void AutoChoosesPoclHereWithTheRecipeApplied()
    {
        Skip.IfNot(TestData.PoclInstalled, "PoCL (pocl-opencl-icd) is not installed");
        Skip.If(File.Exists("/dev/nvidiactl"), "a GPU is present; Auto would rightly prefer it");
        var lines = new List<string>();
        using var device = ComputeDevice.Create(ComputeBackend.Auto, lines.Add);
        Assert.Equal(ComputeBackend.Pocl, device.Kind);
        Assert.True(device.ParallelUnits >= 1);
        Assert.True(device.MaxBufferBytes < 2L << 30);
        // Pinned ILGPU 1.5.x still has the member the recipe sets: no reflection warning.
        Assert.DoesNotContain(device.Warnings, w => w.Contains(PoclSupport.GenericAddressSpaceMember));
        string flags = PoclSupport.NativeGetEnvironment(PoclSupport.ExtraBuildFlagsVariable) ?? "";
        Assert.Contains(PoclSupport.UnsafeMathFlag, flags.Split(' '));
        Assert.DoesNotContain("-cl-fast-relaxed-math", flags);
        Assert.Contains(lines, l => l.StartsWith("PoCL ", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void ExplicitCudaRequestWithoutCudaThrowsClearly()
    {
        Skip.If(File.Exists("/dev/nvidiactl"), "an NVIDIA driver is present");
        var e = Assert.Throws<ComputeBackendUnavailableException>(() => ComputeDevice.Create(ComputeBackend.Cuda));
        Assert.Contains("CUDA backend requested but unavailable", e.Message);
    }

    [SkippableFact]
    public void FailedGenericAddressSpaceReflectionIsReportedAndFallsBackOrRuns()
    {
        Skip.IfNot(TestData.PoclInstalled, "PoCL (pocl-opencl-icd) is not installed");
        Skip.If(File.Exists("/dev/nvidiactl"), "a GPU is present; Auto would not reach PoCL");
        var lines = new List<string>();
        using var device = ComputeDevice.Create(ComputeBackend.Auto, lines.Add, "NoSuchCapability");
        foreach (string line in lines) output.WriteLine(line);
        output.WriteLine($"chosen: {device}");
        Assert.Contains(device.Warnings, w => w.Contains("NoSuchCapability"));
        Assert.Contains(lines, l => l.StartsWith("warning:", StringComparison.Ordinal) && l.Contains("NoSuchCapability"));
        // Whatever was chosen must run the kernels: PoCL 4+ needs no patch, PoCL 3 falls back to the CPU accelerator.
        if (device.Kind == ComputeBackend.Cpu)
            Assert.Contains(device.Warnings, w => w.Contains("falling back to ILGPU's CPU accelerator"));
        using var kernels = new ClassificationKernels(device);
        var particles = TestData.Particles(12, 4.0, 2, seed: 50);
        kernels.UploadParticles(particles);
        using var stack = kernels.CreateVolumes(1);
        float[] volumes = TestData.Volumes(1, kernels.Box, seed: 51);
        stack.Upload(volumes);
        var d = new float[2];
        var ones = Enumerable.Repeat(1f, kernels.ShellCount).ToArray();
        kernels.Residuals(new[] { 0, 1 }, new[] { 0 }, stack, ones, d);
        var reference = ReferenceKernels.Residuals(particles, new[] { 0, 1 }, new[] { 0 }, volumes, kernels.Box, ones);
        Assert.InRange(TestData.ElementwiseRelativeError(d, reference), 0, 1e-5);
    }

    [Fact]
    public void CapabilityReflectionSetsPrivateSetterOrWarns()
    {
        var fake = new FakeCapabilities();
        Assert.Null(PoclSupport.EnableCapability(fake, "GenericAddressSpace"));
        Assert.True(fake.GenericAddressSpace);
        string? warning = PoclSupport.EnableCapability(fake, "Renamed");
        Assert.NotNull(warning);
        Assert.Contains("Renamed", warning);
    }

    [Theory]
    [InlineData("OpenCL 3.0 PoCL 3.1+debian  Linux, None+Asserts, RELOC, SPIR, LLVM 15.0.6, SLEEF, DISTRO, POCL_DEBUG", 3, 1)]
    [InlineData("OpenCL 3.0 PoCL 6.0  Linux, Release", 6, 0)]
    public void PoclVersionIsParsedFromThePlatformString(string text, int major, int minor) =>
        Assert.Equal((major, minor), PoclSupport.ParsePoclVersion(text));

    [Fact]
    public void NonPoclPlatformHasNoPoclVersion() =>
        Assert.Null(PoclSupport.ParsePoclVersion("OpenCL 3.0 CUDA 12.4.131"));

    [Fact]
    public void BuildFlagsAreAppendedToAUserValueOnce()
    {
        string flags = PoclSupport.AppendFlags("-O2", new[] { PoclSupport.GenericAsGlobalFlag, PoclSupport.UnsafeMathFlag });
        Assert.Equal("-O2 -D__generic=__global -cl-unsafe-math-optimizations", flags);
        Assert.Equal(flags, PoclSupport.AppendFlags(flags, new[] { PoclSupport.UnsafeMathFlag }));
        Assert.Equal("-cl-unsafe-math-optimizations", PoclSupport.AppendFlags("", new[] { PoclSupport.UnsafeMathFlag }));
    }

    private sealed class FakeCapabilities
    {
        public bool GenericAddressSpace { get; private set; }
    }
}
