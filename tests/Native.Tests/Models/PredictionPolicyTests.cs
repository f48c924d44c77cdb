using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Models;

/// <summary>
/// The prediction policy on the run-time-shaped models: a row with NaN or ±∞, or whose logits overflow, gives
/// NaN outputs and a <c>Predict</c> that throws naming the feature; finite logits, however large, give exact
/// probabilities (never an all-zero row).
/// </summary>
public sealed class PredictionPolicyTests
{
    public static TheoryData<string> Kinds => ["linear", "logistic", "softmax", "perceptron"];

    private static DenseModel Create(string kind, int features = 5, int seed = 3)
    {
        DenseModel model = kind switch
        {
            "linear" => new LinearRegression(features),
            "logistic" => new LogisticRegression(features),
            "softmax" => new SoftmaxRegression(features, 4),
            _ => new MultilayerPerceptron([features, 6, 3], Activation.Relu, seed),
        };
        DenseKernelTests.Random(model.Parameters.Length, seed).CopyTo(model.Parameters);
        return model;
    }

    /// <summary>Calls the model's <c>Predict</c> on one row (a class or a value).</summary>
    private static void Predict(DenseModel model, ReadOnlySpan<float> row)
    {
        if (model is IClassifier classifier)
        {
            classifier.PredictClass(row);
        }
        else
        {
            ((IRegressor)model).PredictValue(row);
        }
    }

