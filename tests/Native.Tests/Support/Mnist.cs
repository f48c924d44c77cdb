using Native.Numerics;

namespace Native.Tests.Support;

/// <summary>
/// The real MNIST test set (10,000 digits), loaded once per test run and shared by every test that needs it.
/// </summary>
/// <remarks>
/// The data live in the repository, at <c>tests/data/mnist</c> from its root (the directory holding
/// <c>Native.sln</c>), or wherever the environment variable <c>NATIVE_MNIST_DIR</c> points. A missing
/// directory is an error that says where it looked, never a skipped test.
/// </remarks>
internal static class Mnist
{
    /// <summary>The environment variable that overrides where the MNIST files are.</summary>
    public const string DirectoryVariable = "NATIVE_MNIST_DIR";

    private static readonly Lazy<Dataset> s_all = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<(Dataset Training, Dataset Test)> s_tenK = new(SplitTenK, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The MNIST-10k protocol (tests/data/mnist/README.md): the 10,000 test-set digits, pixels scaled to [0, 1];
    /// row i is a test row when i % 5 == 0 (2,000 rows), a training row otherwise (8,000 rows), in file order.
    /// </summary>
    public static (Dataset Training, Dataset Test) TenK() => s_tenK.Value;

    /// <summary>All 10,000 digits of the MNIST test set in file order, pixels scaled to [0, 1].</summary>
    public static Dataset All() => s_all.Value;

    /// <summary>The directory holding <c>t10k-images-idx3-ubyte.gz</c> and <c>t10k-labels-idx1-ubyte.gz</c>.</summary>
    public static string DataDirectory()
    {
        string? configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        return Path.Combine(RepositoryRoot(), "tests", "data", "mnist");
    }

    /// <summary>The repository's root: the first directory above the test binaries that holds Native.sln.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Native.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No directory above '{AppContext.BaseDirectory}' holds Native.sln; set {DirectoryVariable} to the directory holding the MNIST files.");
    }

    private static Dataset Load()
    {
        string directory = DataDirectory();
        if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"The MNIST data directory '{directory}' does not exist. It should hold t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz (tests/data/mnist/README.md); set {DirectoryVariable} to use another directory.");
        }

        return Idx.LoadDirectory(directory, "t10k");
    }

    private static (Dataset Training, Dataset Test) SplitTenK()
    {
        Dataset all = All();
        var training = new List<int>(all.Count);
        var test = new List<int>(all.Count / 5);
        for (int i = 0; i < all.Count; i++)
        {
            (i % 5 == 0 ? test : training).Add(i);
        }

        return (all.Select(training.ToArray()), all.Select(test.ToArray()));
    }
}
