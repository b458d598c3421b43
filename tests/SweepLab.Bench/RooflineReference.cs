using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SweepLab.Bench;

/// <summary>
/// The in-process roofline reference: plain C# loops (Parallel.For over one contiguous share per core, Vector256 or
/// Vector512 with FMA) over arrays the size of the particle data. Two loops give the two roofs:
/// <list type="bullet">
/// <item><see cref="ComputeRoof"/>: each loaded vector feeds 8 independent FMA chains for 8 rounds (64 FMAs per
/// load, 32 flop per byte), so the loop is bound by FMA throughput, not memory: peak GFLOP/s.</item>
/// <item><see cref="StreamRoof"/>: one FMA per loaded float (x*x + acc, 4 chains): bound by memory, GB/s.</item>
/// </list>
/// A kernel of arithmetic intensity I (flop per streamed byte) can at best reach min(peak, I x bandwidth).
/// </summary>
public static class RooflineReference
{
    /// <summary>FMAs per loaded vector in the compute-bound loop (8 chains x 8 rounds).</summary>
    public const int ComputeFmasPerVector = 64;

    /// <summary>Floating-point operations of <see cref="ComputeRoof"/> over <paramref name="floats"/> floats (an FMA counts 2).</summary>
    public static double ComputeFlops(long floats) => 2.0 * ComputeFmasPerVector * floats;

    /// <summary>Floating-point operations of <see cref="StreamRoof"/> over <paramref name="floats"/> floats.</summary>
    public static double StreamFlops(long floats) => 2.0 * floats;

    /// <summary>Runs the compute-bound loop over <paramref name="data"/>; the returned sum keeps the JIT honest.</summary>
    public static float ComputeRoof(float[] data, bool wide) => Split(data, wide ? ComputeChunk512 : ComputeChunk256);

    /// <summary>Runs the streaming loop over <paramref name="data"/>; the returned sum keeps the JIT honest.</summary>
    public static float StreamRoof(float[] data, bool wide) => Split(data, wide ? StreamChunk512 : StreamChunk256);

    public static bool WideAvailable => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    private static float Split(float[] data, Func<float[], int, int, float> chunk)
    {
        int parts = Environment.ProcessorCount;
        var sums = new float[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            // Contiguous shares aligned to 64 floats, so every share streams whole vectors.
            long per = (data.Length / parts) & ~63L;
            int start = (int)(p * per), end = p == parts - 1 ? data.Length & ~63 : (int)((p + 1) * per);
            sums[p] = chunk(data, start, end);
        });
        return sums.Sum();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ComputeChunk256(float[] data, int start, int end)
    {
        ref float origin = ref MemoryMarshal.GetArrayDataReference(data);
        var k = Vector256.Create(0.999f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int i = start; i < end; i += Vector256<float>.Count)
        {
            var v = Vector256.LoadUnsafe(ref origin, (nuint)i);
            for (int r = 0; r < 8; r++)
            {
                a0 = Fma.MultiplyAdd(a0, k, v); a1 = Fma.MultiplyAdd(a1, k, v);
                a2 = Fma.MultiplyAdd(a2, k, v); a3 = Fma.MultiplyAdd(a3, k, v);
                a4 = Fma.MultiplyAdd(a4, k, v); a5 = Fma.MultiplyAdd(a5, k, v);
                a6 = Fma.MultiplyAdd(a6, k, v); a7 = Fma.MultiplyAdd(a7, k, v);
            }
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float ComputeChunk512(float[] data, int start, int end)
    {
        ref float origin = ref MemoryMarshal.GetArrayDataReference(data);
        var k = Vector512.Create(0.999f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int i = start; i < end; i += Vector512<float>.Count)
        {
            var v = Vector512.LoadUnsafe(ref origin, (nuint)i);
            for (int r = 0; r < 4; r++)
            {
                // 4 rounds of 16 lanes = the same 64 FMAs per 8 floats as the 256-bit loop (2 FMAs per lane-pair).
                a0 = Avx512F.FusedMultiplyAdd(a0, k, v); a1 = Avx512F.FusedMultiplyAdd(a1, k, v);
                a2 = Avx512F.FusedMultiplyAdd(a2, k, v); a3 = Avx512F.FusedMultiplyAdd(a3, k, v);
                a4 = Avx512F.FusedMultiplyAdd(a4, k, v); a5 = Avx512F.FusedMultiplyAdd(a5, k, v);
                a6 = Avx512F.FusedMultiplyAdd(a6, k, v); a7 = Avx512F.FusedMultiplyAdd(a7, k, v);
                a0 = Avx512F.FusedMultiplyAdd(a0, k, v); a1 = Avx512F.FusedMultiplyAdd(a1, k, v);
                a2 = Avx512F.FusedMultiplyAdd(a2, k, v); a3 = Avx512F.FusedMultiplyAdd(a3, k, v);
                a4 = Avx512F.FusedMultiplyAdd(a4, k, v); a5 = Avx512F.FusedMultiplyAdd(a5, k, v);
                a6 = Avx512F.FusedMultiplyAdd(a6, k, v); a7 = Avx512F.FusedMultiplyAdd(a7, k, v);
            }
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float StreamChunk256(float[] data, int start, int end)
    {
        ref float origin = ref MemoryMarshal.GetArrayDataReference(data);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int w = Vector256<float>.Count;
        for (int i = start; i < end; i += 4 * w)
        {
            var v0 = Vector256.LoadUnsafe(ref origin, (nuint)i);
            var v1 = Vector256.LoadUnsafe(ref origin, (nuint)(i + w));
            var v2 = Vector256.LoadUnsafe(ref origin, (nuint)(i + 2 * w));
            var v3 = Vector256.LoadUnsafe(ref origin, (nuint)(i + 3 * w));
            a0 = Fma.MultiplyAdd(v0, v0, a0); a1 = Fma.MultiplyAdd(v1, v1, a1);
            a2 = Fma.MultiplyAdd(v2, v2, a2); a3 = Fma.MultiplyAdd(v3, v3, a3);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float StreamChunk512(float[] data, int start, int end)
    {
        ref float origin = ref MemoryMarshal.GetArrayDataReference(data);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int w = Vector512<float>.Count;
        for (int i = start; i < end; i += 4 * w)
        {
            var v0 = Vector512.LoadUnsafe(ref origin, (nuint)i);
            var v1 = Vector512.LoadUnsafe(ref origin, (nuint)(i + w));
            var v2 = Vector512.LoadUnsafe(ref origin, (nuint)(i + 2 * w));
            var v3 = Vector512.LoadUnsafe(ref origin, (nuint)(i + 3 * w));
            a0 = Avx512F.FusedMultiplyAdd(v0, v0, a0); a1 = Avx512F.FusedMultiplyAdd(v1, v1, a1);
            a2 = Avx512F.FusedMultiplyAdd(v2, v2, a2); a3 = Avx512F.FusedMultiplyAdd(v3, v3, a3);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3);
    }
}
