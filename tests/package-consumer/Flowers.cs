using Native.Numerics;

namespace PackageConsumer;

/// <summary>
/// Made-up flowers: four measurements around a centre for each of three species, with noise from a fixed-seed
/// xorshift generator, so that every run, under the JIT or NativeAOT, sees the same rows.
/// </summary>
internal static class Flowers
{
    public const int Features = 4;

    public const int Species = 3;

    public static readonly string[] Names = ["setosa", "versicolor", "virginica"];

    private static readonly float[,] Centres =
    {
        { 5.0f, 3.4f, 1.5f, 0.2f },
        { 5.9f, 2.8f, 4.3f, 1.3f },
        { 6.6f, 3.0f, 5.6f, 2.0f },
    };

    /// <summary><paramref name="rows"/> flowers, the species in turn.</summary>
    public static Dataset Make(int rows, uint seed)
    {
        var features = new float[rows * Features];
        var labels = new int[rows];
        uint state = seed;
        for (int i = 0; i < rows; i++)
        {
            labels[i] = i % Species;
            for (int j = 0; j < Features; j++)
            {
                features[(i * Features) + j] = Centres[labels[i], j] + (0.6f * (Uniform(ref state) - 0.5f));
            }
        }

        return Dataset.FromLabels(features, Features, labels, Species, Names);
    }

    private static float Uniform(ref uint state)
    {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return (state >> 8) * (1f / (1 << 24));
    }
}
