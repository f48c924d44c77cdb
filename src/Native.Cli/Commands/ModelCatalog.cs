using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>A model to train and the name of the kernel it runs.</summary>
internal sealed record ModelChoice(IModel Model, string Kernel);

/// <summary>Picks the model for a shape: a source-generated one where the shape has one, else the run-time-shaped model.</summary>
internal static class ModelCatalog
{
    /// <summary>
    /// The shape <paramref name="settings"/> ask for, described before anything is allocated (for the memory check);
    /// <paramref name="classes"/> is the class count of a classifier, the target count (outputs) of a regression.
    /// </summary>
    public static ModelShape Shape(TrainSettings settings, int features, int classes)
    {
        if (settings.Model == ModelKind.LogisticRegression && classes != 2)
        {
            throw new UsageException($"Logistic regression separates 2 classes; the data have {classes}. Use --model softmax or --model mlp.");
        }

        try
        {
            return settings.Model switch
            {
                ModelKind.LinearRegression => ModelShape.LinearRegression(features, Math.Max(1, classes)),
                ModelKind.LogisticRegression => ModelShape.LogisticRegression(features),
                ModelKind.MultilayerPerceptron => ModelShape.MultilayerPerceptron([features, .. settings.HiddenSizes, classes], [settings.HiddenActivation]),
                ModelKind.MultilayerPerceptronRegressor => ModelShape.MultilayerPerceptronRegressor([features, .. settings.HiddenSizes, Math.Max(1, classes)], [settings.HiddenActivation]),
                ModelKind.SoftmaxRegression => ModelShape.SoftmaxRegression(features, classes),
                _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Model, "Not a model of native train."),
            };
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw TooLarge(settings, features, classes, e);
        }
    }

    /// <summary>The model of <paramref name="shape"/> (from <see cref="Shape"/>), or why it cannot be built here.</summary>
    public static ModelChoice Create(ModelShape shape, TrainSettings settings, int features)
    {
        try
        {
            return Create(shape, settings.Seed);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or OutOfMemoryException)
        {
            throw TooLarge(settings, features, shape.Classes, e);
        }
    }

    // A shape too large to build: more parameters than an array holds, or scratch memory past what can be counted.
    private static UsageException TooLarge(TrainSettings settings, int features, int classes, Exception e)
    {
        bool perceptron = settings.Model is ModelKind.MultilayerPerceptron or ModelKind.MultilayerPerceptronRegressor;
        string sizes = perceptron ? $"{features}-{string.Join('-', settings.HiddenSizes)}-{classes}" : $"{features} features, {classes} classes";
        string why = e is ArgumentException ? CommandLine.FirstLine(e) : "the scratch memory its layers need per thread is more than an array holds.";
        return new UsageException($"A {settings.ModelWord} model of {sizes} is too large to build here{(perceptron ? " (check --hidden)" : "")}: {why}");
    }

    // The shapes this program has generated kernels for (GeneratedModels.cs), each with a factory.
    private static readonly (ModelShape Shape, Func<IModel> Create)[] GeneratedShapes =
    [
        (ModelShape.SoftmaxRegression(784, 10), () => new Softmax784x10()),
        (ModelShape.LogisticRegression(30), () => new Logistic30()),
        (ModelShape.MultilayerPerceptron([784, 128, 10], [Activation.Relu]), () => new Perceptron784x128x10()),
    ];

    /// <summary>
    /// A model of <paramref name="shape"/>, initialized from <paramref name="seed"/> where it has random weights:
    /// the generated one where the shape has one (it starts where the run-time model would), else the run-time one.
    /// </summary>
    public static ModelChoice Create(ModelShape shape, int seed) => Candidates(shape, seed).First();

    /// <summary>Every kernel this program has for <paramref name="shape"/>: the generated one first, if any, then the run-time one.</summary>
    public static IEnumerable<ModelChoice> Candidates(ModelShape shape, int seed)
    {
        foreach (var (generatedShape, create) in GeneratedShapes)
        {
            if (generatedShape.Equals(shape))
            {
                IModel model = create();
                if (shape.Kind == ModelKind.MultilayerPerceptron)
                {
                    MultilayerPerceptron.InitializeParameters(shape, model.Parameters, seed);
                }

                yield return Generated(model);
            }
        }

        yield return new ModelChoice(shape.CreateModel(seed), $"run-time shape {shape} ({Vectorization.Width})");
    }

    /// <summary>Takes over a loaded model: onto a generated kernel of its shape where one exists, with its parameters.</summary>
    public static ModelChoice Adopt(IModel loaded)
    {
        foreach (var (shape, create) in GeneratedShapes)
        {
            if (shape.Equals(loaded.Shape))
            {
                IModel model = create();
                loaded.Parameters.CopyTo(model.Parameters);
                return Generated(model);
            }
        }

        return new ModelChoice(loaded, $"run-time shape {loaded.Shape} ({Vectorization.Width})");
    }

    private static ModelChoice Generated(IModel model) => new(model, $"generated {model.Shape} ({Vectorization.Width})");
}
