using System.Numerics;

namespace SweepLab.Core.Tests.Fourier;

/// <summary>O(N^2) reference DFT; angles reduced exactly in integers (k n mod N) so the reference is accurate to an ulp.</summary>
internal static class NaiveDft
{
    public static Complex Root(long num, long den, int sign)
    {
        long r = ((num % den) + den) % den;
        var (s, c) = Math.SinCos(2 * Math.PI * r / den);
        return new Complex(c, sign * s);
    }

    /// <summary>sum_n x[n] e^(sign 2 pi i k n / N), unnormalised.</summary>
    public static Complex[] Transform(ReadOnlySpan<Complex> x, int sign)
    {
        int n = x.Length;
        var result = new Complex[n];
        for (int k = 0; k < n; k++)
        {
            Complex sum = Complex.Zero;
            for (int j = 0; j < n; j++) sum += x[j] * Root((long)k * j, n, sign);
            result[k] = sum;
        }
        return result;
    }

    /// <summary>Separable transform along one axis of a row-major array: count sequences of length n at stride.</summary>
    public static void TransformAxis(Complex[] data, int n, int stride, int outer, int inner, int sign)
    {
        var line = new Complex[n];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * stride + i;
                for (int j = 0; j < n; j++) line[j] = data[b + j * stride];
                var t = Transform(line, sign);
                for (int j = 0; j < n; j++) data[b + j * stride] = t[j];
            }
        }
    }

    public static Complex[] Forward2D(Complex[] x, int ny, int nx)
    {
        var d = (Complex[])x.Clone();
        TransformAxis(d, nx, 1, ny, 1, -1);
        TransformAxis(d, ny, nx, 1, nx, -1);
        return d;
    }

    public static Complex[] Forward3D(Complex[] x, int nz, int ny, int nx)
    {
        var d = (Complex[])x.Clone();
        TransformAxis(d, nx, 1, nz * ny, 1, -1);
        TransformAxis(d, ny, nx, nz, nx, -1);
        TransformAxis(d, nz, nx * ny, 1, nx * ny, -1);
        return d;
    }
}
