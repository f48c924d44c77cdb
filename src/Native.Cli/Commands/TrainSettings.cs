using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>What <c>native train</c> was asked to do. A setting that only some models or optimizers use is null when not given, so one given where it does nothing can be refused.</summary>
internal sealed record TrainSettings(
    string Data,
    DataFormat? Format,
    string? Label,
    ModelKind Model,
    int[]? Hidden,
    Activation? Activation,
    OptimizerKind Optimizer,
    float? LearningRate,
    float? Momentum,
    int BatchSize,
    int Epochs,
    float L2,
    bool BalancedClasses,
    bool Standardize,
    double? Validation,
    bool EarlyStopping,
    int? Patience,
    int Seed,
    int Threads,
    string? Out,
    string? Plots,
    bool Json,
    bool Quiet)
{
    /// <summary>The largest L2 norm of a step's gradient (<c>--clip-norm</c>); 0 for no clipping.</summary>
    public float ClipNorm { get; init; }

    /// <summary>The hidden layer widths of a perceptron: those given, else one layer of 128.</summary>
    public int[] HiddenSizes => Hidden ?? [128];

    /// <summary>The activation of a perceptron's hidden layers: the one given, else ReLU.</summary>
    public Activation HiddenActivation => Activation ?? Numerics.Activation.Relu;

    /// <summary>The momentum γ of momentum and Nesterov: the one given, else 0.9.</summary>
    public float MomentumValue => Momentum ?? 0.9f;

    /// <summary>Epochs without improvement before early stopping: those given, else 5.</summary>
    public int PatienceValue => Patience ?? 5;

    /// <summary>
    /// The learning rate asked for, or the optimizer's usual default — for a perceptron regressor a tenth of it with SGD,
    /// momentum and Nesterov: a squared error's curvature grows with the hidden layer's width (128 ReLU units make a rate
    /// of 0.05 diverge on standardized diabetes targets), where cross-entropy's is bounded.
    /// </summary>
    public float Rate => LearningRate ?? (Optimizer switch
    {
        OptimizerKind.Adam => 0.001f,
        OptimizerKind.Momentum or OptimizerKind.Nesterov => 0.05f,
        OptimizerKind.GradientDescent => 0.1f,
        _ => throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Not an optimizer of native train."),
    } / (Model == ModelKind.MultilayerPerceptronRegressor && Optimizer != OptimizerKind.Adam ? 10 : 1));

    /// <summary>
    /// The fraction of rows held out for validation: the one asked for; else 0.1 when early stopping needs a
    /// validation set (scikit-learn's <c>validation_fraction</c>); else none, so the model learns from every row.
    /// </summary>
    public double HoldOut => Validation ?? (EarlyStopping ? 0.1 : 0);

    /// <summary>The format the data are read in: the one given, else IDX for a directory and CSV otherwise.</summary>
    public DataFormat DataFormat => DataFiles.FormatOf(Data, Format);

    /// <summary>The model as the user named it (softmax, mlp, …).</summary>
    public string ModelWord => Vocabulary.Word(Vocabulary.Models, Model);

    /// <summary>The optimizer as the user named it (sgd, adam, …).</summary>
    public string OptimizerWord => Vocabulary.Word(Vocabulary.Optimizers, Optimizer);
}
