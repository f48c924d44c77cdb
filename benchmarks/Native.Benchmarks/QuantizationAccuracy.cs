using System.Globalization;
using Native.Numerics;
using Native.Numerics.Quantization;

namespace Native.Benchmarks;

/// <summary>
/// What int8 costs in accuracy: each model kind trained in float on MNIST-10k and on scikit-learn's digits (the protocol
/// of <see cref="AccuracyData"/>: row i is a test row when i % 5 == 0), then quantized — calibrated on the training rows,
/// and with per-row scales — and scored on the test rows. Beside the engine, a simulation of the same quantization in
/// double (weights and activations rounded to their levels, then everything in double) at 7-bit activations (the
/// engine's design) and at 8-bit, to weigh the bit the engine gives up for exact <c>vpmaddubsw</c> sums.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- quantization</c>.</remarks>
internal static class QuantizationAccuracy
{
    /// <summary>Prints the table; with <paramref name="only"/>, only the rows whose data set's name contains it.</summary>
    public static void Print(string? only = null)
    {
        s_only = only;
        Console.WriteLine("| data | model | float | int8 calibrated, extremes | int8 calibrated, least squared error | int8 per row | simulated 7-bit act., calibrated / per row | simulated 8-bit act., calibrated / per row | simulated 8-bit act., 7-bit weights, calibrated |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string data in new[] { AccuracyData.Mnist, AccuracyData.Digits })
        {
            var (training, test) = AccuracyData.Get(data);
            bool mnist = data == AccuracyData.Mnist;
            int f = training.Features;
            Run(data, "softmax", training, test, () => new SoftmaxRegression(f, 10), mnist ? 20 : 60, standardize: false);
            foreach (Activation activation in Enum.GetValues<Activation>())
            {
                Run(data, $"perceptron {f}-128-10 {activation}", training, test, () => new MultilayerPerceptron([f, 128, 10], activation, seed: 1), mnist ? 15 : 40, standardize: false);
            }

        }

        // A binary task on standardized features: scikit-learn's breast cancer set (30 features in their own units), and
        // MNIST's digit below 5 (standardized pixels: heavy tails, a rare pixel far out when it is set). A regression:
        // scikit-learn's diabetes set, standardized.
        var (cancerTraining, cancerTest) = Split(Csv.Read(MnistData.RepositoryPath("tests", "data", "breast-cancer", "breast-cancer.csv"), new CsvOptions { LabelColumn = "label" }));
        Run("breast cancer", "logistic, standardized", cancerTraining, cancerTest, () => new LogisticRegression(30), 200, standardize: true);
        var (mnistTraining, mnistTest) = AccuracyData.Get(AccuracyData.Mnist);
        Run(AccuracyData.Mnist, "logistic (digit < 5), standardized", Relabel(mnistTraining, digit => digit < 5 ? 1 : 0), Relabel(mnistTest, digit => digit < 5 ? 1 : 0), () => new LogisticRegression(784), 20, standardize: true);
        var (diabetesTraining, diabetesTest) = Split(Csv.Read(MnistData.RepositoryPath("tests", "data", "diabetes", "diabetes.csv"), new CsvOptions { LabelColumn = "target", Labels = CsvLabels.Regression }));
        Run("diabetes", "linear, standardized; R²", diabetesTraining, diabetesTest, () => new LinearRegression(10), 300, standardize: true);
    }

    private static string? s_only;

    private static void Run(string data, string name, Dataset training, Dataset test, Func<IModel> create, int epochs, bool standardize)
    {
        if (s_only is not null && !data.Contains(s_only, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        Standardizer? standardizer = standardize ? Standardizer.Fit(training) : null;
        Dataset fitted = standardizer?.Transform(training) ?? training;
        IModel model = create();
        Optimizer optimizer = model.Task == ModelTask.Regression ? new Adam(1f) : new Momentum(0.05f, 0.9f) { WeightDecay = 1e-4f };
        var options = new TrainerOptions { Epochs = epochs, BatchSize = 64, Seed = 1, Schedule = LearningRateSchedule.Cosine(epochs) };
        new Trainer(model, optimizer, options).Fit(fitted);

        float[] calibration = Rows(training);
        float[] rows = Rows(test);
        float[] standardizedRows = Rows(standardizer?.Transform(test) ?? test);
        double floatScore = Score(model.Shape, test, Outputs(model, standardizedRows));
        var cells = new List<string> { Format(floatScore, model.Shape) };
        foreach (var (scaling, range) in new[] { (ActivationScaling.Calibrated, CalibrationRange.Extremes), (ActivationScaling.Calibrated, CalibrationRange.LeastSquaredError), (ActivationScaling.PerRow, default) })
        {
            QuantizedModel quantized = QuantizedModel.Create(Quantizer.Quantize(model.Shape, model.Parameters, standardizer, calibration, scaling, range));
            float[] logits = new float[test.Count * model.Shape.Outputs];
            quantized.Logits(rows, logits);
            cells.Add(Format(Score(model.Shape, test, logits), model.Shape));
        }

        cells.Add($"{Simulated(model, standardizer, calibration, rows, test, 127, 127, true)} / {Simulated(model, standardizer, calibration, rows, test, 127, 127, false)}");
        cells.Add($"{Simulated(model, standardizer, calibration, rows, test, 255, 127, true)} / {Simulated(model, standardizer, calibration, rows, test, 255, 127, false)}");
        cells.Add(Simulated(model, standardizer, calibration, rows, test, 255, 63, true));
        Console.WriteLine($"| {data} | {name} | {string.Join(" | ", cells)} |");
    }

    // The top layer's values of the float model for standardized rows (logits: a probability's logit carries its class).
    private static float[] Outputs(IModel model, float[] rows)
    {
        int count = rows.Length / model.Features;
        float[] logits = new float[count * model.Shape.Outputs];
        for (int i = 0; i < count; i++)
        {
            double[] values = Forward(model.Shape, model.Parameters.ToArray(), rows.AsSpan(i * model.Features, model.Features), null, null);
            for (int o = 0; o < values.Length; o++)
            {
                logits[(i * values.Length) + o] = (float)values[o];
            }
        }

        return logits;
    }

    // Accuracy from logits (a regression's R²).
    private static double Score(ModelShape shape, Dataset test, float[] logits)
    {
        int outputs = shape.Outputs;
        if (shape.Task == ModelTask.Regression)
        {
            return RegressionReport.FromPredictions(test.Targets, logits).RSquared;
        }

        int right = 0;
        for (int i = 0; i < test.Count; i++)
        {
            ReadOnlySpan<float> z = logits.AsSpan(i * outputs, outputs);
            int predicted = outputs == 1 ? (z[0] >= 0 ? 1 : 0) : z.IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(z));
            right += predicted == test.Labels[i] ? 1 : 0;
        }

        return right / (double)test.Count;
    }

    // The simulated quantization: weights rounded per row to ±weightLevels, each layer's input to 0..activationLevels with
    // a calibrated or per-row scale and zero point; the rest in double.
    private static string Simulated(IModel model, Standardizer? standardizer, float[] calibration, float[] rows, Dataset test, int activationLevels, int weightLevels, bool calibrated)
    {
        ModelShape shape = model.Shape;
        float[] parameters = model.Parameters.ToArray();
        for (int l = 0; l < shape.LayerCount; l++)
        {
            int inputs = shape.LayerSizes[l];
            for (int o = 0; o < shape.LayerSizes[l + 1]; o++)
            {
                Span<float> row = parameters.AsSpan(shape.WeightOffset(l) + (o * inputs), inputs);
                float largest = System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(row);
                double step = Math.Abs(largest) / weightLevels;
                for (int i = 0; i < inputs && step > 0; i++)
                {
                    row[i] = (float)(step * Math.Round(row[i] / step));
                }
            }
        }

        (double Low, double High)[]? ranges = null;
        if (calibrated)
        {
            ranges = new (double, double)[shape.LayerCount];
            for (int i = 0; i < calibration.Length / shape.Features; i++)
            {
                Forward(shape, model.Parameters.ToArray(), Standardize(standardizer, calibration.AsSpan(i * shape.Features, shape.Features)), ranges, null);
            }
        }

        int count = rows.Length / shape.Features;
        float[] logits = new float[count * shape.Outputs];
        for (int i = 0; i < count; i++)
        {
            double[] values = Forward(shape, parameters, Standardize(standardizer, rows.AsSpan(i * shape.Features, shape.Features)), null, (activationLevels, ranges));
            for (int o = 0; o < values.Length; o++)
            {
                logits[(i * values.Length) + o] = (float)values[o];
            }
        }

        return Format(Score(shape, test, logits), shape);
    }

    private static float[] Standardize(Standardizer? standardizer, ReadOnlySpan<float> row)
    {
        float[] result = row.ToArray();
        standardizer?.Transform(row, result);
        return result;
    }

    // One row through the layers in double; records each layer's input range, or rounds each layer's input to its levels.
    private static double[] Forward(ModelShape shape, float[] parameters, ReadOnlySpan<float> row, (double Low, double High)[]? record, (int Levels, (double Low, double High)[]? Ranges)? quantize)
    {
        double[] a = new double[row.Length];
        for (int j = 0; j < row.Length; j++)
        {
            a[j] = row[j];
        }

        for (int l = 0; l < shape.LayerCount; l++)
        {
            if (record is not null)
            {
                record[l] = (Math.Min(record[l].Low, a.Min()), Math.Max(record[l].High, a.Max()));
            }

            if (quantize is var (levels, ranges))
            {
                (double low, double high) = ranges is null ? (a.Min(), a.Max()) : ranges[l];
                low = Math.Min(low, 0);
                high = Math.Max(high, 0);
                double scale = high > low ? (high - low) / levels : 1;
                double zero = Math.Clamp(Math.Round(-low / scale), 0, levels);
                for (int j = 0; j < a.Length; j++)
                {
                    a[j] = scale * (Math.Clamp(Math.Round(a[j] / scale) + zero, 0, levels) - zero);
                }
            }

            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            double[] y = new double[outputs];
            for (int o = 0; o < outputs; o++)
            {
                double sum = parameters[shape.BiasOffset(l) + o];
                for (int i = 0; i < inputs; i++)
                {
                    sum += parameters[shape.WeightOffset(l) + (o * inputs) + i] * a[i];
                }

                y[o] = l == shape.LayerCount - 1 ? sum : shape.HiddenActivations[l] switch
                {
                    Activation.Relu => Math.Max(sum, 0),
                    Activation.LeakyRelu => sum > 0 ? sum : sum * shape.LeakyReluSlope,
                    Activation.Sigmoid => 1 / (1 + Math.Exp(-sum)),
                    _ => Math.Tanh(sum),
                };
            }

            a = y;
        }

        return a;
    }

    private static Dataset Relabel(Dataset data, Func<int, int> label)
    {
        int[] labels = new int[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            labels[i] = label(data.Labels[i]);
        }

        return Dataset.FromLabels(Rows(data), data.Features, labels, 2);
    }

    // The MNIST-10k protocol: row i is a test row when i % 5 == 0.
    private static (Dataset Training, Dataset Test) Split(Dataset all) =>
        (all.Select(Enumerable.Range(0, all.Count).Where(i => i % 5 != 0).ToArray()), all.Select(Enumerable.Range(0, all.Count).Where(i => i % 5 == 0).ToArray()));

    private static float[] Rows(Dataset data)
    {
        float[] rows = new float[data.Count * data.Features];
        for (int i = 0; i < data.Count; i++)
        {
            data.Row(i).CopyTo(rows.AsSpan(i * data.Features));
        }

        return rows;
    }

    private static string Format(double score, ModelShape shape) =>
        shape.Task == ModelTask.Regression ? score.ToString("F4", CultureInfo.InvariantCulture) : score.ToString("P2", CultureInfo.InvariantCulture);
}
