using Native.Numerics;

namespace Native.BeforeAfter;

/// <summary>Fisher's iris shape, 4 × 3: the smallest model, where fixed costs are everything.</summary>
[GeneratedSoftmaxRegression(features: 4, classes: 3)]
public sealed partial class Iris;

/// <summary>A 30-feature logistic regression.</summary>
[GeneratedLogisticRegression(features: 30)]
public sealed partial class Tumor;

/// <summary>scikit-learn's digits shape, 64 × 10.</summary>
[GeneratedSoftmaxRegression(features: 64, classes: 10)]
public sealed partial class SmallDigits;

/// <summary>MNIST's softmax regression, 784 × 10.</summary>
[GeneratedSoftmaxRegression(features: 784, classes: 10)]
public sealed partial class Digits;

/// <summary>MNIST's 784-128-10 ReLU perceptron.</summary>
[GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)]
public sealed partial class DigitNet;

/// <summary>A two-hidden-layer tanh perceptron with widths off the vector sizes (every tail path).</summary>
[GeneratedMultilayerPerceptron(37, 19, 11, 5, HiddenActivation = Activation.Tanh)]
public sealed partial class OddNet;

/// <summary>MNIST's softmax regression with its standardizer, compiled in from its file: the one-row kernel standardizing as it reads.</summary>
[GeneratedModel("../Native.Benchmarks/models/mnist.safetensors")]
public static partial class CompiledMnist;

/// <summary>The models the benchmarks and the check run, generated and run-time-shaped, by name.</summary>
public static class Catalog
{
    public static readonly string[] Names = ["softmax 4x3", "logistic 30", "softmax 64x10", "softmax 784x10", "perceptron 784-128-10", "perceptron 37-19-11-5 tanh"];

    /// <summary>The generated model and its run-time twin, with the same parameters (seeded).</summary>
    public static (IModel Generated, IModel RunTime) Pair(string name)
    {
        (IModel generated, IModel runTime) = name switch
        {
            "softmax 4x3" => ((IModel)new Iris(), (IModel)new SoftmaxRegression(4, 3)),
            "logistic 30" => (new Tumor(), new LogisticRegression(30)),
            "softmax 64x10" => (new SmallDigits(), new SoftmaxRegression(64, 10)),
            "softmax 784x10" => (new Digits(), new SoftmaxRegression(784, 10)),
            "perceptron 784-128-10" => (new DigitNet(), new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 0)),
            _ => (new OddNet(), new MultilayerPerceptron([37, 19, 11, 5], Activation.Tanh, seed: 0)),
        };

        var random = new Random(1);
        float scale = 2f / MathF.Sqrt(runTime.Features);
        for (int i = 0; i < runTime.Parameters.Length; i++)
        {
            runTime.Parameters[i] = generated.Parameters[i] = (float)(random.NextDouble() - 0.5) * scale;
        }

        return (generated, runTime);
    }

    /// <summary>Rows of pixel-like values and labels for them.</summary>
    public static (float[] Rows, int[] Labels) Data(int features, int classes, int count, int seed = 2)
    {
        var random = new Random(seed);
        float[] rows = new float[features * count];
        int[] labels = new int[count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)random.NextDouble();
        }

        for (int i = 0; i < count; i++)
        {
            labels[i] = random.Next(Math.Max(classes, 2));
        }

        return (rows, labels);
    }
}