    /// <summary>Calls the classifier's batch <c>Predict</c>.</summary>
    private static void PredictBatch(DenseModel model, ReadOnlySpan<float> rows, int count) => ((IClassifier)model).PredictClasses(rows, new int[count]);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ANonFiniteFeatureGivesNaNOutputsAndAPredictThatNamesIt(string kind)
    {
        DenseModel model = Create(kind);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            float[] row = [0.5f, -1f, 2f, bad, 0.25f];
            float[] outputs = new float[model.Outputs];
            model.Forward(row, outputs);
            Assert.All(outputs, value => Assert.True(float.IsNaN(value), $"{kind}, {bad}: {string.Join(", ", outputs)}"));

            ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => Predict(model, row));
            Assert.StartsWith($"Feature 3 is {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)}; a prediction needs finite features", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void InABatchOnlyTheBadRowIsNaNAndPredictNamesItsRow(string kind)
    {
        DenseModel model = Create(kind);
        float[] rows = DenseKernelTests.Random(3 * 5, 9);
        rows[5 + 2] = float.NaN; // row 1, feature 2
        float[] batch = new float[3 * model.Outputs];
        model.ForwardBatch(rows, batch);

        for (int i = 0; i < 3; i++)
        {
            float[] single = new float[model.Outputs];
            model.Forward(rows.AsSpan(i * 5, 5), single);
            float[] fromBatch = batch.AsSpan(i * model.Outputs, model.Outputs).ToArray();
            Assert.All(fromBatch, value => Assert.Equal(i == 1, float.IsNaN(value)));
            for (int k = 0; k < single.Length; k++)
            {
                Assert.True(i == 1 ? float.IsNaN(single[k]) : Math.Abs(single[k] - fromBatch[k]) <= 1e-6f, $"row {i}, output {k}: {single[k]} one at a time, {fromBatch[k]} in the batch");
            }
        }

        if (model is IClassifier)
        {
            // Classes have no NaN: the batch Predict throws, naming the row and the feature.
            ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => PredictBatch(model, rows, 3));
            Assert.StartsWith("Row 1: Feature 2 is NaN", error.Message, StringComparison.Ordinal);
        }
        else
        {
            // Values do: the batch Predict writes NaN for that row, as ForwardBatch does.
            float[] values = new float[3];
            ((IRegressor)model).PredictValues(rows, values);
            Assert.Equal([false, true, false], values.Select(float.IsNaN));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FiniteFeaturesWhoseLogitsOverflowGiveNaNNotAConfidentAnswer(string kind)
    {
        // 3e38 in every feature: the issue's row of 784 such values gave class 0 and all-zero probabilities.
        DenseModel model = Create(kind);
        model.Parameters.Fill(2f);
        float[] row = Enumerable.Repeat(3e38f, 5).ToArray();
        row[4] = -3.1e38f;
        float[] outputs = new float[model.Outputs];
        model.Forward(row, outputs);
        Assert.All(outputs, value => Assert.True(float.IsNaN(value), string.Join(", ", outputs)));

        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => Predict(model, row));
        Assert.StartsWith("The model's outputs overflow the float range for this row; its largest feature, 4, is -3.1E+38", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void NaNParametersAreBlamedNotTheRow(string kind)
    {
        // A finite, ordinary row; the model's parameter 3 set to NaN: once "its largest feature, 2, is 0.5".
        DenseModel model = Create(kind);
        model.Parameters[3] = float.NaN;
        float[] row = [0.1f, -0.2f, 0.5f, 0.3f, 0f];

        var error = Assert.Throws<InvalidOperationException>(() => Predict(model, row));

        Assert.StartsWith($"The model's parameters are not all finite (parameter 3 of {model.Parameters.Length} is NaN)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("feature", error.Message, StringComparison.Ordinal);
        float[] outputs = new float[model.Outputs];
        model.Forward(row, outputs);
        Assert.All(outputs, value => Assert.True(float.IsNaN(value)));
    }

    [Fact]
    public void HugeButFiniteLogitsGiveExactProbabilities()
    {
        // Logits of ±1e30: softmax after subtracting the largest gives exactly one class, not a row of zeros.
        var model = new SoftmaxRegression(1, 3);
        model.Parameters.Clear();
        model.Parameters[0] = 1e30f;   // class 0: z = 1e30·x
        model.Parameters[1] = -1e30f;  // class 1: z = −1e30·x
        float[] probabilities = new float[3];
        model.PredictProbabilities([2f], probabilities);
        Assert.Equal([1f, 0f, 0f], probabilities);
        Assert.Equal(0, model.PredictClass([2f]));
        model.PredictProbabilities([-2f], probabilities);
        Assert.Equal([0f, 1f, 0f], probabilities);
    }

    [Fact]
    public void EveryRowGetsProbabilitiesThatSumToOneOrNaNThroughout()
    {
        // Rows spanning every magnitude a float has, through every classifier kind: never a finite row that is
        // not a distribution (an all-zero row, say), and Predict throws exactly for the NaN rows.
        DenseModel[] models = [Create("logistic", 8), Create("softmax", 8), Create("perceptron", 8)];
        Gen<float[]> rows =
            from exponent in Gen.Choose(-38, 38)
            from values in Gen.ArrayOf(Properties.Float(-3.4f, 3.4f), 8)
            select values.Select(v => v * MathF.Pow(10f, exponent)).ToArray();
        Properties.ForAll(rows, row =>
        {
            foreach (DenseModel model in models)
            {
                var classifier = (IClassifier)model;
                float[] p = new float[classifier.Classes];
                classifier.PredictProbabilities(row, p);
                bool nan = p.All(float.IsNaN);
                if (!nan)
                {
                    Assert.All(p, value => Assert.InRange(value, 0f, 1f));
                    Assert.InRange(p.Sum(), 0.9999f, 1.0001f);
                    classifier.PredictClass(row);
                }
                else
                {
                    Assert.ThrowsAny<ArgumentException>(() => { classifier.PredictClass(row); });
                }
            }
        }, tests: 300);
    }

    [Fact]
    public void TheCheckAllocatesNothingOnGoodRowsOrBadOnes()
    {
        var model = new SoftmaxRegression(784, 10);
        DenseKernelTests.Random(model.Parameters.Length, 1, scale: 0.01f).CopyTo(model.Parameters);
        float[] good = DenseKernelTests.Random(784, 2);
        float[] bad = [.. good];
        bad[100] = float.NaN;
        float[] outputs = new float[10];
        Assert.Equal(0, Allocations.Measure(() =>
        {
            model.PredictProbabilities(good, outputs);
            model.PredictProbabilities(bad, outputs);
            model.PredictClass(good);
        }));
    }

    [Fact]
    public void IsFiniteFindsAnyNonFiniteValueAtEveryPosition()
    {
        foreach (int length in Properties.AwkwardLengths)
        {
            float[] values = DenseKernelTests.Random(length, length);
            Assert.True(PredictionPolicy.IsFinite(values));
            for (int i = 0; i < length; i++)
            {
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    float kept = values[i];
                    values[i] = bad;
                    Assert.False(PredictionPolicy.IsFinite(values), $"length {length}, {bad} at {i}");
                    values[i] = kept;
                }
            }

            values[0] = float.MaxValue;
            values[^1] = -float.MaxValue;
            Assert.True(PredictionPolicy.IsFinite(values));
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void EachVectorWidthFollowsThePolicy(string width)
    {
        var model = new MultilayerPerceptron([5, 6, 3], Activation.Relu, seed: 1) { KernelWidth = Widths.Parse(width) };
        float[] outputs = new float[3];
        model.Forward([1f, float.PositiveInfinity, 0f, 0f, 0f], outputs);
        Assert.All(outputs, value => Assert.True(float.IsNaN(value), width));
        model.Parameters.Fill(1f);
        model.Forward(Enumerable.Repeat(3e38f, 5).ToArray(), outputs);
        Assert.All(outputs, value => Assert.True(float.IsNaN(value), width));
    }

    public static TheoryData<string, Activation> WidthsAndActivations()
    {
        var data = new TheoryData<string, Activation>();
        foreach (string width in new[] { "Scalar", "Vector128", "Vector256", "Vector512" })
        {
            foreach (Activation activation in Enum.GetValues<Activation>())
            {
                data.Add(width, activation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndActivations))]
    public void EveryHiddenActivationCarriesANaNFeatureToTheOutputs(string width, Activation activation)
    {
        // A hidden layer wide enough for whole vectors at every width: a NaN must survive each activation's vector
        // lanes (where e^x is the kernels' own exp) as well as its scalar tail, or the policy sees finite logits.
        var model = new MultilayerPerceptron([5, 37, 3], activation, seed: 1) { KernelWidth = Widths.Parse(width) };
        float[] outputs = new float[3];
        float[] row = [1f, float.NaN, 0f, 0f, 0f];
        model.Forward(row, outputs);
        Assert.All(outputs, value => Assert.True(float.IsNaN(value), $"{width} {activation}: {value}"));
        Assert.Contains("Feature 1 is NaN", Assert.Throws<ArgumentException>(() => model.PredictClass(row)).Message, StringComparison.Ordinal);
    }
}
