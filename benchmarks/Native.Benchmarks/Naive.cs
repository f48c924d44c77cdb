namespace Native.Benchmarks;

/// <summary>
/// The baseline: softmax regression written as the plain scalar loops a first implementation would use,
/// over managed arrays, with a per-row gradient buffer. Every other variant is reported as a ratio to this.
/// </summary>
internal sealed class NaiveSoftmaxRegression(int features, int classes)
{
    public float[] Weights { get; } = new float[classes * features];

    public float[] Bias { get; } = new float[classes];

    public void Probabilities(ReadOnlySpan<float> x, Span<float> p)
    {
        for (int c = 0; c < classes; c++)
        {
            float z = Bias[c];
            for (int k = 0; k < features; k++)
            {
                z += Weights[(c * features) + k] * x[k];
            }

            p[c] = z;
        }

        float max = float.NegativeInfinity;
        for (int c = 0; c < classes; c++)
        {
            max = MathF.Max(max, p[c]);
        }

        float sum = 0;
        for (int c = 0; c < classes; c++)
        {
            p[c] = MathF.Exp(p[c] - max);
            sum += p[c];
        }

        for (int c = 0; c < classes; c++)
        {
            p[c] /= sum;
        }
    }

    public int Predict(ReadOnlySpan<float> x, Span<float> scratch)
    {
        Probabilities(x, scratch);
        int best = 0;
        for (int c = 1; c < classes; c++)
        {
            if (scratch[c] > scratch[best])
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>One SGD step on a batch: per row, forward, then dW += (p − y)xᵀ, then W −= η/n · dW.</summary>
    public void TrainStep(ReadOnlySpan<float> rows, int[] labels, float rate, float[] gradientW, float[] gradientB, float[] p)
    {
        Array.Clear(gradientW);
        Array.Clear(gradientB);
        int n = labels.Length;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> x = rows.Slice(i * features, features);
            Probabilities(x, p);
            p[labels[i]] -= 1f;
            for (int c = 0; c < classes; c++)
            {
                for (int k = 0; k < features; k++)
                {
                    gradientW[(c * features) + k] += p[c] * x[k];
                }

                gradientB[c] += p[c];
            }
        }

        float step = rate / n;
        for (int j = 0; j < gradientW.Length; j++)
        {
            Weights[j] -= step * gradientW[j];
        }

        for (int c = 0; c < classes; c++)
        {
            Bias[c] -= step * gradientB[c];
        }
    }
}
