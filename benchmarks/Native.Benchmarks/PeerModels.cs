using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// The five shapes every prediction comparison measures, as Native models: the generated one and its run-time-shaped
/// twin, holding the same parameters; and the rows and labels the peers are trained on where they cannot be given
/// those parameters.
/// </summary>
internal static class PeerModels
{
    /// <summary>The shapes, as benchmark parameters name them.</summary>
    public const string Softmax4x3 = "softmax 4x3", Logistic30 = "logistic 30", Softmax64x10 = "softmax 64x10",
        Softmax784x10 = "softmax 784x10", Perceptron = "MLP 784-128-10";

    /// <summary>The generated model and its run-time-shaped twin, with the same trained-looking parameters.</summary>
    public static (IModel Generated, IModel RunTime) Create(string model)
    {
        (IModel generated, IModel runTime) = model switch
        {
            Softmax4x3 => ((IModel)new IrisModel(), (IModel)new SoftmaxRegression(4, 3)),
            Logistic30 => (new TumorModel(), new LogisticRegression(30)),
            Softmax64x10 => (new SmallDigitModel(), new SoftmaxRegression(64, 10)),
            Softmax784x10 => (new DigitModel(), new SoftmaxRegression(784, 10)),
            Perceptron => (new DigitNet(), new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 0)),
            _ => throw new ArgumentException($"No model '{model}'.", nameof(model)),
        };

        var random = new Random(1);
        float scale = 2f / MathF.Sqrt(runTime.Features);
        for (int i = 0; i < runTime.Parameters.Length; i++)
        {
            runTime.Parameters[i] = generated.Parameters[i] = (float)(random.NextDouble() - 0.5) * scale;
        }

        return (generated, runTime);
    }

    /// <summary>Multiply-adds of one row's forward pass.</summary>
    public static double MultiplyAdds(string model) => model switch
    {
        Softmax4x3 => 4 * 3,
        Logistic30 => 30,
        Softmax64x10 => 64 * 10,
        Softmax784x10 => 784 * 10,
        _ => (784 * 128) + (128 * 10),
    };

    /// <summary>Pixel-like values in [0, 1), the same for every seed-1 caller.</summary>
    public static float[] RandomRows(int count, int features, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new float[count * features];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)random.NextDouble();
        }

        return rows;
    }

    /// <summary>
    /// Rows labelled by a model (a teacher): what a peer that cannot be given the model's parameters is trained on, so
    /// that it learns a model of the same shape on the same data. For a logistic regression the label is P ≥ ½.
    /// </summary>
    public static Dataset Taught(IModel teacher, int count, int seed = 2)
    {
        float[] rows = RandomRows(count, teacher.Features, seed);
        var outputs = new float[count * teacher.Outputs];
        teacher.ForwardBatch(rows, outputs);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> output = outputs.AsSpan(i * teacher.Outputs, teacher.Outputs);
            labels[i] = output.Length == 1 ? (output[0] >= 0.5f ? 1 : 0) : ArgMax(output);
        }

        return Dataset.FromLabels(rows, teacher.Features, labels, teacher.Outputs == 1 ? 2 : teacher.Outputs);
    }

    /// <summary>The index of the largest value (the first, on a tie).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }
}
