namespace Native.Numerics;

/// <summary>The kinds of model the engine trains and runs.</summary>
public enum ModelKind
{
    /// <summary>A linear function of the features, fitted by mean squared error: a value, or one per target of a multi-output regression.</summary>
    LinearRegression,

    /// <summary>A sigmoid of a linear function, fitted by binary cross-entropy: one output, P(class 1).</summary>
    LogisticRegression,

    /// <summary>A softmax of linear functions, fitted by cross-entropy: one probability per class.</summary>
    SoftmaxRegression,

    /// <summary>Dense hidden layers with activations, then a softmax: one probability per class.</summary>
    MultilayerPerceptron,

    /// <summary>
    /// Dense hidden layers with activations, then a linear output, fitted by mean squared error: a value, or one per
    /// target of a multi-output regression (scikit-learn's <c>MLPRegressor</c>).
    /// </summary>
    MultilayerPerceptronRegressor,
}

/// <summary>What a model predicts, which decides its labels, its loss and its metrics.</summary>
public enum ModelTask
{
    /// <summary>A real value, or several (one per target); trained on float targets with mean squared error.</summary>
    Regression,

    /// <summary>One of two classes, 0 or 1; trained on int labels with binary cross-entropy.</summary>
    BinaryClassification,

    /// <summary>One of several classes, 0 to classes − 1; trained on int labels with cross-entropy.</summary>
    MulticlassClassification,
}
