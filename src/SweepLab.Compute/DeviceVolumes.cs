using ILGPU;
using ILGPU.Runtime;

namespace SweepLab.Compute;

/// <summary>
/// A stack of class volumes kept on the device between kernels, so an iteration moves only what changed.
/// Layout: volume-major, each a full centred complex cube of M^3 voxels interleaved (re, im), index
/// ((z * M) + y) * M + x with frequency index - M/2 on each axis; values on the unnormalised DFT scale.
/// </summary>
public sealed class VolumeStack : IDisposable
{
    internal MemoryBuffer1D<float, Stride1D.Dense> Buffer { get; }
    public int Count { get; }
    public int Box { get; }
    /// <summary>Floats per volume: 2 * M^3.</summary>
    public int FloatsPerVolume => 2 * Box * Box * Box;

    internal VolumeStack(ComputeDevice device, int count, int box)
    {
        Count = count;
        Box = box;
        long floats = (long)count * 2 * box * box * box;
        DeviceLimits.Check(device, floats * sizeof(float), $"{count} volumes of {box}^3 complex voxels");
        Buffer = device.Accelerator.Allocate1D<float>(floats);
        Buffer.MemSetToZero();
    }

    /// <summary>Replaces every volume (length Count * 2 * M^3).</summary>
    public void Upload(ReadOnlySpan<float> volumes)
    {
        DeviceLimits.RequireLength(volumes.Length, Buffer.Length, nameof(volumes));
        Buffer.View.AsContiguous().CopyFromCPU(volumes);
    }

    /// <summary>Replaces volume <paramref name="index"/> (length 2 * M^3).</summary>
    public void UploadVolume(int index, ReadOnlySpan<float> volume)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        DeviceLimits.RequireLength(volume.Length, FloatsPerVolume, nameof(volume));
        Buffer.View.AsContiguous().SubView((long)index * FloatsPerVolume, FloatsPerVolume).CopyFromCPU(volume);
    }

    public void Download(Span<float> volumes)
    {
        DeviceLimits.RequireLength(volumes.Length, Buffer.Length, nameof(volumes));
        Buffer.View.AsContiguous().CopyToCPU(volumes);
    }

    public float[] Download()
    {
        var result = new float[Buffer.Length];
        Download(result);
        return result;
    }

    public void Dispose() => Buffer.Dispose();
}

/// <summary>
/// Backprojection sums per volume on the device: numerator sum W * CTF * X (complex, same layout as
/// <see cref="VolumeStack"/>) and denominator sum W * CTF^2 (real, one float per voxel).
/// </summary>
public sealed class BackprojectionSums : IDisposable
{
    internal MemoryBuffer1D<float, Stride1D.Dense> Numerator { get; }
    internal MemoryBuffer1D<float, Stride1D.Dense> Denominator { get; }
    public int Count { get; }
    public int Box { get; }
    public int Voxels => Box * Box * Box;

    internal BackprojectionSums(ComputeDevice device, int count, int box)
    {
        Count = count;
        Box = box;
        long voxels = (long)count * box * box * box;
        DeviceLimits.Check(device, voxels * 2 * sizeof(float), $"backprojection numerators of {count} volumes of {box}^3");
        Numerator = device.Accelerator.Allocate1D<float>(2 * voxels);
        Denominator = device.Accelerator.Allocate1D<float>(voxels);
        Clear();
    }

    public void Clear()
    {
        Numerator.MemSetToZero();
        Denominator.MemSetToZero();
    }

    /// <summary>Numerator (Count * 2 * M^3 floats) and denominator (Count * M^3 floats) to the host.</summary>
    public void Download(Span<float> numerator, Span<float> denominator)
    {
        DeviceLimits.RequireLength(numerator.Length, Numerator.Length, nameof(numerator));
        DeviceLimits.RequireLength(denominator.Length, Denominator.Length, nameof(denominator));
        Numerator.View.AsContiguous().CopyToCPU(numerator);
        Denominator.View.AsContiguous().CopyToCPU(denominator);
    }

    public void Upload(ReadOnlySpan<float> numerator, ReadOnlySpan<float> denominator)
    {
        DeviceLimits.RequireLength(numerator.Length, Numerator.Length, nameof(numerator));
        DeviceLimits.RequireLength(denominator.Length, Denominator.Length, nameof(denominator));
        Numerator.View.AsContiguous().CopyFromCPU(numerator);
        Denominator.View.AsContiguous().CopyFromCPU(denominator);
    }

    public void Dispose()
    {
        Numerator.Dispose();
        Denominator.Dispose();
    }
}

internal static class DeviceLimits
{
    public static void Check(ComputeDevice device, long bytes, string what)
    {
        if (bytes > device.MaxBufferBytes)
            throw new ArgumentException(
                $"{what} need one buffer of {bytes / (1024.0 * 1024):0.#} MiB; {device.Kind} allows at most {device.MaxBufferBytes / (1024.0 * 1024):0.#} MiB per buffer. Use fewer volumes per stack or a coarser target resolution.");
    }

    public static void RequireLength(long actual, long expected, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; {expected} expected", name);
    }
}
