namespace Native.Benchmarks;

/// <summary>The baseline logistic regression: plain scalar loops over managed arrays.</summary>
internal sealed class NaiveLogisticRegression(int features)
{
    public float[] Weights { get; } = new float[features];

    public float Bias { get; set; }

    public float Probability(ReadOnlySpan<float> x)
    {
        float z = Bias;
        for (int k = 0; k < features; k++)
        {
            z += Weights[k] * x[k];
        }

        return 1f / (1f + MathF.Exp(-z));
    }

    /// <summary>One SGD step on a batch: per row, forward, then dw += (p − y)x, then w −= η/n · dw.</summary>
    public void TrainStep(ReadOnlySpan<float> rows, int[] labels, float rate, float[] gradient)
    {
        Array.Clear(gradient);
        float gradientBias = 0;
        int n = labels.Length;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> x = rows.Slice(i * features, features);
            float error = Probability(x) - labels[i];
            for (int k = 0; k < features; k++)
            {
                gradient[k] += error * x[k];
            }

            gradientBias += error;
        }

        float step = rate / n;
        for (int k = 0; k < features; k++)
        {
            Weights[k] -= step * gradient[k];
        }

        Bias -= step * gradientBias;
    }
}

/// <summary>The baseline perceptron (one ReLU hidden layer, softmax output): plain scalar loops over managed arrays.</summary>
internal sealed class NaivePerceptron(int features, int hidden, int classes)
{
    public float[] W1 { get; } = new float[hidden * features];

    public float[] B1 { get; } = new float[hidden];

    public float[] W2 { get; } = new float[classes * hidden];

    public float[] B2 { get; } = new float[classes];

    /// <summary>The hidden activations <paramref name="h"/> and the class probabilities <paramref name="p"/> of one row.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> h, Span<float> p)
    {
        for (int j = 0; j < hidden; j++)
        {
            float z = B1[j];
            for (int k = 0; k < features; k++)
            {
                z += W1[(j * features) + k] * x[k];
            }

            h[j] = MathF.Max(z, 0f);
        }

        float max = float.NegativeInfinity;
        for (int c = 0; c < classes; c++)
        {
            float z = B2[c];
            for (int j = 0; j < hidden; j++)
            {
                z += W2[(c * hidden) + j] * h[j];
            }

            p[c] = z;
            max = MathF.Max(max, z);
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

    /// <summary>One SGD step on a batch: per row, forward and back-propagation into gradient buffers; then the step.</summary>
    public void TrainStep(ReadOnlySpan<float> rows, int[] labels, float rate, Scratch s)
    {
        Array.Clear(s.GW1);
        Array.Clear(s.GB1);
        Array.Clear(s.GW2);
        Array.Clear(s.GB2);
        int n = labels.Length;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> x = rows.Slice(i * features, features);
            Forward(x, s.H, s.P);
            s.P[labels[i]] -= 1f;
            Array.Clear(s.E);
            for (int c = 0; c < classes; c++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    s.GW2[(c * hidden) + j] += s.P[c] * s.H[j];
                    s.E[j] += s.P[c] * W2[(c * hidden) + j];
                }

                s.GB2[c] += s.P[c];
            }

            for (int j = 0; j < hidden; j++)
            {
                float e = s.H[j] > 0f ? s.E[j] : 0f;
                for (int k = 0; k < features; k++)
                {
                    s.GW1[(j * features) + k] += e * x[k];
                }

                s.GB1[j] += e;
            }
        }

        float step = rate / n;
        Update(W1, s.GW1, step);
        Update(B1, s.GB1, step);
        Update(W2, s.GW2, step);
        Update(B2, s.GB2, step);
    }

    private static void Update(float[] parameters, float[] gradient, float step)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] -= step * gradient[i];
        }
    }

    /// <summary>The buffers of a training step: gradients, activations, errors.</summary>
    internal sealed class Scratch(int features, int hidden, int classes)
    {
        public float[] GW1 { get; } = new float[hidden * features];

        public float[] GB1 { get; } = new float[hidden];

        public float[] GW2 { get; } = new float[classes * hidden];

        public float[] GB2 { get; } = new float[classes];

        public float[] H { get; } = new float[hidden];

        public float[] E { get; } = new float[hidden];

        public float[] P { get; } = new float[classes];
    }
}
