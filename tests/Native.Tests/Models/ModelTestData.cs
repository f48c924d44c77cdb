using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Tests.Kernels;

namespace Native.Tests.Models;

/// <summary>Random models and batches for the model tests.</summary>
internal sealed record ModelCase(ModelShape Shape, int Rows, int Seed)
{
    public override string ToString() => $"{Shape}, {Rows} rows, seed {Seed}";

    /// <summary>A run-time-shaped model of this shape with random parameters, running at <paramref name="width"/>.</summary>
    public DenseModel CreateModel(SimdWidth width)
    {
        DenseModel model = Shape.Kind switch
        {
            ModelKind.LinearRegression => new LinearRegression(Shape.Features, Shape.Outputs),
            ModelKind.LogisticRegression => new LogisticRegression(Shape.Features),
            ModelKind.SoftmaxRegression => new SoftmaxRegression(Shape.Features, Shape.Outputs),
            ModelKind.MultilayerPerceptronRegressor => new MultilayerPerceptronRegressor(Shape, Seed),
            _ => new MultilayerPerceptron(Shape, Seed),
        };
        DenseKernelTests.Random(model.Parameters.Length, Seed).CopyTo(model.Parameters);
        model.KernelWidth = width;
        return model;
    }

    public float[] Features() => DenseKernelTests.Random(Rows * Shape.Features, Seed + 1, scale: 2f);

    public int[]? Labels()
    {
        if (Shape.Task == ModelTask.Regression)
        {
            return null;
        }

        var random = new SeededRandom(Seed + 2);
        return Enumerable.Range(0, Rows).Select(_ => random.NextInt32(Shape.Classes)).ToArray();
    }

    /// <summary>For a regression, <see cref="ModelShape.Outputs"/> targets a row, row after row; null for a classifier.</summary>
    public float[]? Targets() => Shape.Task == ModelTask.Regression ? DenseKernelTests.Random(Rows * Shape.Outputs, Seed + 3, scale: 3f) : null;

    public float[] Weights() => DenseKernelTests.Random(Rows, Seed + 4).Select(w => Math.Abs(w) * 2).ToArray();

    public Batch Batch(float[] features, int[]? labels, float[]? targets, float[]? weights) => labels is not null
        ? Numerics.Batch.FromLabels(features, Shape.Features, labels, weights)
        : Numerics.Batch.FromTargets(features, Shape.Features, targets, Shape.Outputs, weights);
}
