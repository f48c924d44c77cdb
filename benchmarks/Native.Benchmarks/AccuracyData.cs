using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// The two data sets training is timed on, each split as tests/data/mnist/README.md says ("MNIST-10k": row i is a test
/// row when i % 5 == 0, a training row otherwise, in file order), pixels scaled to [0, 1]:
/// <list type="bullet">
/// <item>MNIST-10k: MNIST's 10,000 test digits, 28 × 28 pixels / 255; 8,000 training rows, 2,000 test rows.</item>
/// <item>digits: scikit-learn's 1,797 digits (tests/data/digits), 8 × 8 pixels / 16; 1,437 training rows, 360 test rows.</item>
/// </list>
/// </summary>
internal static class AccuracyData
{
    public const string Mnist = "MNIST-10k", Digits = "digits";

    private static readonly Lazy<(Dataset, Dataset)> s_mnist = new(() => Split(Idx.LoadDirectory(MnistData.Directory())));

    private static readonly Lazy<(Dataset, Dataset)> s_digits = new(() =>
    {
        Dataset raw = Csv.Read(MnistData.RepositoryPath("tests", "data", "digits", "digits.csv"), new CsvOptions { LabelColumn = "label" });
        var pixels = new float[raw.Count * raw.Features];
        for (int i = 0; i < raw.Count; i++)
        {
            ReadOnlySpan<float> row = raw.Row(i);
            for (int j = 0; j < row.Length; j++)
            {
                pixels[(i * raw.Features) + j] = row[j] / 16f;
            }
        }

        return Split(Dataset.FromLabels(pixels, raw.Features, raw.Labels, raw.Classes));
    });

    /// <summary>The training and test rows of <paramref name="name"/>.</summary>
    public static (Dataset Training, Dataset Test) Get(string name) => name switch
    {
        Mnist => s_mnist.Value,
        Digits => s_digits.Value,
        _ => throw new ArgumentException($"No data set '{name}'.", nameof(name)),
    };

    /// <summary>The share of <paramref name="test"/>'s rows <paramref name="model"/> classifies correctly.</summary>
    public static double Accuracy(IClassifier model, Dataset test)
    {
        var rows = new float[test.Count * test.Features];
        for (int i = 0; i < test.Count; i++)
        {
            test.Row(i).CopyTo(rows.AsSpan(i * test.Features));
        }

        var predicted = new int[test.Count];
        model.PredictClasses(rows, predicted);
        return Metrics.Accuracy(test.Labels, predicted);
    }

    private static (Dataset, Dataset) Split(Dataset all)
    {
        int[] test = Enumerable.Range(0, all.Count).Where(i => i % 5 == 0).ToArray();
        int[] training = Enumerable.Range(0, all.Count).Where(i => i % 5 != 0).ToArray();
        return (all.Select(training), all.Select(test));
    }
}
