using System.Numerics;
using SweepLab.Core.Fourier;

namespace SweepLab.Bench;

/// <summary>
/// Issue 14: MathNet.Numerics' FFT against the project's own (Core/Fourier/Fft.cs) on the image sizes preprocessing
/// transforms (real particle images, 64-400 px), side by side in one process: the same images, the same warm-up and
/// repeats. The project keeps whichever is faster; Fft.cs says which and why.
/// </summary>
public static class FftComparison
{
    public static void Run(BenchReport report, BenchOptions options, string section)
    {
        int[] sizes = options.Quick ? [64, 128] : [64, 128, 256, 360];
        var random = new Random(14);
        foreach (int n in sizes)
        {
            int images = Math.Max(4, (options.Quick ? 2_000_000 : 8_000_000) / (n * n));
            var image = new float[n * n];
            for (int i = 0; i < image.Length; i++) image[i] = (float)random.NextDouble();
            var own = new Complex[n * n];
            var mathNet = new Complex[n * n];
            var ownTiming = Timing.Measure(() =>
            {
                for (int k = 0; k < images; k++) Fft.ForwardReal2D(image, n, n, own);
            }, 1, 3);
            // MathNet's managed provider has 1D transforms only (Forward2D throws NotSupportedException without a native
            // provider such as MKL, which is not in the NuGet list here): rows, then columns, as a user would write it
            var line = new Complex[n];
            var mathNetTiming = Timing.Measure(() =>
            {
                for (int k = 0; k < images; k++)
                {
                    for (int i = 0; i < image.Length; i++) mathNet[i] = image[i];
                    for (int y = 0; y < n; y++)
                    {
                        Array.Copy(mathNet, y * n, line, 0, n);
                        MathNet.Numerics.IntegralTransforms.Fourier.Forward(line, MathNet.Numerics.IntegralTransforms.FourierOptions.AsymmetricScaling);
                        Array.Copy(line, 0, mathNet, y * n, n);
                    }
                    for (int x = 0; x < n; x++)
                    {
                        for (int y = 0; y < n; y++) line[y] = mathNet[y * n + x];
                        MathNet.Numerics.IntegralTransforms.Fourier.Forward(line, MathNet.Numerics.IntegralTransforms.FourierOptions.AsymmetricScaling);
                        for (int y = 0; y < n; y++) mathNet[y * n + x] = line[y];
                    }
                }
            }, 1, 3);
            // the two agree (same sign convention, unnormalised forward), so the comparison is of equal work
            double maxDiff = 0;
            for (int i = 0; i < own.Length; i++) maxDiff = Math.Max(maxDiff, (own[i] - mathNet[i]).Magnitude);
            double ownRate = images / ownTiming.MedianSeconds, mathNetRate = images / mathNetTiming.MedianSeconds;
            report.Add(section, $"2D real FFT {n} px: SweepLab Fft.ForwardReal2D", ownRate, "images/s", ownTiming.Describe);
            report.Add(section, $"2D real FFT {n} px: MathNet Fourier.Forward (rows, then columns)", mathNetRate, "images/s", $"{mathNetTiming.Describe}; max |difference| {maxDiff:0.0e0}");
            report.Add(section, $"2D real FFT {n} px: SweepLab / MathNet speed", ownRate / mathNetRate, "ratio", "above 1: the project's own is faster");
        }
    }
}
