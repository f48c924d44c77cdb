namespace Native.Numerics;

/// <summary>
/// Makes the partial class or struct it marks a multilayer perceptron of the given layer sizes — the features,
/// each hidden layer's width, then the classes — whose members the Native source generator writes: kernels with
/// every size as a literal, the <see cref="IClassifier"/> implementation, seeded initialization, and the
/// constants <c>Features</c>, <c>Classes</c> and <c>ParameterCount</c>.
/// </summary>
/// <remarks>
/// <para>
/// The generated model computes exactly what <see cref="MultilayerPerceptron"/> of the same shape computes
/// (within float rounding), has the same <see cref="IPredictor.Shape"/> and parameter layout (per layer, W then b),
/// starts from the same parameters as a run-time perceptron built with seed 0 (its <c>Initialize(seed)</c>
/// draws them for any other seed), and trains with the same <see cref="Trainer"/>.
/// </para>
/// <code>
/// [GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)]
/// public sealed partial class DigitNet;
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class GeneratedMultilayerPerceptronAttribute : Attribute
{
    private readonly int[] _layerSizes;

    /// <summary>Marks a perceptron of <paramref name="layerSizes"/>: the features, each hidden width, then the classes.</summary>
    /// <param name="layerSizes">At least three sizes, each at least 1, the last (the classes) at least 2.</param>
    public GeneratedMultilayerPerceptronAttribute(params int[] layerSizes) => _layerSizes = layerSizes ?? [];

    /// <summary>The features, each hidden layer's width, then the classes.</summary>
    public IReadOnlyList<int> LayerSizes => _layerSizes;

    /// <summary>The activation of every hidden layer (default <see cref="Activation.Relu"/>).</summary>
    public Activation HiddenActivation { get; set; } = Activation.Relu;

    /// <summary>The slope of <see cref="Activation.LeakyRelu"/> for negative inputs (default 0.01, as <see cref="ModelShape"/>'s).</summary>
    public float LeakyReluSlope { get; set; } = 0.01f;
}
