using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>A model to train and the name of the kernel it runs.</summary>
internal sealed record ModelChoice(IModel Model, string Kernel);

/// <summary>Picks the model for a shape: a source-generated one where the shape has one, else the run-time-shaped model.</summary>
internal static class ModelCatalog
{
    public static ModelChoice Create(TrainSettings settings, int features, int classes)
    {
        ModelShape shape = settings.Model switch
        {
            "linear" => ModelShape.LinearRegression(features),
            "logistic" => classes == 2
                ? ModelShape.LogisticRegression(features)
                : throw new UsageException($"Logistic regression separates 2 classes; the data have {classes}. Use --model softmax or --model mlp."),
            "mlp" => ModelShape.MultilayerPerceptron([features, .. settings.Hidden, classes], [settings.Activation]),
            _ => ModelShape.SoftmaxRegression(features, classes),
        };
        return Create(shape, settings.Seed);
    }

    /// <summary>A model of <paramref name="shape"/>, initialized from <paramref name="seed"/> where it has random weights.</summary>
    public static ModelChoice Create(ModelShape shape, int seed)
    {
        IModel model = shape.Kind switch
        {
            ModelKind.LinearRegression => new LinearRegression(shape.Features),
            ModelKind.LogisticRegression => new LogisticRegression(shape.Features),
            ModelKind.SoftmaxRegression => new SoftmaxRegression(shape.Features, shape.Outputs),
            _ => new MultilayerPerceptron(shape, seed),
        };
        return new ModelChoice(model, $"run-time shape {shape} ({KernelWidth()})");
    }

    /// <summary>Every kernel this program has for <paramref name="shape"/>: the generated one first, if any, then the run-time one.</summary>
    public static IEnumerable<ModelChoice> Candidates(ModelShape shape, int seed)
    {
        yield return Create(shape, seed);
    }

    /// <summary>Takes over a loaded model: onto a generated kernel of its shape where one exists.</summary>
    public static ModelChoice Adopt(IModel loaded) => new(loaded, $"run-time shape {loaded.Shape} ({KernelWidth()})");

    /// <summary>The vector width the run-time kernels take in this process.</summary>
    public static string KernelWidth() =>
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated || System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "Vector512"
        : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "Vector256"
        : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "Vector128"
        : "scalar";
}
