using System.Numerics;
using SweepLab.Core.Fourier;

namespace SweepLab.Core.Tests.Fourier;

public class FftTests
{
    /// <summary>Every length 1..70 (all radix paths, generic primes 7..47, Bluestein for 53..67) plus larger boxes.</summary>
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 1; n <= 70; n++) data.Add(n);
        foreach (int n in new[] { 97, 128, 243, 256 }) data.Add(n);
        return data;
    }

    // Double-precision FFTs err by ~1e-16 log N relative to the largest coefficient; a wrong twiddle or index errs by O(1).
    private static double Tolerance(int n) => 1e-12 * Math.Max(1, Math.Log2(n));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Forward_matches_naive_dft(int n)
    {
        var x = TestData.ComplexArray(n, (ulong)n);
        var expected = NaiveDft.Transform(x, -1);
        var actual = (Complex[])x.Clone();
        Fft.Forward(actual);
        Assert.True(TestData.MaxAbsDiff(actual, expected) <= Tolerance(n) * TestData.MaxAbs(expected),
            $"N={n}: max error {TestData.MaxAbsDiff(actual, expected):E3} vs scale {TestData.MaxAbs(expected):E3}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Inverse_matches_naive_dft_with_one_over_n(int n)
    {
        var x = TestData.ComplexArray(n, 1000 + (ulong)n);
        var expected = NaiveDft.Transform(x, +1).Select(v => v / n).ToArray();
        var actual = (Complex[])x.Clone();
        Fft.Inverse(actual);
        Assert.True(TestData.MaxAbsDiff(actual, expected) <= Tolerance(n) * TestData.MaxAbs(expected),
            $"N={n}: max error {TestData.MaxAbsDiff(actual, expected):E3}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(97)]
    [InlineData(360)]
    [InlineData(1009)]  // prime: Bluestein over 2048
    [InlineData(4096)]
    [InlineData(2 * 3 * 5 * 7 * 11 * 13)]
    public void Round_trip_restores_input_and_parseval_holds(int n)
    {
        var x = TestData.ComplexArray(n, 7);
        var y = (Complex[])x.Clone();
        Fft.Forward(y);
        double energyX = x.Sum(v => v.Real * v.Real + v.Imaginary * v.Imaginary);
        double energyY = y.Sum(v => v.Real * v.Real + v.Imaginary * v.Imaginary);
        Assert.Equal(1.0, energyY / n / energyX, 12);
        Fft.Inverse(y);
        Assert.True(TestData.MaxAbsDiff(x, y) <= 1e-13 * Math.Log2(n + 1) + 1e-15, $"round trip error {TestData.MaxAbsDiff(x, y):E3}");
    }

    [Fact]
    public void Plans_take_the_intended_paths()
    {
        Assert.False(FftPlan.Get(65).UsesBluestein);  // 5 x 13: radix 5 and a generic radix-13 stage
        Assert.False(FftPlan.Get(47).UsesBluestein);
        Assert.True(FftPlan.Get(53).UsesBluestein);
        Assert.True(FftPlan.Get(97).UsesBluestein);
        Assert.True(FftPlan.Get(2 * 97).UsesBluestein);
        Assert.Same(FftPlan.Get(64), FftPlan.Get(64));
    }

    [Fact]
    public void Unit_roots_are_accurate_in_every_octant()
    {
        for (int den = 1; den <= 200; den++)
        {
            for (int num = -den; num <= 2 * den; num++)
            {
                var w = FftPlan.UnitRoot(num, den);
                double angle = -2 * Math.PI * num / den;
                Assert.True(Math.Abs(w.Real - Math.Cos(angle)) < 4e-15 && Math.Abs(w.Imaginary - Math.Sin(angle)) < 4e-15,
                    $"{num}/{den}: {w} vs ({Math.Cos(angle)}, {Math.Sin(angle)})");
            }
        }
        Assert.Equal(new Complex(1, 0), FftPlan.UnitRoot(0, 8));
        Assert.Equal(new Complex(0, -1), FftPlan.UnitRoot(1, 4));  // exact, not cos(pi/2) = 6e-17
        Assert.Equal(new Complex(-1, 0), FftPlan.UnitRoot(2, 4));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 7)]
    [InlineData(6, 1)]
    [InlineData(4, 4)]
    [InlineData(5, 7)]
    [InlineData(6, 9)]
    [InlineData(13, 8)]
    [InlineData(53, 10)]  // Bluestein along the batched column pass
    [InlineData(64, 64)]
    [InlineData(65, 65)]
    public void Forward2D_and_inverse_match_separable_naive_dft(int ny, int nx)
    {
        var x = TestData.ComplexArray(ny * nx, 11);
        var expected = NaiveDft.Forward2D(x, ny, nx);
        var actual = (Complex[])x.Clone();
        Fft.Forward2D(actual, ny, nx);
        Assert.True(TestData.MaxAbsDiff(actual, expected) <= 1e-12 * TestData.MaxAbs(expected), $"error {TestData.MaxAbsDiff(actual, expected):E3}");
        Fft.Inverse2D(actual, ny, nx);
        Assert.True(TestData.MaxAbsDiff(actual, x) <= 1e-13, $"round trip error {TestData.MaxAbsDiff(actual, x):E3}");
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 3, 4)]
    [InlineData(4, 4, 4)]
    [InlineData(5, 6, 7)]
    [InlineData(7, 5, 3)]
    [InlineData(9, 8, 10)]
    [InlineData(3, 59, 2)]  // Bluestein length in the middle axis
    [InlineData(16, 16, 16)]
    [InlineData(15, 15, 15)]
    public void Forward3D_and_inverse_match_separable_naive_dft(int nz, int ny, int nx)
    {
        var x = TestData.ComplexArray(nz * ny * nx, 13);
        var expected = NaiveDft.Forward3D(x, nz, ny, nx);
        var actual = (Complex[])x.Clone();
        Fft.Forward3D(actual, nz, ny, nx);
        Assert.True(TestData.MaxAbsDiff(actual, expected) <= 1e-12 * TestData.MaxAbs(expected), $"error {TestData.MaxAbsDiff(actual, expected):E3}");
        Fft.Inverse3D(actual, nz, ny, nx);
        Assert.True(TestData.MaxAbsDiff(actual, x) <= 1e-13, $"round trip error {TestData.MaxAbsDiff(actual, x):E3}");
    }

    [Theory]
    [InlineData(58, 58, 58, 2)] // the engine's mask transform at 8 A from 64 px (2 x 29: a generic radix)
    [InlineData(9, 8, 10, 3)]   // uneven shares
    [InlineData(5, 59, 6, 4)]   // Bluestein in the middle axis
    [InlineData(61, 7, 3, 7)]   // Bluestein along z, as many shares as rows
    public void Split_3d_transform_gives_the_serial_bits(int nz, int ny, int nx, int parts)
    {
        var x = TestData.ComplexArray(nz * ny * nx, 29);
        foreach (bool inverse in new[] { false, true })
        {
            var serial = (Complex[])x.Clone();
            Fft.Transform3D(serial, nz, ny, nx, inverse, parts: 1);
            var split = (Complex[])x.Clone();
            Fft.Transform3D(split, nz, ny, nx, inverse, parts);
            for (int i = 0; i < x.Length; i++)
                Assert.True(serial[i] == split[i], $"element {i} ({(inverse ? "inverse" : "forward")}): {split[i]} split into {parts}, {serial[i]} serial");
        }
        // Big enough that the public entry point splits on a machine with more than one core: the same bits again.
        var serialForward = (Complex[])x.Clone();
        Fft.Transform3D(serialForward, nz, ny, nx, inverse: false, parts: 1);
        var auto = (Complex[])x.Clone();
        Fft.Forward3D(auto, nz, ny, nx);
        Assert.Equal(serialForward, auto);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 6)]
    [InlineData(5, 1)]
    [InlineData(2, 2)]
    [InlineData(7, 5)]
    [InlineData(8, 6)]
    [InlineData(64, 64)]
    [InlineData(65, 65)]
    [InlineData(65, 64)]
    [InlineData(67, 61)]  // Bluestein rows and columns
    public void ForwardReal2D_matches_complex_transform(int ny, int nx)
    {
        var image = TestData.FloatArray(ny * nx, 17);
        var expected = image.Select(v => new Complex(v, 0)).ToArray();
        Fft.Forward2D(expected, ny, nx);
        var actual = new Complex[ny * nx];
        Fft.ForwardReal2D(image, ny, nx, actual);
        Assert.True(TestData.MaxAbsDiff(actual, expected) <= 1e-13 * TestData.MaxAbs(expected), $"error {TestData.MaxAbsDiff(actual, expected):E3}");
    }

    [Fact]
    public void Results_are_bitwise_identical_across_threads()
    {
        var x = TestData.ComplexArray(65 * 64, 19);
        var reference = (Complex[])x.Clone();
        Fft.Forward2D(reference, 65, 64);
        var results = new Complex[16][];
        Parallel.For(0, results.Length, i =>
        {
            var y = (Complex[])x.Clone();
            Fft.Forward2D(y, 65, 64);
            results[i] = y;
        });
        foreach (var r in results) Assert.True(r.AsSpan().SequenceEqual(reference));
    }

    [Fact]
    public void Bad_dimensions_are_rejected_with_the_sizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Fft.Forward2D(new Complex[10], 3, 4));
        Assert.Contains("3 x 4", ex.Message);
        Assert.Throws<ArgumentException>(() => Fft.Forward(Span<Complex>.Empty));
        Assert.Throws<ArgumentException>(() => Fft.Forward3D(new Complex[10], 2, 2, 2));
    }
}
