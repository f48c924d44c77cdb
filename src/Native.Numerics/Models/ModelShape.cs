using System.Globalization;
using System.Text;
using Native.Numerics.Serialization;

namespace Native.Numerics;

/// <summary>
/// What a model is, independent of its parameter values: its kind, its layer sizes and its hidden
/// activations. Two models of equal shape have parameter blocks of the same length and layout.
/// </summary>
public sealed class ModelShape : IEquatable<ModelShape>
{
    /// <summary>
    /// The most dense layers a model may have: 1,024 (a perceptron of up to 1,023 hidden layers). Plain dense
    /// layers do not train at such depths; the limit keeps a model file's header from describing a model
    /// that would take minutes to build.
    /// </summary>
    public const int MaxLayerCount = ModelFileKeys.MaxLayerCount;

    private readonly int[] _layerSizes;
    private readonly Activation[] _hiddenActivations;

    private ModelShape(ModelKind kind, int[] layerSizes, Activation[] hiddenActivations, float leakyReluSlope)
    {
        Kind = kind;
        _layerSizes = layerSizes;
        _hiddenActivations = hiddenActivations;
        LeakyReluSlope = leakyReluSlope;

        // Each layer's offsets, once: finding them is then O(1), and building or loading a model linear in its layer count.
        Layout = new ParameterLayout(layerSizes);
        if (!Layout.FitsOneArray)
        {
            throw new ArgumentException($"The model {this} would have more parameters than one array can hold ({Array.MaxLength:N0}).", nameof(layerSizes));
        }
    }

    /// <summary>The kind of model.</summary>
    public ModelKind Kind { get; }

    /// <summary>What the model predicts.</summary>
    public ModelTask Task => Kind switch
    {
        ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => ModelTask.Regression,
        ModelKind.LogisticRegression => ModelTask.BinaryClassification,
        _ => ModelTask.MulticlassClassification,
    };

    /// <summary>The width of each layer: the features first, then each hidden layer, then the outputs.</summary>
    public IReadOnlyList<int> LayerSizes => _layerSizes;

    /// <summary>The activation of each hidden layer (empty for the linear, logistic and softmax regressions).</summary>
    public IReadOnlyList<Activation> HiddenActivations => _hiddenActivations;

    /// <summary>The slope of <see cref="Activation.LeakyRelu"/> for negative inputs.</summary>
    public float LeakyReluSlope { get; }

    /// <summary>The number of input features.</summary>
    public int Features => _layerSizes[0];

    /// <summary>The number of outputs: 1 for a logistic regression, the class count for the other classifiers, the target count (1 or more) for a regression.</summary>
    public int Outputs => _layerSizes[^1];

    /// <summary>The number of classes: 0 for a regression, 2 for a logistic regression, else <see cref="Outputs"/>.</summary>
    public int Classes => Task switch
    {
        ModelTask.Regression => 0,
        ModelTask.BinaryClassification => 2,
        _ => Outputs,
    };

    /// <summary>The number of dense layers.</summary>
    public int LayerCount => _layerSizes.Length - 1;

    /// <summary>The length of the parameter block: for each dense layer, outputs × inputs weights then outputs biases.</summary>
    public int ParameterCount => Layout.ParameterCount;

    /// <summary>Where the parameters of each layer lie, and the scratch memory a model of this shape runs in.</summary>
    internal ParameterLayout Layout { get; }

    /// <summary>
    /// A new run-time-shaped model of this shape — a <see cref="Numerics.LinearRegression"/>,
    /// <see cref="Numerics.LogisticRegression"/>, <see cref="Numerics.SoftmaxRegression"/>,
    /// <see cref="Numerics.MultilayerPerceptron"/> or <see cref="Numerics.MultilayerPerceptronRegressor"/> — with a
    /// perceptron's weights drawn from <paramref name="seed"/> and every other parameter zero. The one place a kind becomes a
    /// model: files, the command line and users build models here.
    /// </summary>
    /// <exception cref="OverflowException">The layers are too wide for the models' per-thread scratch memory to be counted.</exception>
    public IModel CreateModel(int seed = 0) => Kind switch
    {
        ModelKind.LinearRegression => new Numerics.LinearRegression(Features, Outputs),
        ModelKind.LogisticRegression => new Numerics.LogisticRegression(Features),
        ModelKind.SoftmaxRegression => new Numerics.SoftmaxRegression(Features, Outputs),
        ModelKind.MultilayerPerceptronRegressor => new Numerics.MultilayerPerceptronRegressor(this, seed),
        _ => new Numerics.MultilayerPerceptron(this, seed),
    };

