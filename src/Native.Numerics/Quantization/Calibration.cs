using System.Globalization;

namespace Native.Numerics.Quantization;

/// <summary>How calibration turns the values a layer's input took on the calibration rows into the range its bytes cover.</summary>
internal enum CalibrationRange
{
    /// <summary>From the least to the greatest value seen: nothing is clipped, however far out the extremes lie.</summary>
    Extremes,

    /// <summary>
    /// The range whose bytes stand for the values seen with the least squared error: rounding error inside it, clipping error
    /// outside. Heavy tails (a standardized pixel that is almost always 0 is 100 standard deviations out when it is not)
    /// are clipped where widening the steps for them would cost the common values more.
    /// </summary>
    LeastSquaredError,
}

/// <summary>
/// Each layer's input range over calibration rows, through the float model in double: the extremes in a first pass, then
/// (for <see cref="CalibrationRange.LeastSquaredError"/>) a histogram of the values in a second, from which the range is
/// chosen. Memory is a few histograms, whatever the number of rows.
/// </summary>
internal static class Calibration
{
    // Bins of a layer's histogram, over its extremes; and the candidate clips per side, 2^(−k/16) of the extreme for
    // k = 0 … 160 (down to a thousandth of it).
    private const int Bins = 2048;
    private const int Candidates = 161;

    /// <summary>The range of each layer's input, in standardized units for the first layer.</summary>
    /// <exception cref="ArgumentException">The calibration rows are empty, ragged, or not finite.</exception>
    public static (float Lowest, float Highest)[] Ranges(ModelShape shape, ReadOnlySpan<float> parameters, Standardizer? standardizer, ReadOnlySpan<float> rows, CalibrationRange method)
    {
        int features = shape.Features;
        if (rows.IsEmpty || rows.Length % features != 0)
        {
            throw new ArgumentException($"The calibration rows hold {rows.Length} floats, not a whole number (at least one) of rows of {features} features.", nameof(rows));
        }

        for (int k = 0; k < rows.Length; k++)
        {
            if (!float.IsFinite(rows[k]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Calibration row {k / features}, feature {k % features}, is {rows[k]}; calibration rows must be finite."), nameof(rows));
            }
        }

        int layers = shape.LayerCount;
        var extremes = new Extremes(layers);
        Pass(shape, parameters, standardizer, rows, ref extremes);
        double[] lowest = extremes.Lowest, highest = extremes.Highest;

        var ranges = new (float, float)[layers];
        if (method == CalibrationRange.Extremes)
        {
            for (int l = 0; l < layers; l++)
            {
                ranges[l] = ((float)lowest[l], (float)highest[l]);
            }

            return ranges;
        }

        var histograms = new Histograms(lowest, highest);
        Pass(shape, parameters, standardizer, rows, ref histograms);
        for (int l = 0; l < layers; l++)
        {
            ranges[l] = LeastError(histograms.Counts[l], lowest[l], highest[l]);
        }

        return ranges;
    }

    // The (low, high) among the candidates whose bytes stand for the histogram's values with the least squared error.
    private static (float, float) LeastError(long[] counts, double lowest, double highest)
    {
        if (!(highest > lowest))
        {
            return ((float)lowest, (float)highest);
        }

        double width = (highest - lowest) / Bins;
        double best = double.PositiveInfinity;
        (double Low, double High) chosen = (lowest, highest);
        int lows = lowest < 0 ? Candidates : 1, highs = highest > 0 ? Candidates : 1;
        for (int i = 0; i < lows; i++)
        {
            double low = lowest * Math.Pow(2, -i / 16.0);
            for (int j = 0; j < highs; j++)
            {
                double high = highest * Math.Pow(2, -j / 16.0);
                double step = (high - low) / QuantizedRange.MaximumActivation;
                double rounding = step * step / 12, error = 0;
                for (int b = 0; b < Bins && error < best; b++)
                {
                    long n = counts[b];
                    if (n == 0)
                    {
                        continue;
                    }

                    double v = lowest + ((b + 0.5) * width);
                    double outside = v < low ? low - v : v > high ? v - high : 0;
                    error += n * (outside == 0 ? rounding : outside * outside);
                }

                if (error < best)
                {
                    best = error;
                    chosen = (low, high);
                }
            }
        }

        return ((float)chosen.Low, (float)chosen.High);
    }

    // Every calibration row through the float model, each layer's input values handed to the observer.
    private static void Pass<TObserver>(ModelShape shape, ReadOnlySpan<float> parameters, Standardizer? standardizer, ReadOnlySpan<float> rows, ref TObserver observer)
        where TObserver : struct, IObserver
    {
        int features = shape.Features;
        int widest = shape.LayerSizes.Max();
        double[] below = new double[widest], above = new double[widest];
        for (int r = 0; r < rows.Length / features; r++)
        {
            ReadOnlySpan<float> row = rows.Slice(r * features, features);
            for (int j = 0; j < features; j++)
            {
                below[j] = standardizer is null ? row[j] : (row[j] - standardizer.Means[j]) * (double)standardizer.Scales[j];
            }

            for (int l = 0; l < shape.LayerCount; l++)
            {
                int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
                for (int i = 0; i < inputs; i++)
                {
                    observer.Observe(l, below[i]);
                }

                if (l == shape.LayerCount - 1)
                {
                    break;
                }

                ReadOnlySpan<float> w = parameters.Slice(shape.WeightOffset(l), inputs * outputs);
                ReadOnlySpan<float> b = parameters.Slice(shape.BiasOffset(l), outputs);
                for (int o = 0; o < outputs; o++)
                {
                    double sum = b[o];
                    ReadOnlySpan<float> wo = w.Slice(o * inputs, inputs);
                    for (int i = 0; i < inputs; i++)
                    {
                        sum += wo[i] * below[i];
                    }

                    above[o] = Activate(shape.HiddenActivations[l], sum, shape.LeakyReluSlope);
                }

                (below, above) = (above, below);
            }
        }
    }

    // What a pass does with each value a layer's input takes.
    private interface IObserver
    {
        void Observe(int layer, double value);
    }

    // Each layer's least and greatest input, 0 included.
    private readonly struct Extremes(int layers) : IObserver
    {
        public double[] Lowest { get; } = new double[layers];

        public double[] Highest { get; } = new double[layers];

        public void Observe(int layer, double value)
        {
            Lowest[layer] = Math.Min(Lowest[layer], value);
            Highest[layer] = Math.Max(Highest[layer], value);
        }
    }

    // Each layer's histogram of its inputs over its extremes. Zeros are counted apart (not at all): 0 is a byte exactly,
    // so they cost no error whatever the range.
    private readonly struct Histograms : IObserver
    {
        private readonly double[] _lowest;
        private readonly double[] _highest;

        public Histograms(double[] lowest, double[] highest)
        {
            _lowest = lowest;
            _highest = highest;
            Counts = new long[lowest.Length][];
            for (int l = 0; l < lowest.Length; l++)
            {
                Counts[l] = new long[Bins];
            }
        }

        public long[][] Counts { get; }

        public void Observe(int layer, double value)
        {
            double low = _lowest[layer], high = _highest[layer];
            if (value != 0 && high > low)
            {
                Counts[layer][Math.Min(Bins - 1, (int)((value - low) / (high - low) * Bins))]++;
            }
        }
    }

    private static double Activate(Activation activation, double x, float slope) => activation switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.LeakyRelu => x > 0 ? x : x * slope,
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        _ => Math.Tanh(x),
    };
}
