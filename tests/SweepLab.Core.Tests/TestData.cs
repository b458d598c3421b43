using System.Numerics;

namespace SweepLab.Core.Tests;

/// <summary>Deterministic test inputs from a counter-based hash (SplitMix64 of seed and index), no global RNG state.</summary>
internal static class TestData
{
    public static double Uniform(ulong seed, long index)
    {
        ulong z = seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL + 0x94D049BB133111EBUL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53)) * 2 - 1; // [-1, 1)
    }

    public static Complex[] ComplexArray(int length, ulong seed)
    {
        var a = new Complex[length];
        for (int i = 0; i < length; i++) a[i] = new Complex(Uniform(seed, 2L * i), Uniform(seed, 2L * i + 1));
        return a;
    }

    public static float[] FloatArray(int length, ulong seed)
    {
        var a = new float[length];
        for (int i = 0; i < length; i++) a[i] = (float)Uniform(seed, i);
        return a;
    }

    public static double MaxAbsDiff(ReadOnlySpan<Complex> a, ReadOnlySpan<Complex> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Complex.Abs(a[i] - b[i]));
        return max;
    }

    public static double MaxAbs(ReadOnlySpan<Complex> a)
    {
        double max = 0;
        foreach (var v in a) max = Math.Max(max, Complex.Abs(v));
        return max;
    }
}