    /// <summary>The shape of a linear regression on <paramref name="features"/> features.</summary>
    public static ModelShape LinearRegression(int features) => LinearRegression(features, outputs: 1);

    /// <summary>
    /// The shape of a linear regression on <paramref name="features"/> features into <paramref name="outputs"/> values: one
    /// per target of a multi-output regression (each a linear function of the features of its own, fitted together).
    /// </summary>
    public static ModelShape LinearRegression(int features, int outputs) =>
        new(ModelKind.LinearRegression, [Positive(features, nameof(features)), Positive(outputs, nameof(outputs))], [], 0f);

    /// <summary>The shape of a logistic regression on <paramref name="features"/> features.</summary>
    public static ModelShape LogisticRegression(int features) =>
        new(ModelKind.LogisticRegression, [Positive(features, nameof(features)), 1], [], 0f);

    /// <summary>The shape of a softmax regression on <paramref name="features"/> features into <paramref name="classes"/> classes.</summary>
    public static ModelShape SoftmaxRegression(int features, int classes)
    {
        Positive(features, nameof(features));
        if (classes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A softmax regression needs at least 2 classes.");
        }

        return new(ModelKind.SoftmaxRegression, [features, classes], [], 0f);
    }

    /// <summary>
    /// The shape of a multilayer perceptron: <paramref name="layerSizes"/> lists the features, each hidden
    /// layer's width and the class count; <paramref name="hiddenActivations"/> holds one activation per
    /// hidden layer, or one for all.
    /// </summary>
    public static ModelShape MultilayerPerceptron(ReadOnlySpan<int> layerSizes, ReadOnlySpan<Activation> hiddenActivations, float leakyReluSlope = 0.01f) =>
        Perceptron(ModelKind.MultilayerPerceptron, layerSizes, hiddenActivations, leakyReluSlope);

    /// <summary>
    /// The shape of a perceptron regressor: <paramref name="layerSizes"/> lists the features, each hidden layer's width and
    /// the outputs (1, or one per target of a multi-output regression); <paramref name="hiddenActivations"/> holds one
    /// activation per hidden layer, or one for all.
    /// </summary>
    public static ModelShape MultilayerPerceptronRegressor(ReadOnlySpan<int> layerSizes, ReadOnlySpan<Activation> hiddenActivations, float leakyReluSlope = 0.01f) =>
        Perceptron(ModelKind.MultilayerPerceptronRegressor, layerSizes, hiddenActivations, leakyReluSlope);

    /// <summary>
    /// The shape of <paramref name="kind"/> with these layers (the features, each hidden layer's width, the outputs) and
    /// hidden activations, as a model file states them: the one place a file's kind becomes a shape.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes or activations are not those of a model of the kind.</exception>
    internal static ModelShape Of(ModelKind kind, int[] layerSizes, Activation[] hiddenActivations, float leakyReluSlope) => kind switch
    {
        ModelKind.LinearRegression or ModelKind.LogisticRegression or ModelKind.SoftmaxRegression when layerSizes.Length != 2 =>
            throw new ArgumentException($"A {kind} has 2 layer sizes (features, outputs); got {layerSizes.Length}.", nameof(layerSizes)),
        ModelKind.LinearRegression => LinearRegression(layerSizes[0], layerSizes[1]),
        ModelKind.LogisticRegression when layerSizes[1] != 1 => throw new ArgumentException($"A logistic regression has 1 output; got {layerSizes[1]}.", nameof(layerSizes)),
        ModelKind.LogisticRegression => LogisticRegression(layerSizes[0]),
        ModelKind.SoftmaxRegression => SoftmaxRegression(layerSizes[0], layerSizes[1]),
        ModelKind.MultilayerPerceptronRegressor => MultilayerPerceptronRegressor(layerSizes, hiddenActivations, leakyReluSlope),
        _ => MultilayerPerceptron(layerSizes, hiddenActivations, leakyReluSlope),
    };

