namespace Native.Tests;

/// <summary>
/// Independent double-precision forms of the functions under test, written from their definitions, and the
/// finite-difference machinery the gradient checks use.
/// </summary>
internal static class FunctionReference
{
    /// <summary>softmax in base b: b^zᵢ / Σ b^zⱼ, via double (where z·ln b cannot overflow) and the largest scaled value.</summary>
    public static double[] Softmax(ReadOnlySpan<float> z, double logBase = Math.E)
    {
        double[] scaled = new double[z.Length];
        double lnBase = Math.Log(logBase);
        for (int i = 0; i < z.Length; i++)
        {
            scaled[i] = z[i] * lnBase;
        }

        return Softmax(scaled);
    }

    /// <summary>e^zᵢ / Σ e^zⱼ in double.</summary>
    public static double[] Softmax(double[] z)
    {
        double max = z.Max();
        double[] result = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = result.Sum();
        return result.Select(v => v / sum).ToArray();
    }

    /// <summary>log Σ e^zᵢ in double.</summary>
    public static double LogSumExp(double[] z)
    {
        double max = z.Max();
        return max + Math.Log(z.Sum(v => Math.Exp(v - max)));
    }

    /// <summary>
    /// zᵢ − log Σ e^zⱼ in double, as (zᵢ − m) − log Σ e^(zⱼ − m): with m near float.MaxValue, m + log Σ would
    /// absorb the log term even in double.
    /// </summary>
    public static double[] LogSoftmax(ReadOnlySpan<float> z)
    {
        double[] values = ToDouble(z);
        double max = values.Max();
        double logSum = Math.Log(values.Sum(v => Math.Exp(v - max)));
        return values.Select(v => (v - max) - logSum).ToArray();
    }

    /// <summary>−log softmax(z)_label = (m − z_label) + log Σ e^(zⱼ − m) in double.</summary>
    public static double CrossEntropy(double[] z, int label)
    {
        double max = z.Max();
        return (max - z[label]) + Math.Log(z.Sum(v => Math.Exp(v - max)));
    }

    /// <summary>σ(x) = 1 / (1 + e^−x), in the form that does not overflow.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>
    /// log(1 + e^x): from its definition for moderate x; below −15 the series e^x − e^(2x)/2 (where 1 + e^x
    /// would round away digits); above 30, x + e^−x.
    /// </summary>
    public static double Softplus(double x) => x switch
    {
        > 30 => x + Math.Exp(-x),
        < -15 => Math.Exp(x) - (0.5 * Math.Exp(2 * x)),
        _ => Math.Log(1 + Math.Exp(x)),
    };

    /// <summary>Leaky ReLU in double.</summary>
    public static double LeakyRelu(double x, double alpha) => x > 0 ? x : alpha * x;

    /// <summary>The floats as doubles.</summary>
    public static double[] ToDouble(ReadOnlySpan<float> values)
    {
        double[] result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    /// <summary>The step for a central difference at x: 10⁻⁴, scaled up with |x|.</summary>
    public static double Step(double x) => 1e-4 * Math.Max(1, Math.Abs(x));

    /// <summary>(f(x + h) − f(x − h)) / 2h.</summary>
    public static double CentralDifference(Func<double, double> f, double x)
    {
        double h = Step(x);
        return (f(x + h) - f(x - h)) / (2 * h);
    }

    /// <summary>∂f/∂xᵢ by a central difference, leaving <paramref name="x"/> as it was.</summary>
    public static double CentralDifference(Func<double[], double> f, double[] x, int i)
    {
        double original = x[i];
        double h = Step(original);
        x[i] = original + h;
        double plus = f(x);
        x[i] = original - h;
        double minus = f(x);
        x[i] = original;
        return (plus - minus) / (2 * h);
    }

    /// <summary>|a − b| / max(|a|, |b|, floor): relative, but not blown up where both are near 0.</summary>
    public static double RelativeError(double a, double b, double floor = 1e-2) =>
        Math.Abs(a - b) / Math.Max(Math.Max(Math.Abs(a), Math.Abs(b)), floor);

    /// <summary>
    /// Asserts that <paramref name="analytic"/> (our float gradient) matches the central differences of the
    /// double function <paramref name="f"/> at <paramref name="x"/> in every coordinate, to a relative error of
    /// 10⁻³, measured against the larger of the two, 1% of the gradient's largest entry, and
    /// <paramref name="floor"/>.
    /// </summary>
    /// <param name="floor">
    /// The scale below which an entry counts as 0. The default, 10⁻⁶, is the central differences' own noise:
    /// f is computed from terms of size |z| ≈ 20 whose rounding (10⁻¹⁵) divided by 2h is about 10⁻¹², which is
    /// 10⁻³ of an entry of 10⁻⁹. A backward pass that takes float probabilities as input passes their rounding
    /// on (3·10⁻⁷ of the output gradient's scale) and needs a floor of 10⁻³ of that scale.
    /// </param>
    public static void AssertGradient(Func<double[], double> f, double[] x, ReadOnlySpan<float> analytic, string what, double floor = 1e-6)
    {
        double[] numeric = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            numeric[i] = CentralDifference(f, x, i);
        }

        floor = Math.Max(1e-2 * numeric.Max(Math.Abs), floor);
        for (int i = 0; i < x.Length; i++)
        {
            double error = RelativeError(analytic[i], numeric[i], floor);
            Assert.True(
                error <= 1e-3,
                $"{what}: coordinate {i} of {x.Length}: analytic {analytic[i]:R}, central difference {numeric[i]:R}, relative error {error:E2}");
        }
    }
}
