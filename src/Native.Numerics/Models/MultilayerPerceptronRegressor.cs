using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// A perceptron regressor: dense hidden layers, each with its activation, then a dense output layer whose values are the
/// prediction — one, or one per target of a multi-output regression — trained by back-propagation on squared error
/// (scikit-learn's <c>MLPRegressor</c>).
/// </summary>
/// <remarks>
/// <para>
/// The loss of a row is Σ_j (ŷ_j − y_j)² over its outputs, so the output layer's errors are 2(ŷ − y), carried down
/// through the hidden layers as in <see cref="MultilayerPerceptron"/>. Parameters: for each layer, its weights (outputs ×
/// inputs, row-major) then its biases. Weights start random from a seed, by the perceptron's schemes (He's normal for
/// layers feeding ReLU-family activations, Xavier's uniform for sigmoid and tanh and for the output layer); biases at zero.
/// </para>
/// <para>
/// A model of several outputs answers <see cref="PredictValues"/> with <see cref="IPredictor.Outputs"/> values a row;
/// <see cref="PredictValue"/> and <see cref="TryPredictValue"/>, which return one value, are for a model of one.
/// </para>
/// </remarks>
public sealed class MultilayerPerceptronRegressor : DenseModel, IRegressor
{
    /// <summary>
    /// A perceptron regressor with <paramref name="layerSizes"/> = features, hidden widths…, outputs, every hidden layer
    /// using <paramref name="hiddenActivation"/>, initialized from <paramref name="seed"/>.
    /// </summary>
    public MultilayerPerceptronRegressor(ReadOnlySpan<int> layerSizes, Activation hiddenActivation = Activation.Relu, int seed = 0)
        : this(ModelShape.MultilayerPerceptronRegressor(layerSizes, [hiddenActivation]), seed)
    {
    }

    /// <summary>A perceptron regressor of <paramref name="shape"/>, initialized from <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The shape is not a perceptron regressor's.</exception>
    public MultilayerPerceptronRegressor(ModelShape shape, int seed = 0)
        : base(Create<IdentityHead>(CheckShape(shape)))
    {
        Initialize(seed);
    }

    /// <summary>Draws fresh weights from <paramref name="seed"/> and zeroes the biases; the same seed gives the same parameters.</summary>
    public void Initialize(int seed) => MultilayerPerceptron.Draw(Shape, Parameters, seed);

    /// <summary>
    /// Fills <paramref name="parameters"/> as a perceptron regressor of <paramref name="shape"/> is initialized from
    /// <paramref name="seed"/>: the same values <see cref="Initialize(int)"/> draws. Generated regressors call it, so they
    /// start exactly where their run-time-shaped twins do.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not a perceptron regressor's, or the span is not its parameter count long.</exception>
    public static void InitializeParameters(ModelShape shape, Span<float> parameters, int seed) => MultilayerPerceptron.Draw(CheckShape(shape), parameters, seed);

    /// <inheritdoc/>
    public float PredictValue(ReadOnlySpan<float> row) => Runtime.PredictValue(row);

    /// <inheritdoc/>
    public bool TryPredictValue(ReadOnlySpan<float> row, out float value) => Runtime.TryPredictValue(row, out value);

    /// <inheritdoc/>
    public void PredictValues(ReadOnlySpan<float> rows, Span<float> values) => Runtime.PredictValues(rows, values);

    private static ModelShape CheckShape(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Kind != ModelKind.MultilayerPerceptronRegressor)
        {
            throw new ArgumentException($"Expected a perceptron regressor's shape, got {shape}.", nameof(shape));
        }

        return shape;
    }
}
