using Native.Numerics;

namespace Native.Cli;

/// <summary>How the data files are read.</summary>
internal enum DataFormat
{
    Csv,
    Idx,
    Parquet,
}

/// <summary>The optimizers <c>native train</c> offers.</summary>
internal enum OptimizerKind
{
    GradientDescent,
    Momentum,
    Nesterov,
    Adam,
}

/// <summary>How <c>native evaluate</c> matches the data's labels to the model's classes.</summary>
internal enum ClassMatching
{
    Name,
    Index,
}

/// <summary>The words the options take, each with the value it stands for, in the order <c>--help</c> lists them.</summary>
internal static class Vocabulary
{
    public static readonly (string Word, ModelKind Value)[] Models =
    [
        ("softmax", ModelKind.SoftmaxRegression),
        ("logistic", ModelKind.LogisticRegression),
        ("linear", ModelKind.LinearRegression),
        ("mlp", ModelKind.MultilayerPerceptron),
        ("mlp-regressor", ModelKind.MultilayerPerceptronRegressor),
    ];

    public static readonly (string Word, Activation Value)[] Activations =
    [
        ("relu", Activation.Relu),
        ("tanh", Activation.Tanh),
        ("sigmoid", Activation.Sigmoid),
        ("leaky-relu", Activation.LeakyRelu),
    ];

    public static readonly (string Word, OptimizerKind Value)[] Optimizers =
    [
        ("sgd", OptimizerKind.GradientDescent),
        ("momentum", OptimizerKind.Momentum),
        ("nesterov", OptimizerKind.Nesterov),
        ("adam", OptimizerKind.Adam),
    ];

    public static readonly (string Word, DataFormat Value)[] Formats = [("csv", DataFormat.Csv), ("idx", DataFormat.Idx), ("parquet", DataFormat.Parquet)];

    public static readonly (string Word, ClassMatching Value)[] Matchings = [("name", ClassMatching.Name), ("index", ClassMatching.Index)];

    /// <summary>The word for <paramref name="value"/> in <paramref name="words"/>.</summary>
    public static string Word<T>((string Word, T Value)[] words, T value)
        where T : struct, Enum => words.First(w => EqualityComparer<T>.Default.Equals(w.Value, value)).Word;
}
