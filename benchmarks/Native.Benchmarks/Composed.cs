using System.Numerics.Tensors;

namespace Native.Benchmarks;

/// <summary>
/// The same models composed from <see cref="TensorPrimitives"/>: a dot product per output, then Max, Subtract, Exp,
/// Sum and Divide for softmax (not <c>TensorPrimitives.SoftMax</c>, which does not subtract the maximum and
/// overflows on large logits), and MultiplyAdd for each gradient row. What a careful user of the BCL would write.
/// </summary>
internal static class Composed
{
    /// <summary>Softmax over <paramref name="z"/> in place, stable: the maximum subtracted first.</summary>
    public static void Softmax(Span<float> z)
    {
        float max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, z);
        TensorPrimitives.Exp(z, z);
        TensorPrimitives.Divide(z, TensorPrimitives.Sum(z), z);
    }

    /// <summary>z = W·x + b: one dot product per row of W.</summary>
    public static void Dense(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, ReadOnlySpan<float> x, Span<float> z)
    {
        int inputs = x.Length;
        for (int j = 0; j < z.Length; j++)
        {
            z[j] = TensorPrimitives.Dot(weights.Slice(j * inputs, inputs), x) + bias[j];
        }
    }

    /// <summary>G += e ⊗ x: one MultiplyAdd per row of G.</summary>
    public static void AddOuter(Span<float> gradient, ReadOnlySpan<float> e, ReadOnlySpan<float> x)
    {
        int inputs = x.Length;
        for (int j = 0; j < e.Length; j++)
        {
            Span<float> row = gradient.Slice(j * inputs, inputs);
            TensorPrimitives.MultiplyAdd(x, e[j], row, row);
        }
    }
}

/// <summary>Softmax regression composed from TensorPrimitives; parameters W then b in one array.</summary>
internal sealed class ComposedSoftmaxRegression(int features, int classes)
{
    public float[] Parameters { get; } = new float[(classes * features) + classes];

    private ReadOnlySpan<float> W => Parameters.AsSpan(0, classes * features);

    private ReadOnlySpan<float> B => Parameters.AsSpan(classes * features, classes);

    public void Probabilities(ReadOnlySpan<float> x, Span<float> p)
    {
        Composed.Dense(W, B, x, p);
        Composed.Softmax(p);
    }

    public void TrainStep(ReadOnlySpan<float> rows, ReadOnlySpan<int> labels, float rate, float[] gradient, Span<float> p)
    {
        Array.Clear(gradient);
        Span<float> gw = gradient.AsSpan(0, classes * features), gb = gradient.AsSpan(classes * features);
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> x = rows.Slice(i * features, features);
            Probabilities(x, p);
            p[labels[i]] -= 1f;
            Composed.AddOuter(gw, p, x);
            TensorPrimitives.Add(gb, p, gb);
        }

        TensorPrimitives.MultiplyAdd(gradient, -rate / labels.Length, Parameters, Parameters);
    }
}

/// <summary>Logistic regression composed from TensorPrimitives; parameters w then the bias in one array.</summary>
internal sealed class ComposedLogisticRegression(int features)
{
    public float[] Parameters { get; } = new float[features + 1];

    public float Probability(ReadOnlySpan<float> x) =>
        1f / (1f + MathF.Exp(-(TensorPrimitives.Dot(Parameters.AsSpan(0, features), x) + Parameters[features])));

    public void Probabilities(ReadOnlySpan<float> rows, Span<float> p)
    {
        ReadOnlySpan<float> w = Parameters.AsSpan(0, features);
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = TensorPrimitives.Dot(w, rows.Slice(i * features, features)) + Parameters[features];
        }

        TensorPrimitives.Sigmoid(p, p);
    }

    public void TrainStep(ReadOnlySpan<float> rows, ReadOnlySpan<int> labels, float rate, float[] gradient, Span<float> p)
    {
        Array.Clear(gradient);
        Probabilities(rows, p);
        Span<float> gw = gradient.AsSpan(0, features);
        for (int i = 0; i < labels.Length; i++)
        {
            float error = p[i] - labels[i];
            TensorPrimitives.MultiplyAdd(rows.Slice(i * features, features), error, gw, gw);
            gradient[features] += error;
        }

        TensorPrimitives.MultiplyAdd(gradient, -rate / labels.Length, Parameters, Parameters);
    }
}

/// <summary>A one-hidden-layer ReLU perceptron composed from TensorPrimitives; per layer W then b, in one array.</summary>
internal sealed class ComposedPerceptron(int features, int hidden, int classes)
{
    public float[] Parameters { get; } = new float[(hidden * features) + hidden + (classes * hidden) + classes];

    private int W2Offset => (hidden * features) + hidden;

    public void Probabilities(ReadOnlySpan<float> x, Span<float> h, Span<float> p)
    {
        ReadOnlySpan<float> parameters = Parameters;
        Composed.Dense(parameters[..(hidden * features)], parameters.Slice(hidden * features, hidden), x, h);
        TensorPrimitives.Max(h, 0f, h);
        Composed.Dense(parameters.Slice(W2Offset, classes * hidden), parameters.Slice(W2Offset + (classes * hidden), classes), h, p);
        Composed.Softmax(p);
    }

    public void TrainStep(ReadOnlySpan<float> rows, ReadOnlySpan<int> labels, float rate, float[] gradient, Span<float> h, Span<float> e, Span<float> p)
    {
        Array.Clear(gradient);
        Span<float> g = gradient;
        Span<float> gw1 = g[..(hidden * features)], gb1 = g.Slice(hidden * features, hidden);
        Span<float> gw2 = g.Slice(W2Offset, classes * hidden), gb2 = g.Slice(W2Offset + (classes * hidden), classes);
        ReadOnlySpan<float> w2 = Parameters.AsSpan(W2Offset, classes * hidden);
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<float> x = rows.Slice(i * features, features);
            Probabilities(x, h, p);
            p[labels[i]] -= 1f;

            // Output layer: dW2 += p ⊗ h; the errors carried down, e = W2ᵀp, then ⊙ relu'(h).
            Composed.AddOuter(gw2, p, h);
            TensorPrimitives.Add(gb2, p, gb2);
            e.Clear();
            for (int c = 0; c < classes; c++)
            {
                TensorPrimitives.MultiplyAdd(w2.Slice(c * hidden, hidden), p[c], e, e);
            }

            for (int j = 0; j < hidden; j++)
            {
                e[j] = h[j] > 0f ? e[j] : 0f;
            }

            Composed.AddOuter(gw1, e, x);
            TensorPrimitives.Add(gb1, e, gb1);
        }

        TensorPrimitives.MultiplyAdd(gradient, -rate / labels.Length, Parameters, Parameters);
    }
}
