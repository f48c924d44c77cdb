using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests;

/// <summary>After warm-up, no function allocates, on MNIST-sized (784) spans.</summary>
public class FunctionsAllocationTests
{
    private const int Length = 784;

    private static readonly float[] Source = Enumerable.Range(0, Length).Select(i => MathF.Sin(i) * 10f).ToArray();
    private static readonly float[] Other = Enumerable.Range(0, Length).Select(i => (MathF.Cos(i) + 1f) / 2f).ToArray();
    private static readonly float[] Destination = new float[Length];
    private static readonly float[] Gradient = new float[Length];
    private static readonly float[] Distribution = Enumerable.Repeat(1f / Length, Length).ToArray();

    public static TheoryData<string> Calls =>
    [
        "Softmax", "SoftmaxInBase", "LogSoftmax", "Hardmax", "ArgMax", "SoftmaxBackward", "LogSoftmaxBackward",
        "Sigmoid", "SigmoidDerivative", "Tanh", "TanhDerivative", "Relu", "ReluDerivative", "LeakyRelu", "LeakyReluDerivative",
        "CrossEntropy", "CrossEntropyGradient", "CrossEntropyDistributions", "BinaryCrossEntropyFromLogit",
        "BinaryCrossEntropyFromLogitGradient", "BinaryCrossEntropy", "BinaryCrossEntropyGradient",
        "MeanSquaredError", "MeanSquaredErrorGradient", "Entropy", "InformationCrossEntropy", "KullbackLeibler",
    ];

    [Theory]
    [MemberData(nameof(Calls))]
    public void AllocatesNothingAfterWarmUp(string call)
    {
        Action action = Action(call);
        Assert.Equal(0, Allocations.Measure(action, warmups: 50, repeats: 100));
    }

    private static Action Action(string call) => call switch
    {
        "Softmax" => () => Activations.Softmax(Source, Destination),
        "SoftmaxInBase" => () => Activations.Softmax(Source, Destination, 2f),
        "LogSoftmax" => () => Activations.LogSoftmax(Source, Destination),
        "Hardmax" => () => Activations.Hardmax(Source, Destination),
        "ArgMax" => () => Activations.ArgMax(Source),
        "SoftmaxBackward" => () => Activations.SoftmaxBackward(Distribution, Source, Destination),
        "LogSoftmaxBackward" => () => Activations.LogSoftmaxBackward(Source, Other, Destination),
        "Sigmoid" => () => Activations.Sigmoid(Source, Destination),
        "SigmoidDerivative" => () => Activations.SigmoidDerivative(Source, Destination),
        "Tanh" => () => Activations.Tanh(Source, Destination),
        "TanhDerivative" => () => Activations.TanhDerivative(Source, Destination),
        "Relu" => () => Activations.Relu(Source, Destination),
        "ReluDerivative" => () => Activations.ReluDerivative(Source, Destination),
        "LeakyRelu" => () => Activations.LeakyRelu(Source, Destination, 0.01f),
        "LeakyReluDerivative" => () => Activations.LeakyReluDerivative(Source, Destination, 0.01f),
        "CrossEntropy" => () => Losses.CrossEntropy(Source, 3),
        "CrossEntropyGradient" => () => Losses.CrossEntropyGradient(Source, 3, Gradient),
        "CrossEntropyDistributions" => () => Losses.CrossEntropy(Other, Distribution),
        "BinaryCrossEntropyFromLogit" => () => Losses.BinaryCrossEntropyFromLogit(Source, Other),
        "BinaryCrossEntropyFromLogitGradient" => () => Losses.BinaryCrossEntropyFromLogitGradient(Source, Other, Gradient),
        "BinaryCrossEntropy" => () => Losses.BinaryCrossEntropy(Other, Distribution),
        "BinaryCrossEntropyGradient" => () => Losses.BinaryCrossEntropyGradient(Other, Distribution, Gradient),
        "MeanSquaredError" => () => Losses.MeanSquaredError(Source, Other),
        "MeanSquaredErrorGradient" => () => Losses.MeanSquaredErrorGradient(Source, Other, Gradient),
        "Entropy" => () => Information.Entropy(Distribution),
        "InformationCrossEntropy" => () => Information.CrossEntropy(Distribution, Other),
        "KullbackLeibler" => () => Information.KullbackLeibler(Distribution, Other),
        _ => throw new ArgumentOutOfRangeException(nameof(call), call, "Unknown call."),
    };
}
