using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// The common implementation of the run-time-shaped models: a stack of dense layers, each followed by
/// its activation, and an output head that turns the last layer's values into a prediction and a loss.
/// </summary>
/// <remarks>
/// <para>
/// Linear, logistic and softmax regression are one dense layer with an identity, sigmoid or softmax
/// head; the perceptron adds hidden layers. Every operation runs on the library's model runtime, the same
/// engine and the same kernels the generated models run on, with sizes read at run time instead of constants.
/// </para>
/// <para>
/// A batch is processed in chunks of 64 rows. For each chunk the forward pass keeps every layer's outputs;
/// the head turns the last into errors (the loss's derivative with respect to the last layer's values, fused:
/// p − y for softmax with cross-entropy and for sigmoid with binary cross-entropy, 2(ŷ − y) for squared error);
/// then, from the last layer down, the weight gradient Eᵀ·A is accumulated and the errors are carried one
/// layer down (E·W, times the activation's derivative). Scratch memory is per thread and sized once, so passes
/// allocate nothing and may run on many threads.
/// </para>
/// <para>
/// For plain gradient descent the trainer calls <see cref="StepInPlace"/>: the same passes, with each layer's
/// errors scaled by −η and added straight into its weights once they have been carried down — no gradient
/// buffer to clear, fill, scale and apply.
/// </para>
/// </remarks>
public abstract class DenseModel : IModel, IFusedGradientStep, IModelRuntimeOwner
{
    private protected DenseModel(ModelRuntime runtime) => Runtime = runtime;

    /// <inheritdoc/>
    public ModelShape Shape => Runtime.Shape;

    /// <inheritdoc/>
    public ModelTask Task => Shape.Task;

    /// <inheritdoc/>
    public int Features => Shape.Features;

    /// <inheritdoc/>
    public int Outputs => Shape.Outputs;

    /// <inheritdoc/>
    public Span<float> Parameters => Runtime.Parameters;

    /// <summary>The vector width of the kernels this model runs (the widest the hardware has, by default).</summary>
    internal SimdWidth KernelWidth
    {
        get => Runtime.Width;
        set => Runtime.Width = value;
    }

    /// <summary>The engine every operation runs on.</summary>
    private protected ModelRuntime Runtime { get; }

    /// <inheritdoc/>
    ModelRuntime IModelRuntimeOwner.Runtime => Runtime;

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> row, Span<float> outputs) => Runtime.Forward(row, outputs);

    /// <inheritdoc/>
    public void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs) => Runtime.ForwardBatch(rows, outputs);

    /// <inheritdoc/>
    public float Loss(in Batch batch) => Runtime.Loss(in batch);

    /// <inheritdoc/>
    public float AccumulateGradient(in Batch batch, Span<float> gradient) => Runtime.AccumulateGradient(in batch, gradient);

    /// <summary>
    /// θ ← θ − <paramref name="stepSize"/>·∇(summed loss of the batch), the gradient taken at θ as it was: for
    /// a batch of one chunk, each layer's errors are carried down with its weights as they were, then scaled
    /// by −step and added straight into the weights — no gradient buffer, and each weight written once.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit the model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The step size is not finite.</exception>
    public float StepInPlace(in Batch batch, float stepSize) => Runtime.StepInPlace(in batch, stepSize);

    /// <summary>The runtime of a run-time-shaped model of <paramref name="shape"/> with the head <typeparamref name="THead"/>.</summary>
    private protected static ModelRuntime<DynamicLayers, THead> Create<THead>(ModelShape shape)
        where THead : struct, IOutputHead =>
        new(shape, new DynamicLayers(shape));
}
