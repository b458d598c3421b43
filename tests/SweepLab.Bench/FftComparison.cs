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
            var mathNetTiming = Timing.Measure(() =>
            {
                for (int k = 0; k < images; k++)
                {
                    for (int i = 0; i < image.Length; i++) mathNet[i] = image[i];
                    MathNet.Numerics.IntegralTransforms.Fourier.Forward2D(mathNet, n, n, MathNet.Numerics.IntegralTransforms.FourierOptions.AsymmetricScaling);
                }
            }, 1, 3);
            // the two agree (same sign convention, unnormalised forward), so the comparison is of equal work
            double maxDiff = 0;
            for (int i = 0; i < own.Length; i++) maxDiff = Math.Max(maxDiff, (own[i] - mathNet[i]).Magnitude);
            double ownRate = images / ownTiming.MedianSeconds, mathNetRate = images / mathNetTiming.MedianSeconds;
            report.Add(section, $"2D real FFT {n} px: SweepLab Fft.ForwardReal2D", ownRate, "images/s", ownTiming.Describe);
            report.Add(section, $"2D real FFT {n} px: MathNet Fourier.Forward2D", mathNetRate, "images/s", $"{mathNetTiming.Describe}; max |difference| {maxDiff:0.0e0}");
            report.Add(section, $"2D real FFT {n} px: SweepLab / MathNet speed", ownRate / mathNetRate, "ratio", "above 1: the project's own is faster");
        }
    }
}
