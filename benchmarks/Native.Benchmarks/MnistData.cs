using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// The benchmarks' data: MNIST's 10,000 test digits (the 60,000-image training file is not available here),
/// pixels scaled to [0, 1], repeated six times into 60,000 rows — the shape and arithmetic of a full MNIST
/// epoch — stored as floats (the IDX reader keeps pixels as bytes; these benchmarks measure float rows, and
/// <see cref="ByteRowBenchmarks"/> bytes beside them). Found at tests/data/mnist in the repository, or at NATIVE_MNIST_DIR.
/// </summary>
internal static class MnistData
{
    private static readonly Lazy<Dataset> SixtyThousand = new(() =>
    {
        Dataset tenThousand = Floats(Idx.LoadDirectory(Directory()));
        int[] rows = Enumerable.Range(0, 6 * tenThousand.Count).Select(i => i % tenThousand.Count).ToArray();
        return tenThousand.Select(rows);
    });

    public static Dataset Rows60000 => SixtyThousand.Value;

    /// <summary>The rows of a dataset that stores bytes, as floats (the same values).</summary>
    public static Dataset Floats(Dataset data)
    {
        float[] features = new float[data.Count * data.Features];
        for (int i = 0; i < data.Count; i++)
        {
            data.Row(i).CopyTo(features.AsSpan(i * data.Features, data.Features));
        }

        return Dataset.FromLabels(features, data.Features, data.Labels, data.Classes);
    }

    /// <summary>The directory of MNIST's IDX files: NATIVE_MNIST_DIR, or tests/data/mnist in the repository.</summary>
    public static string Directory()
    {
        string? configured = Environment.GetEnvironmentVariable("NATIVE_MNIST_DIR");
        return string.IsNullOrEmpty(configured) ? RepositoryPath("tests", "data", "mnist") : configured;
    }

    /// <summary>A path under the repository's root (the directory holding Native.sln, found above the program).</summary>
    public static string RepositoryPath(params string[] parts)
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Native.sln")))
            {
                return Path.Combine([directory.FullName, .. parts]);
            }
        }

        throw new InvalidOperationException("Cannot find the repository (Native.sln) above the benchmarks; set NATIVE_MNIST_DIR for the MNIST data.");
    }
}
