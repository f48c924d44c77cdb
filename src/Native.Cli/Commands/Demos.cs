using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>Built-in data for the demo and the benchmarks.</summary>
internal static class Demos
{
    /// <summary>Three Gaussian clusters in 2-D (centres (0, 2), (2, −1), (−2, −1), unit spread), from a seed.</summary>
    public static Dataset Clusters(int rows, int seed)
    {
        var random = new Random(seed);
        float[] x = new float[rows * 2];
        int[] labels = new int[rows];
        float[][] centres = [[0f, 2f], [2f, -1f], [-2f, -1f]];
        for (int i = 0; i < rows; i++)
        {
            int c = i % 3;
            x[2 * i] = centres[c][0] + Normal(random);
            x[(2 * i) + 1] = centres[c][1] + Normal(random);
            labels[i] = c;
        }

        return Dataset.FromLabels(x, 2, labels, classes: 3);
    }

    private static float Normal(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
