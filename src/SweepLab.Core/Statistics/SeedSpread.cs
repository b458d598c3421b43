using MathNet.Numerics.Distributions;

namespace SweepLab.Core.Statistics;

/// <summary>
/// How far a configuration's mean over seeds can be trusted: the sample standard deviation and the half-width of the
/// two-sided 95% confidence interval of the mean, t(0.975, n - 1) s / sqrt(n) (Student's t from MathNet.Numerics).
/// With the 2-5 seeds a sweep affords, t is 12.7 (n = 2), 4.30 (n = 3) or 2.78 (n = 5): a bare standard deviation
/// of 2-3 seeds understates the uncertainty of the mean several-fold, which is why tables and reports show the interval.
/// </summary>
public static class SeedSpread
{
    /// <summary>Sample standard deviation (n - 1); NaN below two values.</summary>
    public static double SampleStandardDeviation(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2) return double.NaN;
        double mean = values.Average(), sum = 0;
        foreach (double v in values) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (values.Count - 1));
    }

    /// <summary>Student's t quantile t(0.975, n - 1) for <paramref name="count"/> values; NaN below two.</summary>
    public static double TQuantile95(int count) => count < 2 ? double.NaN : StudentT.InvCDF(0, 1, count - 1, 0.975);

    /// <summary>Half-width of the 95% confidence interval of the mean; NaN below two values.</summary>
    public static double ConfidenceHalfWidth95(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Count < 2 ? double.NaN : TQuantile95(values.Count) * SampleStandardDeviation(values) / Math.Sqrt(values.Count);
    }
}
