using Native.Numerics;

namespace Native.Tests;

/// <summary>Every way the functions refuse their input, and what they say when they do.</summary>
public class FunctionsErrorTests
{
    private static readonly float[] Three = [0.2f, 0.3f, 0.5f];
    private static readonly float[] Four = [0.1f, 0.2f, 0.3f, 0.4f];

    public static TheoryData<string, string, string> LengthMismatches => new()
    {
        { "Softmax", "logits", "probabilities" },
        { "SoftmaxInBase", "logits", "probabilities" },
        { "LogSoftmax", "logits", "logProbabilities" },
        { "Hardmax", "logits", "oneHot" },
        { "SoftmaxBackwardOutputGradient", "probabilities", "outputGradient" },
        { "SoftmaxBackwardInputGradient", "probabilities", "inputGradient" },
        { "LogSoftmaxBackwardOutputGradient", "logProbabilities", "outputGradient" },
        { "LogSoftmaxBackwardInputGradient", "logProbabilities", "inputGradient" },
        { "Sigmoid", "source", "destination" },
        { "SigmoidDerivative", "source", "destination" },
        { "Tanh", "source", "destination" },
        { "TanhDerivative", "source", "destination" },
        { "Relu", "source", "destination" },
        { "ReluDerivative", "source", "destination" },
        { "LeakyRelu", "source", "destination" },
        { "LeakyReluDerivative", "source", "destination" },
        { "CrossEntropyGradient", "logits", "gradient" },
        { "CrossEntropyDistributions", "probabilities", "target" },
        { "BinaryCrossEntropyFromLogit", "logits", "labels" },
        { "BinaryCrossEntropyFromLogitGradientLabels", "logits", "labels" },
        { "BinaryCrossEntropyFromLogitGradient", "logits", "gradient" },
        { "BinaryCrossEntropy", "probabilities", "labels" },
        { "BinaryCrossEntropyGradientLabels", "probabilities", "labels" },
        { "BinaryCrossEntropyGradient", "probabilities", "gradient" },
        { "MeanSquaredError", "predictions", "targets" },
        { "MeanSquaredErrorGradientTargets", "predictions", "targets" },
        { "MeanSquaredErrorGradient", "predictions", "gradient" },
        { "InformationCrossEntropy", "p", "q" },
        { "InformationCrossEntropyInBase", "p", "q" },
        { "KullbackLeibler", "p", "q" },
        { "KullbackLeiblerInBase", "p", "q" },
    };

    [Theory]
    [MemberData(nameof(LengthMismatches))]
    public void MismatchedLengthsNameBothParametersAndLengths(string call, string first, string second)
    {
        // The first-named span has length 3 and the second 4; every other span has length 3.
        ArgumentException exception = Assert.Throws<ArgumentException>(() => CallWithMismatch(call));
        Assert.Contains($"{first} has length 3 but {second} has length 4.", exception.Message, StringComparison.Ordinal);
        Assert.Equal(second, exception.ParamName);
    }

    [Fact]
    public void ShiftedOverlapIsRefusedButExactAliasingIsNot()
    {
        float[] buffer = new float[8];
        ArgumentException exception = Assert.Throws<ArgumentException>(() => Activations.Softmax(buffer.AsSpan(0, 4), buffer.AsSpan(1, 4)));
        Assert.Equal("probabilities", exception.ParamName);
        exception = Assert.Throws<ArgumentException>(() => Activations.Tanh(buffer.AsSpan(2, 4), buffer.AsSpan(0, 4)));
        Assert.Equal("destination", exception.ParamName);
        exception = Assert.Throws<ArgumentException>(() => Losses.CrossEntropyGradient(buffer.AsSpan(0, 4), 0, buffer.AsSpan(4 - 1, 4)));
        Assert.Equal("gradient", exception.ParamName);
        exception = Assert.Throws<ArgumentException>(() => Activations.SoftmaxBackward(buffer.AsSpan(0, 4), buffer.AsSpan(4, 4), buffer.AsSpan(3, 4)));
        Assert.Equal("inputGradient", exception.ParamName);

        // Adjacent spans do not overlap.
        Activations.Tanh(buffer.AsSpan(0, 4), buffer.AsSpan(4, 4));
    }

