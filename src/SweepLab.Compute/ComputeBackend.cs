namespace SweepLab.Compute;

/// <summary>
/// Which ILGPU backend runs the kernels. <see cref="Auto"/> tries, in order, CUDA, an OpenCL GPU, PoCL on the CPU
/// and ILGPU's own CPU accelerator (slow, but always there and a second correctness target).
/// </summary>
public enum ComputeBackend
{
    Auto,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend.</summary>
    Cuda,
    /// <summary>An OpenCL GPU that ILGPU supports as is (generic address space).</summary>
    OpenCL,
    /// <summary>The CPU through PoCL (Portable Computing Language) on ILGPU's OpenCL backend: the fast CPU path.</summary>
    Pocl,
    /// <summary>ILGPU's CPU accelerator (threads interpreting the kernels' IL; about 25x slower than PoCL).</summary>
    Cpu,
}
