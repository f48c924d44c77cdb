using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// The benchmarks' data: MNIST's 10,000 test digits (the 60,000-image training file is not available here),
/// pixels scaled to [0, 1], repeated six times into 60,000 rows — the shape and arithmetic of a full MNIST
/// epoch. Found at tests/data/mnist in the repository, or at NATIVE_MNIST_DIR.
/// </summary>
internal static class MnistData
{
    private static readonly Lazy<Dataset> SixtyThousand = new(() =>
    {
        Dataset tenThousand = Idx.LoadDirectory(Directory());
        int[] rows = Enumerable.Range(0, 6 * tenThousand.Count).Select(i => i % tenThousand.Count).ToArray();
        return tenThousand.Select(rows);
    });

    public static Dataset Rows60000 => SixtyThousand.Value;

    private static string Directory()
    {
        string? configured = Environment.GetEnvironmentVariable("NATIVE_MNIST_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Native.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "data", "mnist");
            }
        }

        throw new InvalidOperationException("Cannot find the MNIST data: set NATIVE_MNIST_DIR to the directory holding its IDX files.");
    }
}
