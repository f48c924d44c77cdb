using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// A multilayer perceptron: dense hidden layers, each with its activation, then a dense output layer
/// and a softmax, trained by back-propagation on cross-entropy.
/// </summary>
/// <remarks>
/// Parameters: for each layer, its weights (outputs × inputs, row-major) then its biases. Weights start
/// random from a seed — He's normal scheme, N(0, 2 / inputs), for layers feeding ReLU-family
/// activations; Xavier's (Glorot's) uniform scheme, U(±√(6 / (inputs + outputs))), for sigmoid and
/// tanh, and for the output layer — and biases start at zero.
/// </remarks>
public sealed class MultilayerPerceptron : ClassifierModel
{
    /// <summary>
    /// A perceptron with <paramref name="layerSizes"/> = features, hidden widths…, classes, every hidden
    /// layer using <paramref name="hiddenActivation"/>, initialized from <paramref name="seed"/>.
    /// </summary>
    public MultilayerPerceptron(ReadOnlySpan<int> layerSizes, Activation hiddenActivation = Activation.Relu, int seed = 0)
        : this(ModelShape.MultilayerPerceptron(layerSizes, [hiddenActivation]), seed)
    {
    }

    /// <summary>A perceptron of <paramref name="shape"/>, initialized from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The shape is not a perceptron's.</exception>
    public MultilayerPerceptron(ModelShape shape, int seed = 0)
        : base(CheckShape(shape))
    {
        Initialize(seed);
    }

    /// <summary>Draws fresh weights from <paramref name="seed"/> and zeroes the biases; the same seed gives the same parameters.</summary>
    public void Initialize(int seed) => InitializeParameters(Shape, Parameters, seed);

    /// <summary>
    /// Fills <paramref name="parameters"/> as a perceptron of <paramref name="shape"/> is initialized from
    /// <paramref name="seed"/>: the same values <see cref="Initialize(int)"/> draws. Generated perceptrons call it,
    /// so they start exactly where their run-time-shaped twins do.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not a perceptron's, or the span is not its parameter count long.</exception>
    public static void InitializeParameters(ModelShape shape, Span<float> parameters, int seed) => Draw(CheckShape(shape), parameters, seed);

    /// <summary>
    /// The initialization of a perceptron of either kind, classifier or regressor: He's normal scheme for layers feeding
    /// ReLU-family activations, Xavier's uniform scheme for sigmoid and tanh and for the output layer, biases zero.
    /// </summary>
    internal static void Draw(ModelShape shape, Span<float> parameters, int seed)
    {
        if (parameters.Length != shape.ParameterCount)
        {
            throw new ArgumentException($"parameters has length {parameters.Length}; the model {shape} has {shape.ParameterCount}.", nameof(parameters));
        }

        var random = new SeededRandom(seed);
        for (int l = 0; l < shape.LayerCount; l++)
        {
            int inputs = shape.LayerSizes[l];
            int outputs = shape.LayerSizes[l + 1];
            Span<float> weights = parameters.Slice(shape.WeightOffset(l), inputs * outputs);
            bool hidden = l < shape.LayerCount - 1;
            Activation activation = hidden ? shape.HiddenActivations[l] : Activation.Sigmoid;
            if (activation is Activation.Relu or Activation.LeakyRelu)
            {
                double deviation = Math.Sqrt(2.0 / inputs);
                foreach (ref float w in weights)
                {
                    w = (float)(random.NextNormal() * deviation);
                }
            }
            else
            {
                double limit = Math.Sqrt(6.0 / (inputs + outputs));
                foreach (ref float w in weights)
                {
                    w = (float)(((2.0 * random.NextDouble()) - 1.0) * limit);
                }
            }

            parameters.Slice(shape.BiasOffset(l), outputs).Clear();
        }
    }

    private static ModelShape CheckShape(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Kind != ModelKind.MultilayerPerceptron)
        {
            throw new ArgumentException($"Expected a multilayer perceptron's shape, got {shape}.", nameof(shape));
        }

        return shape;
    }
}
