using System.Globalization;

namespace SweepLab.Sweeps;

/// <summary>Comparison operators of a <see cref="MetricPredicate"/>.</summary>
public enum ComparisonOperator
{
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

/// <summary>
/// A condition on one metric, such as <c>collapsed == 1</c> or <c>split_ratio &lt; 0.2</c>: the outcome a
/// boundary search watches flip, and the rule a pruner stops runs by. Equality is exact (flags are 0 or 1).
/// A metric that is missing or NaN never satisfies the predicate.
/// </summary>
public sealed record MetricPredicate(string Metric, ComparisonOperator Operator, double Threshold)
{
    private static readonly (string Text, ComparisonOperator Op)[] Operators =
    [
        ("<=", ComparisonOperator.LessOrEqual), (">=", ComparisonOperator.GreaterOrEqual),
        ("==", ComparisonOperator.Equal), ("!=", ComparisonOperator.NotEqual),
        ("<", ComparisonOperator.Less), (">", ComparisonOperator.Greater),
    ];

    public bool IsSatisfiedBy(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return metrics.TryGetValue(Metric, out double value) && IsSatisfiedBy(value);
    }

    public bool IsSatisfiedBy(double value) => !double.IsNaN(value) && Operator switch
    {
        ComparisonOperator.Less => value < Threshold,
        ComparisonOperator.LessOrEqual => value <= Threshold,
        ComparisonOperator.Greater => value > Threshold,
        ComparisonOperator.GreaterOrEqual => value >= Threshold,
        ComparisonOperator.Equal => value == Threshold,
        ComparisonOperator.NotEqual => value != Threshold,
        _ => false,
    };

    /// <summary>Reads <c>metric OP number</c> (OP one of &lt; &lt;= &gt; &gt;= == !=), culture-invariant.</summary>
    public static bool TryParse(string text, out MetricPredicate? predicate, out string error)
    {
        predicate = null;
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (opText, op) in Operators)
        {
            int at = text.IndexOf(opText, StringComparison.Ordinal);
            if (at < 0) continue;
            string metric = text[..at].Trim();
            string number = text[(at + opText.Length)..].Trim();
            if (metric.Length == 0 || metric.Any(c => char.IsWhiteSpace(c) || "<>=!".Contains(c)))
            {
                error = $"'{text}' needs a metric name before '{opText}'";
                return false;
            }
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double threshold) || !double.IsFinite(threshold))
            {
                error = $"'{text}' needs a finite number after '{opText}'";
                return false;
            }
            predicate = new MetricPredicate(metric, op, threshold);
            error = "";
            return true;
        }
        error = $"'{text}' is not a condition like 'collapsed == 1' or 'split_ratio < 0.2'";
        return false;
    }

    public static MetricPredicate Parse(string text) =>
        TryParse(text, out var predicate, out string error) ? predicate! : throw new FormatException(error);

    public override string ToString()
    {
        string op = Operators.First(o => o.Op == Operator).Text;
        return $"{Metric} {op} {Threshold.ToString("R", CultureInfo.InvariantCulture)}";
    }
}
