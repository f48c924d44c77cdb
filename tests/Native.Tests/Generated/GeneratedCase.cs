using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Tests.Support;
using Native.Tests.Kernels;

namespace Native.Tests.Generated;

/// <summary>A generated model type, how to make one, and how to make its run-time-shaped twin.</summary>
public sealed record GeneratedCase(string Name, Func<IModel> Create)
{
    /// <summary>Every generated model of the tests.</summary>
    public static readonly GeneratedCase[] All =
    [
        new(nameof(Softmax1x2), () => new Softmax1x2()),
        new(nameof(Softmax3x3), () => new Softmax3x3()),
        new(nameof(Softmax15x10), () => new Softmax15x10()),
        new(nameof(Softmax16x16), () => new Softmax16x16()),
        new(nameof(Softmax17x17), () => new Softmax17x17()),
        new(nameof(Softmax64x2), () => new Softmax64x2()),
        new(nameof(Softmax784x10), () => new Softmax784x10()),
        new(nameof(Softmax785x17), () => new Softmax785x17()),
        new(nameof(Softmax33x40), () => new Softmax33x40()),
        new(nameof(SoftmaxStruct9x3), () => new SoftmaxStruct9x3()),
        new(nameof(Logistic1), () => new Logistic1()),
        new(nameof(Logistic3), () => new Logistic3()),
        new(nameof(Logistic16), () => new Logistic16()),
        new(nameof(Logistic30), () => new Logistic30()),
        new(nameof(Logistic785), () => new Logistic785()),
        new(nameof(Nesting.NestedLogistic17), () => new Nesting.NestedLogistic17()),
        new(nameof(Linear1), () => new Linear1()),
        new(nameof(Linear10), () => new Linear10()),
        new(nameof(Linear15), () => new Linear15()),
        new(nameof(Linear64), () => new Linear64()),
        new(nameof(Linear784), () => new Linear784()),
        new(nameof(GlobalLinear3), () => new GlobalLinear3()),
        new(nameof(Perceptron3x5x2), () => new Perceptron3x5x2()),
        new(nameof(PerceptronRelu17x20x9x3), () => new PerceptronRelu17x20x9x3()),
        new(nameof(PerceptronLeaky15x33x8x10), () => new PerceptronLeaky15x33x8x10()),
        new(nameof(PerceptronSigmoid16x17x16x17), () => new PerceptronSigmoid16x17x16x17()),
        new(nameof(PerceptronTanh64x13x1x2), () => new PerceptronTanh64x13x1x2()),
        new(nameof(Perceptron784x128x10), () => new Perceptron784x128x10()),
        new(nameof(Nesting.Inner.NestedPerceptron5x7x3), () => new Nesting.Inner.NestedPerceptron5x7x3()),
    ];

    public static TheoryData<string> Names => new(All.Select(c => c.Name));

    /// <summary>Every generated model at every vector width (on hardware without one, that path is emulated, slowly but correctly).</summary>
    public static TheoryData<string, string> NamesAndWidths
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (GeneratedCase c in All)
            {
                foreach (SimdWidth width in Enum.GetValues<SimdWidth>())
                {
                    data.Add(c.Name, width.ToString());
                }
            }

            return data;
        }
    }

    public static GeneratedCase Named(string name) => All.Single(c => c.Name == name);

    public ModelShape Shape => Create().Shape;

    public override string ToString() => Name;

    /// <summary>The run-time-shaped model of the same shape, at the widest path this process runs.</summary>
    internal DenseModel CreateTwin()
    {
        ModelShape shape = Shape;
        return shape.Kind switch
        {
            ModelKind.LinearRegression => new LinearRegression(shape.Features),
            ModelKind.LogisticRegression => new LogisticRegression(shape.Features),
            ModelKind.SoftmaxRegression => new SoftmaxRegression(shape.Features, shape.Outputs),
            _ => new MultilayerPerceptron(shape, seed: 0),
        };
    }

    /// <summary>A generated model and its twin with the same random parameters, both running at <paramref name="width"/> (by default the widest this process runs).</summary>
    internal (IModel Generated, DenseModel Twin) CreatePair(int seed, string? width = null)
    {
        IModel generated = Create();
        DenseModel twin = CreateTwin();
        if (width is not null)
        {
            ((IModelRuntimeOwner)generated).Runtime.Width = twin.KernelWidth = Widths.Parse(width);
        }

        float[] parameters = DenseKernelTests.Random(generated.Parameters.Length, seed, scale: ParameterScale(generated.Shape));
        parameters.CopyTo(generated.Parameters);
        parameters.CopyTo(twin.Parameters);
        return (generated, twin);
    }

    /// <summary>Parameters of about 1/√inputs, so logits stay in the range where softmax is not yet one-hot.</summary>
    private static float ParameterScale(ModelShape shape) => 2f / MathF.Sqrt(shape.Features);
}

/// <summary>A batch of random rows with labels or targets, and sample weights or none.</summary>
internal sealed record BatchCase(ModelShape Shape, int Rows, int Seed, bool Weighted)
{
    public float[] Features { get; } = DenseKernelTests.Random(Rows * Shape.Features, Seed + 1, scale: 2f);

    public int[]? Labels { get; } = Shape.Task == ModelTask.Regression ? null : RandomLabels(Rows, Shape.Classes, Seed + 2);

    public float[]? Targets { get; } = Shape.Task == ModelTask.Regression ? DenseKernelTests.Random(Rows, Seed + 3, scale: 3f) : null;

    public float[]? Weights { get; } = Weighted ? DenseKernelTests.Random(Rows, Seed + 4).Select(w => Math.Abs(w) * 2).ToArray() : null;

    public Batch Batch() => Labels is not null
        ? Numerics.Batch.FromLabels(Features, Shape.Features, Labels, Weights)
        : Numerics.Batch.FromTargets(Features, Shape.Features, Targets, Weights);

    public Dataset Dataset() => Labels is not null
        ? Numerics.Dataset.FromLabels(Features, Shape.Features, Labels, classes: Shape.Classes, sampleWeights: Weights)
        : Numerics.Dataset.FromTargets(Features, Shape.Features, Targets, Weights);

    private static int[] RandomLabels(int rows, int classes, int seed)
    {
        var random = new SeededRandom(seed);
        return Enumerable.Range(0, rows).Select(_ => random.NextInt32(classes)).ToArray();
    }
}
