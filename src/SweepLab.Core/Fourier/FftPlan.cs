using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SweepLab.Core.Fourier;

/// <summary>
/// An immutable FFT plan for one length: a Stockham (self-sorting, ping-pong) decimation-in-frequency factorisation
/// into radix 4, 2, 3, 5 and generic odd-prime stages, or Bluestein's chirp-z algorithm over a power-of-two plan when
/// the length has a prime factor above <see cref="MaxGenericRadix"/>. Plans are shared through a thread-safe cache
/// and never mutated after construction, so one plan serves any number of threads.
/// </summary>
/// <remarks>
/// Data layout of <see cref="Execute"/>: element (b, i) of a batch of sequences lies at b + stride * i. One stage of
/// radix r on a sub-length n = r m with sub-stride s maps x[q + s (p + j m)] to
/// y[q + s (r p + k)] = w_n^(p k) sum_j x[q + s (p + j m)] w_r^(j k); the next stage takes y with sub-length m and
/// sub-stride s r. After the last stage the spectrum is in natural order. Batching multiplies every sub-stride by
/// the batch stride, so the column pass of a 2D transform runs all columns at once over contiguous memory.
/// </remarks>
internal sealed class FftPlan
{
    /// <summary>Largest prime handled by a direct O(p^2) butterfly; larger primes go through Bluestein.</summary>
    internal const int MaxGenericRadix = 47;

    private static readonly ConcurrentDictionary<int, FftPlan> Cache = new();

    public int Length { get; }
    public bool UsesBluestein => _bluestein is not null;

    private readonly Stage[] _stages;
    private readonly BluesteinData? _bluestein;

    private sealed class Stage
    {
        public required int Radix { get; init; }
        /// <summary>Sub-length after this stage (m = n / r).</summary>
        public required int M { get; init; }
        /// <summary>Product of the radices of earlier stages (the sub-stride s).</summary>
        public required int S { get; init; }
        /// <summary>w_n^(p k) for p in [0, m), k in [1, r), at p (r - 1) + k - 1; forward sign.</summary>
        public required Complex[] TwiddlesForward { get; init; }
        public required Complex[] TwiddlesInverse { get; init; }
        /// <summary>w_r^j for a generic radix (null for 2, 3, 4, 5).</summary>
        public Complex[]? RootsForward { get; init; }
        public Complex[]? RootsInverse { get; init; }
    }

    private sealed class BluesteinData
    {
        public required FftPlan Inner { get; init; }
        /// <summary>e^(-i pi k^2 / N), k in [0, N).</summary>
        public required Complex[] Chirp { get; init; }
        /// <summary>Forward transform of the conjugate chirp wrapped onto the inner length, pre-divided by that length.</summary>
        public required Complex[] KernelSpectrum { get; init; }
    }

