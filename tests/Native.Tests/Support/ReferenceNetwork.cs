using Native.Numerics;

namespace Native.Tests.Support;

/// <summary>
/// The models written again in double precision, as plain textbook loops sharing no code with the
/// library: the yardstick for outputs, losses and (through central differences) gradients.
/// </summary>
internal static class ReferenceNetwork
{
    /// <summary>The model's outputs for one row: the values (one per target), P(class 1), or the class probabilities.</summary>
    public static double[] Forward(ModelShape shape, ReadOnlySpan<double> parameters, ReadOnlySpan<float> row)
    {
        double[] z = Logits(shape, parameters, row);
        return shape.Kind switch
        {
            ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => z,
            ModelKind.LogisticRegression => [1 / (1 + Math.Exp(-z[0]))],
            _ => Softmax(z),
        };
    }

    /// <summary>The last layer's values for one row, before the output function.</summary>
    public static double[] Logits(ModelShape shape, ReadOnlySpan<double> parameters, ReadOnlySpan<float> row)
    {
        double[] a = new double[row.Length];
        for (int k = 0; k < row.Length; k++)
        {
            a[k] = row[k];
        }

        for (int l = 0; l < shape.LayerCount; l++)
        {
            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            int w = shape.WeightOffset(l), b = shape.BiasOffset(l);
            double[] z = new double[outputs];
            for (int j = 0; j < outputs; j++)
            {
                double sum = parameters[b + j];
                for (int k = 0; k < inputs; k++)
                {
                    sum += parameters[w + (j * inputs) + k] * a[k];
                }

                z[j] = l < shape.LayerCount - 1 ? Activate(shape.HiddenActivations[l], shape.LeakyReluSlope, sum) : sum;
            }

            a = z;
        }

        return a;
    }

    /// <summary>The summed, weighted loss over the rows: squared error (summed over a row's targets), binary cross-entropy or cross-entropy.</summary>
    public static double Loss(ModelShape shape, ReadOnlySpan<double> parameters, float[] rows, int[]? labels, float[]? targets, float[]? weights)
    {
        int features = shape.Features;
        int count = rows.Length / features;
        double total = 0;
        for (int i = 0; i < count; i++)
        {
            double[] z = Logits(shape, parameters, rows.AsSpan(i * features, features));
            double loss = shape.Kind switch
            {
                ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => SquaredError(z, targets!.AsSpan(i * z.Length, z.Length)),
                ModelKind.LogisticRegression => Math.Log(1 + Math.Exp(z[0])) - (labels![i] * z[0]),
                _ => LogSumExp(z) - z[labels![i]],
            };
            total += (weights?[i] ?? 1.0) * loss;
        }

        return total;
    }

    /// <summary>The gradient of <see cref="Loss"/> by central differences in double.</summary>
    public static double[] NumericalGradient(ModelShape shape, ReadOnlySpan<float> parameters, float[] rows, int[]? labels, float[]? targets, float[]? weights)
    {
        double[] theta = new double[parameters.Length];
        for (int p = 0; p < theta.Length; p++)
        {
            theta[p] = parameters[p];
        }

        double[] gradient = new double[theta.Length];
        for (int p = 0; p < theta.Length; p++)
        {
            double saved = theta[p];
            double h = 1e-6 * Math.Max(1, Math.Abs(saved));
            theta[p] = saved + h;
            double up = Loss(shape, theta, rows, labels, targets, weights);
            theta[p] = saved - h;
            double down = Loss(shape, theta, rows, labels, targets, weights);
            theta[p] = saved;
            gradient[p] = (up - down) / (2 * h);
        }

        return gradient;
    }

    /// <summary>‖a − b‖ / max(‖a‖, ‖b‖, floor): the relative error of two gradients as wholes.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double floor = 1e-6)
    {
        double difference = 0, a = 0, b = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            a += (double)actual[i] * actual[i];
            b += expected[i] * expected[i];
        }

        return Math.Sqrt(difference) / Math.Max(Math.Max(Math.Sqrt(a), Math.Sqrt(b)), floor);
    }

    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        double[] result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    private static double Activate(Activation activation, float slope, double x) => activation switch
    {
        Activation.Relu => Math.Max(0, x),
        Activation.LeakyRelu => x > 0 ? x : slope * x,
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.Tanh => Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    private static double SquaredError(double[] z, ReadOnlySpan<float> targets)
    {
        double sum = 0;
        for (int j = 0; j < z.Length; j++)
        {
            sum += (z[j] - targets[j]) * (z[j] - targets[j]);
        }

        return sum;
    }

    private static double LogSumExp(double[] z)
    {
        double max = z.Max();
        return max + Math.Log(z.Sum(v => Math.Exp(v - max)));
    }

    private static double[] Softmax(double[] z)
    {
        double max = z.Max();
        double[] e = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}
