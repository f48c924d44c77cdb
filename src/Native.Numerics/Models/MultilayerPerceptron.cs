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
    public void Initialize(int seed)
    {
        var random = new SeededRandom(seed);
        Span<float> parameters = Parameters;
        for (int l = 0; l < Shape.LayerCount; l++)
        {
            int inputs = Shape.LayerSizes[l];
            int outputs = Shape.LayerSizes[l + 1];
            Span<float> weights = parameters.Slice(Shape.WeightOffset(l), inputs * outputs);
            bool hidden = l < Shape.LayerCount - 1;
            Activation activation = hidden ? Shape.HiddenActivations[l] : Activation.Sigmoid;
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

            parameters.Slice(Shape.BiasOffset(l), outputs).Clear();
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