    public static FftPlan Get(int length)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "FFT length must be at least 1");
        return Cache.GetOrAdd(length, static n => new FftPlan(n));
    }

    private FftPlan(int n)
    {
        Length = n;
        var radices = Factor(n);
        if (radices.Any(r => r > MaxGenericRadix))
        {
            _stages = [];
            _bluestein = BuildBluestein(n);
            return;
        }
        var stages = new Stage[radices.Count];
        int s = 1;
        for (int i = 0; i < radices.Count; i++)
        {
            int r = radices[i];
            int nCur = n / s;
            int m = nCur / r;
            var twF = new Complex[m * (r - 1)];
            var twI = new Complex[m * (r - 1)];
            for (int p = 0; p < m; p++)
            {
                for (int k = 1; k < r; k++)
                {
                    Complex w = UnitRoot((long)p * k, nCur);
                    twF[p * (r - 1) + k - 1] = w;
                    twI[p * (r - 1) + k - 1] = Complex.Conjugate(w);
                }
            }
            Complex[]? rootsF = null, rootsI = null;
            if (r > 5)
            {
                rootsF = new Complex[r];
                rootsI = new Complex[r];
                for (int j = 0; j < r; j++)
                {
                    rootsF[j] = UnitRoot(j, r);
                    rootsI[j] = Complex.Conjugate(rootsF[j]);
                }
            }
            stages[i] = new Stage
            {
                Radix = r, M = m, S = s, TwiddlesForward = twF, TwiddlesInverse = twI,
                RootsForward = rootsF, RootsInverse = rootsI,
            };
            s *= r;
        }
        _stages = stages;
    }

    /// <summary>e^(-2 pi i num / den), with the angle reduced to the first octant so the table is accurate to an ulp.</summary>
    internal static Complex UnitRoot(long num, long den)
    {
        num %= den;
        if (num < 0) num += den;
        // Reduce by symmetry: work with 8 num / den in [0, 8) and fold onto [0, 1] (the first octant).
        long eight = 8 * num;
        int octant = (int)(eight / den);
        long rem = eight - octant * den; // 8 num - octant den, in [0, den)
        // Angle within the octant, measured from the octant's start, as a fraction of pi/4.
        double c, s;
        if ((octant & 1) == 0)
        {
            double t = Math.PI / 4 * rem / den;
            (s, c) = Math.SinCos(t);
        }
        else
        {
            double t = Math.PI / 4 * (den - rem) / den;
            (c, s) = Math.SinCos(t);
        }
        // (c, s) is now (cos, sin) of the angle reduced to [0, pi/4] and reflected into octant 0/1; rotate by quadrant.
        double cosA, sinA;
        switch (octant)
        {
            case 0: case 1: cosA = c; sinA = s; break;
            case 2: case 3: cosA = -s; sinA = c; break;
            case 4: case 5: cosA = -c; sinA = -s; break;
            default: cosA = s; sinA = -c; break;
        }
        return new Complex(cosA, -sinA);
    }

    private static List<int> Factor(int n)
    {
        var radices = new List<int>();
        while (n % 4 == 0) { radices.Add(4); n /= 4; }
        while (n % 2 == 0) { radices.Add(2); n /= 2; }
        while (n % 3 == 0) { radices.Add(3); n /= 3; }
        while (n % 5 == 0) { radices.Add(5); n /= 5; }
        for (int p = 7; (long)p * p <= n; p += 2)
        {
            while (n % p == 0) { radices.Add(p); n /= p; }
        }
        if (n > 1) radices.Add(n);
        return radices;
    }

    private static BluesteinData BuildBluestein(int n)
    {
        int m = 1;
        while (m < 2 * n - 1) m <<= 1;
        var inner = Get(m);
        var chirp = new Complex[n];
        long twoN = 2L * n;
        for (int k = 0; k < n; k++)
        {
            // e^(-i pi k^2 / n) = e^(-2 pi i (k^2 mod 2n) / (2n)); the exact integer reduction keeps it accurate.
            chirp[k] = UnitRoot((long)k * k % twoN, twoN);
        }
        var kernel = new Complex[m];
        kernel[0] = Complex.Conjugate(chirp[0]);
        for (int k = 1; k < n; k++)
        {
            kernel[k] = Complex.Conjugate(chirp[k]);
            kernel[m - k] = Complex.Conjugate(chirp[k]);
        }
        var scratch = new Complex[m];
        inner.Execute(kernel, scratch, 1, 1, inverse: false);
        double scale = 1.0 / m;
        for (int k = 0; k < m; k++) kernel[k] *= scale;
        return new BluesteinData { Inner = inner, Chirp = chirp, KernelSpectrum = kernel };
    }

    /// <summary>
    /// Unnormalised transform (sign - for forward, + for inverse) of <paramref name="batch"/> sequences whose element
    /// i lies at b + stride * i. Both spans hold exactly stride * Length elements; scratch is overwritten.
    /// </summary>
    public void Execute(Span<Complex> data, Span<Complex> scratch, int batch, int stride, bool inverse)
    {
        int n = Length;
        if (batch < 1 || batch > stride) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"batch must be in [1, stride = {stride}]");
        if (data.Length != (long)stride * n) throw new ArgumentException($"data holds {data.Length} elements; stride {stride} x length {n} expected", nameof(data));
        if (scratch.Length < data.Length) throw new ArgumentException($"scratch holds {scratch.Length} elements; at least {data.Length} needed", nameof(scratch));
        if (n == 1) return;
        if (_bluestein is not null)
        {
            ExecuteBluestein(data, batch, stride, inverse);
            return;
        }

        Span<Complex> src = data;
        Span<Complex> dst = scratch[..data.Length];
        bool merged = batch == stride;
        foreach (var stage in _stages)
        {
            int s = stage.S;
            int L = stride * s;
            int q = merged ? 1 : s;
            int lanes = merged ? L : batch;
            var tw = inverse ? stage.TwiddlesInverse : stage.TwiddlesForward;
            ref Complex x = ref MemoryMarshal.GetReference(src);
            ref Complex y = ref MemoryMarshal.GetReference(dst);
            switch (stage.Radix)
            {
                case 2: Radix2(ref x, ref y, stage.M, q, stride, lanes, L, tw); break;
                case 3: Radix3(ref x, ref y, stage.M, q, stride, lanes, L, tw, inverse); break;
                case 4: Radix4(ref x, ref y, stage.M, q, stride, lanes, L, tw, inverse); break;
                case 5: Radix5(ref x, ref y, stage.M, q, stride, lanes, L, tw, inverse); break;
                default:
                    RadixGeneric(ref x, ref y, stage.Radix, stage.M, q, stride, lanes, L, tw,
                        inverse ? stage.RootsInverse! : stage.RootsForward!);
                    break;
            }
            var t = src;
            src = dst;
            dst = t;
        }
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(src), ref MemoryMarshal.GetReference(data)))
            src.CopyTo(data);
    }

    private void ExecuteBluestein(Span<Complex> data, int batch, int stride, bool inverse)
    {
        var b = _bluestein!;
        int n = Length;
        int m = b.Inner.Length;
        var rented = ArrayPool<Complex>.Shared.Rent(2 * m);
        try
        {
            var work = rented.AsSpan(0, m);
            var scratch = rented.AsSpan(m, m);
            var chirp = b.Chirp;
            var kernel = b.KernelSpectrum;
            for (int lane = 0; lane < batch; lane++)
            {
                // The inverse transform is conj(forward(conj(x))): conjugate on the way in and out.
                for (int k = 0; k < n; k++)
                {
                    Complex v = data[lane + stride * k];
                    if (inverse) v = Complex.Conjugate(v);
                    work[k] = v * chirp[k];
                }
                work[n..].Clear();
                b.Inner.Execute(work, scratch, 1, 1, inverse: false);
                for (int k = 0; k < m; k++) work[k] *= kernel[k];
                b.Inner.Execute(work, scratch, 1, 1, inverse: true);
                for (int k = 0; k < n; k++)
                {
                    Complex v = work[k] * chirp[k];
                    data[lane + stride * k] = inverse ? Complex.Conjugate(v) : v;
                }
            }
        }
        finally
        {
            ArrayPool<Complex>.Shared.Return(rented);
        }
    }

    // The kernels below index x[off + b + L (p + j m)] and y[off + b + L (r p + k)], off = stride * qi for qi < q.

    private static void Radix2(ref Complex x, ref Complex y, int m, int q, int stride, int lanes, int L, Complex[] tw)
    {
        int jStep = L * m;
        for (int p = 0; p < m; p++)
        {
            Complex w1 = tw[p];
            int inBase = L * p;
            int outBase = L * 2 * p;
            for (int qi = 0; qi < q; qi++)
            {
                int off = stride * qi;
                ref Complex xi = ref Unsafe.Add(ref x, inBase + off);
                ref Complex yo = ref Unsafe.Add(ref y, outBase + off);
                for (int b = 0; b < lanes; b++)
                {
                    Complex a0 = Unsafe.Add(ref xi, b);
                    Complex a1 = Unsafe.Add(ref xi, b + jStep);
                    Unsafe.Add(ref yo, b) = a0 + a1;
                    Unsafe.Add(ref yo, b + L) = (a0 - a1) * w1;
                }
            }
        }
    }

    private static void Radix3(ref Complex x, ref Complex y, int m, int q, int stride, int lanes, int L, Complex[] tw, bool inverse)
    {
        int jStep = L * m;
        // sin(2 pi / 3) with the transform's sign folded in: b1,2 = a0 - (a1 + a2) / 2 -+ i sin60 (a1 - a2).
        double s60 = inverse ? -0.86602540378443864676 : 0.86602540378443864676;
        for (int p = 0; p < m; p++)
        {
            Complex w1 = tw[2 * p], w2 = tw[2 * p + 1];
            int inBase = L * p;
            int outBase = L * 3 * p;
            for (int qi = 0; qi < q; qi++)
            {
                int off = stride * qi;
                ref Complex xi = ref Unsafe.Add(ref x, inBase + off);
                ref Complex yo = ref Unsafe.Add(ref y, outBase + off);
                for (int b = 0; b < lanes; b++)
                {
                    Complex a0 = Unsafe.Add(ref xi, b);
                    Complex a1 = Unsafe.Add(ref xi, b + jStep);
                    Complex a2 = Unsafe.Add(ref xi, b + 2 * jStep);
                    Complex t = a1 + a2;
                    Complex d = a1 - a2;
                    double ur = a0.Real - 0.5 * t.Real, ui = a0.Imaginary - 0.5 * t.Imaginary;
                    // -i s60 d = (s60 d.Im, -s60 d.Re)
                    double vr = s60 * d.Imaginary, vi = -s60 * d.Real;
                    Unsafe.Add(ref yo, b) = a0 + t;
                    Unsafe.Add(ref yo, b + L) = new Complex(ur + vr, ui + vi) * w1;
                    Unsafe.Add(ref yo, b + 2 * L) = new Complex(ur - vr, ui - vi) * w2;
                }
            }
        }
    }

    private static void Radix4(ref Complex x, ref Complex y, int m, int q, int stride, int lanes, int L, Complex[] tw, bool inverse)
    {
        int jStep = L * m;
        for (int p = 0; p < m; p++)
        {
            Complex w1 = tw[3 * p], w2 = tw[3 * p + 1], w3 = tw[3 * p + 2];
            int inBase = L * p;
            int outBase = L * 4 * p;
            for (int qi = 0; qi < q; qi++)
            {
                int off = stride * qi;
                ref Complex xi = ref Unsafe.Add(ref x, inBase + off);
                ref Complex yo = ref Unsafe.Add(ref y, outBase + off);
                for (int b = 0; b < lanes; b++)
                {
                    Complex a0 = Unsafe.Add(ref xi, b);
                    Complex a1 = Unsafe.Add(ref xi, b + jStep);
                    Complex a2 = Unsafe.Add(ref xi, b + 2 * jStep);
                    Complex a3 = Unsafe.Add(ref xi, b + 3 * jStep);
                    Complex t0 = a0 + a2, t1 = a0 - a2, t2 = a1 + a3, d = a1 - a3;
                    // t3 = -i d (forward) or +i d (inverse).
                    Complex t3 = inverse ? new Complex(-d.Imaginary, d.Real) : new Complex(d.Imaginary, -d.Real);
                    Unsafe.Add(ref yo, b) = t0 + t2;
                    Unsafe.Add(ref yo, b + L) = (t1 + t3) * w1;
                    Unsafe.Add(ref yo, b + 2 * L) = (t0 - t2) * w2;
                    Unsafe.Add(ref yo, b + 3 * L) = (t1 - t3) * w3;
                }
            }
        }
    }

    private static void Radix5(ref Complex x, ref Complex y, int m, int q, int stride, int lanes, int L, Complex[] tw, bool inverse)
    {
        int jStep = L * m;
        const double c1 = 0.30901699437494742410;  // cos(2 pi / 5)
        const double c2 = -0.80901699437494742410; // cos(4 pi / 5)
        double s1 = inverse ? -0.95105651629515357212 : 0.95105651629515357212; // sin(2 pi / 5), signed
        double s2 = inverse ? -0.58778525229247312917 : 0.58778525229247312917; // sin(4 pi / 5), signed
        for (int p = 0; p < m; p++)
        {
            Complex w1 = tw[4 * p], w2 = tw[4 * p + 1], w3 = tw[4 * p + 2], w4 = tw[4 * p + 3];
            int inBase = L * p;
            int outBase = L * 5 * p;
            for (int qi = 0; qi < q; qi++)
            {
                int off = stride * qi;
                ref Complex xi = ref Unsafe.Add(ref x, inBase + off);
                ref Complex yo = ref Unsafe.Add(ref y, outBase + off);
                for (int b = 0; b < lanes; b++)
                {
                    Complex a0 = Unsafe.Add(ref xi, b);
                    Complex a1 = Unsafe.Add(ref xi, b + jStep);
                    Complex a2 = Unsafe.Add(ref xi, b + 2 * jStep);
                    Complex a3 = Unsafe.Add(ref xi, b + 3 * jStep);
                    Complex a4 = Unsafe.Add(ref xi, b + 4 * jStep);
                    Complex t1 = a1 + a4, t2 = a2 + a3, t3 = a1 - a4, t4 = a2 - a3;
                    Complex e1 = a0 + c1 * t1 + c2 * t2; // real parts of b1 and b4
                    Complex e2 = a0 + c2 * t1 + c1 * t2; // real parts of b2 and b3
                    Complex f1 = s1 * t3 + s2 * t4;      // b1 = e1 - i f1, b4 = e1 + i f1
                    Complex f2 = s2 * t3 - s1 * t4;      // b2 = e2 - i f2, b3 = e2 + i f2
                    Unsafe.Add(ref yo, b) = a0 + t1 + t2;
                    Unsafe.Add(ref yo, b + L) = new Complex(e1.Real + f1.Imaginary, e1.Imaginary - f1.Real) * w1;
                    Unsafe.Add(ref yo, b + 2 * L) = new Complex(e2.Real + f2.Imaginary, e2.Imaginary - f2.Real) * w2;
                    Unsafe.Add(ref yo, b + 3 * L) = new Complex(e2.Real - f2.Imaginary, e2.Imaginary + f2.Real) * w3;
                    Unsafe.Add(ref yo, b + 4 * L) = new Complex(e1.Real - f1.Imaginary, e1.Imaginary + f1.Real) * w4;
                }
            }
        }
    }

    /// <summary>
    /// Odd prime radix r: pairs j and r - j share a cosine and a sine, so b_k and b_(r-k) come from
    /// real-times-complex sums over (r - 1) / 2 terms, a quarter of the multiplications of the plain O(r^2) sum.
    /// roots[j] = w_r^j of the transform's sign (cos, -+sin).
    /// </summary>
    private static void RadixGeneric(ref Complex x, ref Complex y, int r, int m, int q, int stride, int lanes, int L,
        Complex[] tw, Complex[] roots)
    {
        int jStep = L * m;
        int h = (r - 1) / 2;
        Span<Complex> sums = stackalloc Complex[MaxGenericRadix / 2];
        Span<Complex> diffs = stackalloc Complex[MaxGenericRadix / 2];
        for (int p = 0; p < m; p++)
        {
            int twBase = p * (r - 1);
            int inBase = L * p;
            int outBase = L * r * p;
            for (int qi = 0; qi < q; qi++)
            {
                int off = stride * qi;
                ref Complex xi = ref Unsafe.Add(ref x, inBase + off);
                ref Complex yo = ref Unsafe.Add(ref y, outBase + off);
                for (int b = 0; b < lanes; b++)
                {
                    Complex a0 = Unsafe.Add(ref xi, b);
                    Complex total = a0;
                    for (int j = 1; j <= h; j++)
                    {
                        Complex aj = Unsafe.Add(ref xi, b + j * jStep);
                        Complex ajr = Unsafe.Add(ref xi, b + (r - j) * jStep);
                        sums[j - 1] = aj + ajr;
                        diffs[j - 1] = aj - ajr;
                        total += sums[j - 1];
                    }
                    Unsafe.Add(ref yo, b) = total;
                    for (int k = 1; k <= h; k++)
                    {
                        // b_k = e - i f, b_(r-k) = e + i f, with w_r^(jk) = (c, -s): e = a0 + sum c s_j, f = sum s d_j.
                        double er = a0.Real, ei = a0.Imaginary, fr = 0, fi = 0;
                        int idx = 0;
                        for (int j = 0; j < h; j++)
                        {
                            idx += k;
                            if (idx >= r) idx -= r;
                            double c = roots[idx].Real, sn = -roots[idx].Imaginary;
                            er += c * sums[j].Real;
                            ei += c * sums[j].Imaginary;
                            fr += sn * diffs[j].Real;
                            fi += sn * diffs[j].Imaginary;
                        }
                        Unsafe.Add(ref yo, b + k * L) = new Complex(er + fi, ei - fr) * tw[twBase + k - 1];
                        Unsafe.Add(ref yo, b + (r - k) * L) = new Complex(er - fi, ei + fr) * tw[twBase + r - k - 1];
                    }
                }
            }
        }
    }
}