    private static ModelShape Perceptron(ModelKind kind, ReadOnlySpan<int> layerSizes, ReadOnlySpan<Activation> hiddenActivations, float leakyReluSlope)
    {
        bool regressor = kind == ModelKind.MultilayerPerceptronRegressor;
        string what = regressor ? "A perceptron regressor" : "A multilayer perceptron";
        if (layerSizes.Length < 3)
        {
            throw new ArgumentException($"{what} needs at least 3 layer sizes (features, a hidden layer, {(regressor ? "outputs" : "classes")}); got {layerSizes.Length}.", nameof(layerSizes));
        }

        if (layerSizes.Length - 1 > MaxLayerCount)
        {
            throw new ArgumentException($"{what} may have at most {MaxLayerCount} dense layers ({MaxLayerCount + 1} layer sizes); got {layerSizes.Length - 1}.", nameof(layerSizes));
        }

        for (int i = 0; i < layerSizes.Length; i++)
        {
            if (layerSizes[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(layerSizes), layerSizes[i], $"Layer size {i} must be at least 1.");
            }
        }

        if (!regressor && layerSizes[^1] < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(layerSizes), layerSizes[^1], "A multilayer perceptron needs at least 2 classes (for a value, use a perceptron regressor).");
        }

        int hidden = layerSizes.Length - 2;
        if (hiddenActivations.Length != hidden && hiddenActivations.Length != 1)
        {
            throw new ArgumentException($"Expected 1 or {hidden} hidden activations (one per hidden layer), got {hiddenActivations.Length}.", nameof(hiddenActivations));
        }

        var activations = new Activation[hidden];
        for (int l = 0; l < hidden; l++)
        {
            Activation activation = hiddenActivations[hiddenActivations.Length == 1 ? 0 : l];
            if (!Enum.IsDefined(activation))
            {
                throw new ArgumentOutOfRangeException(nameof(hiddenActivations), activation, "Unknown activation.");
            }

            activations[l] = activation;
        }

        if (!float.IsFinite(leakyReluSlope))
        {
            throw new ArgumentOutOfRangeException(nameof(leakyReluSlope), leakyReluSlope, "The leaky ReLU slope must be finite.");
        }

        return new(kind, layerSizes.ToArray(), activations, leakyReluSlope);
    }

    /// <summary>The offset of layer <paramref name="layer"/>'s weights in the parameter block.</summary>
    public int WeightOffset(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LayerCount);
        return Layout.WeightOffset(layer);
    }

    /// <summary>The offset of layer <paramref name="layer"/>'s biases in the parameter block.</summary>
    public int BiasOffset(int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, LayerCount);
        return Layout.BiasOffset(layer);
    }

    /// <inheritdoc/>
    public bool Equals(ModelShape? other) =>
        other is not null && Kind == other.Kind && LeakyReluSlope.Equals(other.LeakyReluSlope)
        && _layerSizes.AsSpan().SequenceEqual(other._layerSizes)
        && _hiddenActivations.AsSpan().SequenceEqual(other._hiddenActivations);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ModelShape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        foreach (int size in _layerSizes)
        {
            hash.Add(size);
        }

        foreach (Activation activation in _hiddenActivations)
        {
            hash.Add(activation);
        }

        return hash.ToHashCode();
    }

    /// <summary>For example "SoftmaxRegression 784-10", "MultilayerPerceptron 784-128-10 (Relu)" or "MultilayerPerceptronRegressor 10-64-1 (Relu)".</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Kind.ToString()).Append(' ');
        text.AppendJoin('-', _layerSizes);
        if (_hiddenActivations.Length > 0)
        {
            text.Append(" (").AppendJoin(", ", _hiddenActivations).Append(')');
            if (Array.IndexOf(_hiddenActivations, Activation.LeakyRelu) >= 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" slope {LeakyReluSlope}");
            }
        }

        return text.ToString();
    }

    private static int Positive(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        return value;
    }
}
