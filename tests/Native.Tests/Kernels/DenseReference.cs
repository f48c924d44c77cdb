using Native.Numerics;

namespace Native.Tests.Kernels;

/// <summary>
/// The naive references of the dense kernels (ForwardKernel, RowKernel, GradientKernel, BackpropagateKernel, SoftmaxKernel): the same contracts, written as the textbook loops
/// with every index checked. The tests hold each vector path to these.
/// </summary>
internal static class DenseReference
{
    /// <summary>Z = A·Wᵀ + b. A is (n, inputs) row-major; W is (outputs, inputs); Z is (n, outputs).</summary>
    public static void Forward(ReadOnlySpan<float> input, int count, int inputs, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int outputs, Span<float> z)
    {
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < outputs; j++)
            {
                float sum = 0f;
                for (int k = 0; k < inputs; k++)
                {
                    sum += input[(i * inputs) + k] * weights[(j * inputs) + k];
                }

                z[(i * outputs) + j] = sum + bias[j];
            }
        }
    }

    /// <summary>dW += Eᵀ·A; db += Σ rows of E.</summary>
    public static void AccumulateGradient(ReadOnlySpan<float> errors, ReadOnlySpan<float> input, int count, int inputs, int outputs, Span<float> weightGradient, Span<float> biasGradient)
    {
        for (int j = 0; j < outputs; j++)
        {
            for (int k = 0; k < inputs; k++)
            {
                float sum = 0f;
                for (int i = 0; i < count; i++)
                {
                    sum += errors[(i * outputs) + j] * input[(i * inputs) + k];
                }

                weightGradient[(j * inputs) + k] += sum;
            }

            for (int i = 0; i < count; i++)
            {
                biasGradient[j] += errors[(i * outputs) + j];
            }
        }
    }

    /// <summary>D = E·W.</summary>
    public static void Backpropagate(ReadOnlySpan<float> errors, int count, int outputs, ReadOnlySpan<float> weights, int inputs, Span<float> inputErrors)
    {
        for (int i = 0; i < count; i++)
        {
            for (int k = 0; k < inputs; k++)
            {
                float sum = 0f;
                for (int j = 0; j < outputs; j++)
                {
                    sum += errors[(i * outputs) + j] * weights[(j * inputs) + k];
                }

                inputErrors[(i * inputs) + k] = sum;
            }
        }
    }

    /// <summary>The activation of one value.</summary>
    public static float Activate(Activation activation, float slope, float x) => activation switch
    {
        Activation.Relu => x > 0f ? x : 0f,
        Activation.LeakyRelu => x > 0f ? x : slope * x,
        Activation.Sigmoid => 1f / (1f + MathF.Exp(-x)),
        Activation.Tanh => MathF.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>The derivative of the activation, from its output y.</summary>
    public static float Derivative(Activation activation, float slope, float y) => activation switch
    {
        Activation.Relu => y > 0f ? 1f : 0f,
        Activation.LeakyRelu => y > 0f ? 1f : slope,
        Activation.Sigmoid => y * (1f - y),
        Activation.Tanh => 1f - (y * y),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>softmax(z) in place, returning log Σ e^z; the maximum is subtracted first.</summary>
    public static float Softmax(Span<float> z)
    {
        float max = float.NegativeInfinity;
        foreach (float value in z)
        {
            max = MathF.Max(max, value);
        }

        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = MathF.Exp(z[i] - max);
            sum += z[i];
        }

        for (int i = 0; i < z.Length; i++)
        {
            z[i] = (float)(z[i] / sum);
        }

        return max + (float)Math.Log(sum);
    }
}
