namespace SweepLab.Core.Metrics;

/// <summary>
/// Maximum-weight matching of rows to columns (the assignment problem) by the Hungarian algorithm with potentials
/// (Kuhn-Munkres, Jonker-Volgenant form), O(n^3). Used to find the relabelling of recovered classes that best
/// matches the true ones; exact, where trying every permutation would take K! steps.
/// </summary>
public static class LabelAssignment
{
    /// <summary>
    /// The column assigned to each row so that the sum of <paramref name="weight"/>[row, column] over assigned pairs
    /// is largest. Every row gets a distinct column when rows &lt;= columns; otherwise every column gets a distinct
    /// row and the unmatched rows get -1. Ties are broken deterministically (the same input, the same answer).
    /// </summary>
    public static int[] MaximumWeight(double[,] weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        int rows = weight.GetLength(0), cols = weight.GetLength(1);
        int n = Math.Max(rows, cols);
        var result = new int[rows];
        Array.Fill(result, -1);
        if (n == 0) return result;

        double maxWeight = double.NegativeInfinity;
        foreach (double w in weight)
        {
            if (!double.IsFinite(w)) throw new ArgumentException("weights must be finite", nameof(weight));
            maxWeight = Math.Max(maxWeight, w);
        }
        if (rows == 0 || cols == 0) return result;

        // Square cost matrix (1-based, padded with cost maxWeight = weight 0 ... i.e. a dummy pair adds nothing).
        var cost = new double[n + 1, n + 1];
        for (int i = 1; i <= n; i++)
            for (int j = 1; j <= n; j++)
                cost[i, j] = i <= rows && j <= cols ? maxWeight - weight[i - 1, j - 1] : maxWeight;

        var u = new double[n + 1];
        var v = new double[n + 1];
        var p = new int[n + 1];     // p[j] = row matched to column j (0 = none)
        var way = new int[n + 1];
        var minv = new double[n + 1];
        var used = new bool[n + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity);
            Array.Fill(used, false);
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (used[j]) continue;
                    double cur = cost[i0, j] - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= n; j++)
                {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        for (int j = 1; j <= n; j++)
        {
            int i = p[j];
            if (i >= 1 && i <= rows && j <= cols) result[i - 1] = j - 1;
        }
        return result;
    }
}