    [Fact]
    public void EmptyInputsWhereTheFunctionIsUndefinedAreRefused()
    {
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Activations.Softmax([], [])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Activations.Softmax([], [], 2f)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Activations.LogSoftmax([], [])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Activations.Hardmax([], [])).ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => Activations.ArgMax([])).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Losses.CrossEntropy([], 0)).ParamName);
        Assert.Equal("logits", Assert.Throws<ArgumentException>(() => Losses.CrossEntropyGradient([], 0, [])).ParamName);
        Assert.Equal("predictions", Assert.Throws<ArgumentException>(() => Losses.MeanSquaredError([], [])).ParamName);
        Assert.Equal("predictions", Assert.Throws<ArgumentException>(() => Losses.MeanSquaredErrorGradient([], [], [])).ParamName);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Activations.Softmax([], [])).Message, StringComparison.Ordinal);

        // Element-wise functions of nothing are nothing.
        foreach ((string name, Action<float[], float[]> function) in FunctionsElementwiseActivationTests.ElementwiseFunctions())
        {
            function([], []);
        }

        Activations.SoftmaxBackward([], [], []);
        Activations.LogSoftmaxBackward([], [], []);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MinValue)]
    public void ALabelOutsideTheClassesIsRefused(int label)
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropy(Three, label));
        Assert.Equal("label", exception.ParamName);
        Assert.Contains("[0, 3)", exception.Message, StringComparison.Ordinal);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.CrossEntropyGradient(Three, label, new float[3])).ParamName);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0f)]
    [InlineData(-2f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void ABadBaseIsRefused(float logBase)
    {
        Assert.Equal("logBase", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Softmax(Three, new float[3], logBase)).ParamName);
        Assert.Equal("logBase", Assert.Throws<ArgumentOutOfRangeException>(() => Information.Entropy(Three, logBase)).ParamName);
        Assert.Equal("logBase", Assert.Throws<ArgumentOutOfRangeException>(() => Information.CrossEntropy(Three, Three, logBase)).ParamName);
        Assert.Equal("logBase", Assert.Throws<ArgumentOutOfRangeException>(() => Information.KullbackLeibler(Three, Three, logBase)).ParamName);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void ABadDistributionEntryIsNamedWithItsIndexAndValue(float bad)
    {
        float[] withBad = [0.5f, bad, 0.5f];
        string value = bad.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AssertBadEntry(() => Information.Entropy(withBad), "p", value);
        AssertBadEntry(() => Information.Entropy(withBad, 2), "p", value);
        AssertBadEntry(() => Information.CrossEntropy(withBad, Three), "p", value);
        AssertBadEntry(() => Information.CrossEntropy(Three, withBad), "q", value);
        AssertBadEntry(() => Information.KullbackLeibler(withBad, Three), "p", value);
        AssertBadEntry(() => Information.KullbackLeibler(Three, withBad, 2), "q", value);
        AssertBadEntry(() => Losses.CrossEntropy(withBad, Three), "probabilities", value);
        AssertBadEntry(() => Losses.CrossEntropy(Three, withBad), "target", value);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void ALabelOrProbabilityOutsideTheUnitIntervalIsRefused(float bad)
    {
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.BinaryCrossEntropyFromLogit(0f, bad)).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.BinaryCrossEntropyFromLogitGradient(0f, bad)).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.BinaryCrossEntropy(0.5f, bad)).ParamName);
        Assert.Equal("probability", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.BinaryCrossEntropy(bad, 0.5f)).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.BinaryCrossEntropyGradient(0.5f, bad)).ParamName);
        Assert.Equal("probability", Assert.Throws<ArgumentOutOfRangeException>(() => Losses.BinaryCrossEntropyGradient(bad, 0.5f)).ParamName);

        float[] withBad = [0.5f, bad, 0.5f];
        float[] gradient = [7f, 7f, 7f];
        AssertBadIndex(() => Losses.BinaryCrossEntropyFromLogit(Three, withBad), "labels");
        AssertBadIndex(() => Losses.BinaryCrossEntropyFromLogitGradient(Three, withBad, gradient), "labels");
        AssertBadIndex(() => Losses.BinaryCrossEntropy(withBad, Three), "probabilities");
        AssertBadIndex(() => Losses.BinaryCrossEntropy(Three, withBad), "labels");
        AssertBadIndex(() => Losses.BinaryCrossEntropyGradient(withBad, Three, gradient), "probabilities");
        AssertBadIndex(() => Losses.BinaryCrossEntropyGradient(Three, withBad, gradient), "labels");

        // The inputs are checked before anything is written.
        Assert.Equal([7f, 7f, 7f], gradient);
    }

    private static void AssertBadEntry(Action call, string name, string value)
    {
        ArgumentException exception = Assert.Throws<ArgumentException>(call);
        Assert.Equal(name, exception.ParamName);
        Assert.Contains($"{name}[1] is {value}", exception.Message, StringComparison.Ordinal);
    }

    private static void AssertBadIndex(Action call, string name)
    {
        ArgumentOutOfRangeException exception = Assert.Throws<ArgumentOutOfRangeException>(call);
        Assert.Equal(name, exception.ParamName);
        Assert.Contains($"{name}[1] is", exception.Message, StringComparison.Ordinal);
    }

    private static void CallWithMismatch(string call)
    {
        float[] three = new float[3];
        float[] four = new float[4];
        float[] other = new float[3];
        switch (call)
        {
            case "Softmax": Activations.Softmax(Three, four); break;
            case "SoftmaxInBase": Activations.Softmax(Three, four, 2f); break;
            case "LogSoftmax": Activations.LogSoftmax(Three, four); break;
            case "Hardmax": Activations.Hardmax(Three, four); break;
            case "SoftmaxBackwardOutputGradient": Activations.SoftmaxBackward(Three, Four, three); break;
            case "SoftmaxBackwardInputGradient": Activations.SoftmaxBackward(Three, other, four); break;
            case "LogSoftmaxBackwardOutputGradient": Activations.LogSoftmaxBackward(Three, Four, three); break;
            case "LogSoftmaxBackwardInputGradient": Activations.LogSoftmaxBackward(Three, other, four); break;
            case "Sigmoid": Activations.Sigmoid(Three, four); break;
            case "SigmoidDerivative": Activations.SigmoidDerivative(Three, four); break;
            case "Tanh": Activations.Tanh(Three, four); break;
            case "TanhDerivative": Activations.TanhDerivative(Three, four); break;
            case "Relu": Activations.Relu(Three, four); break;
            case "ReluDerivative": Activations.ReluDerivative(Three, four); break;
            case "LeakyRelu": Activations.LeakyRelu(Three, four, 0.1f); break;
            case "LeakyReluDerivative": Activations.LeakyReluDerivative(Three, four, 0.1f); break;
            case "CrossEntropyGradient": Losses.CrossEntropyGradient(Three, 0, four); break;
            case "CrossEntropyDistributions": Losses.CrossEntropy(Three, Four); break;
            case "BinaryCrossEntropyFromLogit": Losses.BinaryCrossEntropyFromLogit(Three, Four); break;
            case "BinaryCrossEntropyFromLogitGradientLabels": Losses.BinaryCrossEntropyFromLogitGradient(Three, Four, three); break;
            case "BinaryCrossEntropyFromLogitGradient": Losses.BinaryCrossEntropyFromLogitGradient(Three, other, four); break;
            case "BinaryCrossEntropy": Losses.BinaryCrossEntropy(Three, Four); break;
            case "BinaryCrossEntropyGradientLabels": Losses.BinaryCrossEntropyGradient(Three, Four, three); break;
            case "BinaryCrossEntropyGradient": Losses.BinaryCrossEntropyGradient(Three, other, four); break;
            case "MeanSquaredError": Losses.MeanSquaredError(Three, Four); break;
            case "MeanSquaredErrorGradientTargets": Losses.MeanSquaredErrorGradient(Three, Four, three); break;
            case "MeanSquaredErrorGradient": Losses.MeanSquaredErrorGradient(Three, other, four); break;
            case "InformationCrossEntropy": Information.CrossEntropy(Three, Four); break;
            case "InformationCrossEntropyInBase": Information.CrossEntropy(Three, Four, 2); break;
            case "KullbackLeibler": Information.KullbackLeibler(Three, Four); break;
            case "KullbackLeiblerInBase": Information.KullbackLeibler(Three, Four, 2); break;
            default: throw new ArgumentOutOfRangeException(nameof(call), call, "Unknown call.");
        }
    }
}
