using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// The common implementation of the run-time-shaped models: a stack of dense layers, each followed by
/// its activation, and an output head that turns the last layer's values into a prediction and a loss.
/// </summary>
/// <remarks>
/// <para>
/// Linear, logistic and softmax regression are one dense layer with an identity, sigmoid or softmax
/// head; the perceptron adds hidden layers. Forward and backward passes are the same code for all four.
/// </para>
/// <para>
/// A batch is processed in chunks of <see cref="ChunkRows"/> rows. For each chunk the forward pass
/// keeps every layer's outputs; the head turns the last into errors (the loss's derivative with respect
/// to the last layer's values, fused: p − y for softmax with cross-entropy and for sigmoid with binary
/// cross-entropy, 2(ŷ − y) for squared error); then, from the last layer down, the weight gradient Eᵀ·A
/// is accumulated and the errors are carried one layer down (E·W, times the activation's derivative).
/// Scratch memory is per thread and sized once, so passes allocate nothing and may run on many threads.
/// </para>
/// <para>
/// For plain gradient descent the trainer calls <see cref="StepInPlace"/>: the same passes, with each layer's
/// errors scaled by −η and added straight into its weights once they have been carried down — no gradient
/// buffer to clear, fill, scale and apply.
/// </para>
/// </remarks>
public abstract class DenseModel : IModel, IFusedGradientStep
{
    /// <summary>The rows processed together in one forward and backward pass.</summary>
    internal const int ChunkRows = 64;

    /// <summary>Above this many floats of single-row scratch, the per-thread workspace is used instead of the stack.</summary>
    private const int StackScratchLimit = 2048;

    [ThreadStatic]
    private static AlignedBuffer? t_workspace;

    [ThreadStatic]
    private static float[]? t_gradient;

    private readonly AlignedBuffer _parameters;
    private readonly int[] _sizes;
    private readonly Activation[] _activations;
    private readonly float _slope;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;
    private readonly int _workspaceLength;
    private DenseKernels _kernels = DenseKernels.Preferred;

    private protected DenseModel(ModelShape shape)
    {
        Shape = shape;
        _sizes = [.. shape.LayerSizes];
        _activations = [.. shape.HiddenActivations];
        _slope = shape.LeakyReluSlope;
        _parameters = new AlignedBuffer(shape.ParameterCount);
        _weightOffsets = new int[shape.LayerCount];
        _biasOffsets = new int[shape.LayerCount];
        int widths = 0;
        for (int l = 0; l < shape.LayerCount; l++)
        {
            _weightOffsets[l] = shape.WeightOffset(l);
            _biasOffsets[l] = shape.BiasOffset(l);
            widths += _sizes[l + 1];
        }

        // Each layer keeps a chunk of outputs and a chunk of errors.
        _workspaceLength = checked(2 * ChunkRows * widths);
    }

    /// <inheritdoc/>
    public ModelShape Shape { get; }

    /// <inheritdoc/>
    public ModelTask Task => Shape.Task;

    /// <inheritdoc/>
    public int Features => _sizes[0];

    /// <inheritdoc/>
    public int Outputs => _sizes[^1];

    /// <inheritdoc/>
    public Span<float> Parameters => _parameters.Span;

    /// <summary>The vector width of the kernels this model runs (the widest the hardware has, by default).</summary>
    internal SimdWidth KernelWidth
    {
        get => _kernels.Width;
        set => _kernels = DenseKernels.For(value);
    }

    private int LayerCount => _weightOffsets.Length;

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> features, Span<float> outputs)
    {
        CheckLength(features.Length, Features, nameof(features));
        CheckLength(outputs.Length, Outputs, nameof(outputs));
        ForwardLogits(features, outputs);
        if (PredictionPolicy.Admit(outputs))
        {
            ApplyHead(outputs);
        }
    }

    /// <inheritdoc/>
    public void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs)
    {
        int count = CheckBatchLengths(rows, outputs.Length, Outputs, nameof(outputs));
        var input = new Rows(in MemoryMarshal.GetReference(rows), Features, count);
        Span<float> workspace = Workspace();
        for (int start = 0; start < count; start += ChunkRows)
        {
            int n = Math.Min(ChunkRows, count - start);
            Span<float> logits = ForwardChunk(input.Slice(start, n), workspace);
            Span<float> destination = outputs.Slice(start * Outputs, n * Outputs);
            logits.CopyTo(destination);
            for (int i = 0; i < n; i++)
            {
                Span<float> row = destination.Slice(i * Outputs, Outputs);
                if (PredictionPolicy.Admit(row))
                {
                    ApplyHead(row);
                }
            }
        }
    }

    /// <inheritdoc/>
    public float Loss(in Batch batch)
    {
        Batch.Validate(in batch, Shape);
        Span<float> workspace = Workspace();
        double total = 0;
        for (int start = 0; start < batch.Count; start += ChunkRows)
        {
            Batch chunk = batch.Slice(start, Math.Min(ChunkRows, batch.Count - start));
            Span<float> logits = ForwardChunk(chunk.Rows, workspace);
            total += HeadLoss(in chunk, logits, default);
        }

        return (float)total;
    }

    /// <inheritdoc/>
    public float AccumulateGradient(in Batch batch, Span<float> gradient)
    {
        Batch.Validate(in batch, Shape);
        CheckLength(gradient.Length, Shape.ParameterCount, nameof(gradient));
        Span<float> workspace = Workspace();
        double total = 0;
        for (int start = 0; start < batch.Count; start += ChunkRows)
        {
            Batch chunk = batch.Slice(start, Math.Min(ChunkRows, batch.Count - start));
            total += ForwardBackwardChunk(in chunk, workspace, gradient, step: 0f);
        }

        return (float)total;
    }

    /// <summary>The last layer's values for one row, before the head (logits, or the regression's value).</summary>
    private protected void ForwardLogits(ReadOnlySpan<float> features, Span<float> logits)
    {
        Span<float> parameters = _parameters.Span;
        scoped Rows input = new(in MemoryMarshal.GetReference(features), Features, 1);
        if (LayerCount == 1)
        {
            _kernels.Forward(in input, Features, Weights(parameters, 0), Biases(parameters, 0), Outputs, logits);
            return;
        }

        int hidden = 0;
        for (int l = 1; l < LayerCount; l++)
        {
            hidden += _sizes[l];
        }

        Span<float> scratch = hidden <= StackScratchLimit ? stackalloc float[hidden] : Workspace()[..hidden];
        for (int l = 0; l < LayerCount; l++)
        {
            bool last = l == LayerCount - 1;
            Span<float> output = last ? logits : scratch[.._sizes[l + 1]];
            _kernels.Forward(in input, _sizes[l], Weights(parameters, l), Biases(parameters, l), _sizes[l + 1], output);
            if (!last)
            {
                _kernels.Activate(_activations[l], _slope, output);
                input = new Rows(in MemoryMarshal.GetReference(output), _sizes[l + 1], 1);
                scratch = scratch[_sizes[l + 1]..];
            }
        }
    }

    /// <summary>Turns one row of the last layer's values into the model's outputs, in place.</summary>
    private void ApplyHead(Span<float> values)
    {
        switch (Shape.Kind)
        {
            case ModelKind.LinearRegression:
                break;
            case ModelKind.LogisticRegression:
                values[0] = ScalarFunctions.Sigmoid(values[0]);
                break;
            default:
                _kernels.Softmax(values);
                break;
        }
    }

    // Forward pass of one chunk; returns the last layer's values (n × outputs) inside the workspace.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Span<float> ForwardChunk(Rows rows, Span<float> workspace)
    {
        Span<float> parameters = _parameters.Span;
        int n = rows.Count;
        Rows input = rows;
        Span<float> output = default;
        for (int l = 0; l < LayerCount; l++)
        {
            output = LayerOutputs(workspace, l, n);
            _kernels.Forward(in input, _sizes[l], Weights(parameters, l), Biases(parameters, l), _sizes[l + 1], output);
            if (l < LayerCount - 1)
            {
                _kernels.Activate(_activations[l], _slope, output);
                input = new Rows(in MemoryMarshal.GetReference(output), _sizes[l + 1], n);
            }
        }

        return output;
    }

    /// <summary>
    /// θ ← θ − <paramref name="stepSize"/>·∇(summed loss of the batch), the gradient taken at θ as it was: for
    /// a batch of one chunk, each layer's errors are carried down with its weights as they were, then scaled
    /// by −step and added straight into the weights — no gradient buffer, and each weight written once.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit the model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The step size is not finite.</exception>
    public float StepInPlace(in Batch batch, float stepSize)
    {
        Batch.Validate(in batch, Shape);
        if (!float.IsFinite(stepSize))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be finite.");
        }

        Span<float> workspace = Workspace();
        if (batch.Count <= ChunkRows)
        {
            return (float)ForwardBackwardChunk(in batch, workspace, _parameters.Span, stepSize);
        }

        // A batch of several chunks: every row's gradient must be taken before any weight moves.
        Span<float> gradient = GradientScratch();
        gradient.Clear();
        double total = 0;
        for (int start = 0; start < batch.Count; start += ChunkRows)
        {
            Batch chunk = batch.Slice(start, Math.Min(ChunkRows, batch.Count - start));
            total += ForwardBackwardChunk(in chunk, workspace, gradient, step: 0f);
        }

        TensorPrimitives.MultiplyAdd(gradient, -stepSize, _parameters.Span, _parameters.Span);
        return (float)total;
    }

    /// <summary>
    /// The forward and backward pass of one chunk; returns its summed loss. With <paramref name="step"/> 0
    /// the gradient is added to <paramref name="destination"/>; otherwise −step times the gradient is (the
    /// fused step, <paramref name="destination"/> being the parameters themselves).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double ForwardBackwardChunk(in Batch chunk, Span<float> workspace, Span<float> destination, float step)
    {
        Span<float> parameters = _parameters.Span;
        int n = chunk.Count;
        int last = LayerCount - 1;

        // Forward, keeping every layer's outputs; then the head's loss and errors at the top.
        Span<float> logits = ForwardChunk(chunk.Rows, workspace);
        Span<float> errors = LayerErrors(workspace, last, n);
        double loss = HeadLoss(in chunk, logits, errors);

        // Backward, from the top layer down.
        for (int l = last; l >= 0; l--)
        {
            // E_(l−1) = (E_l·W_l) ⊙ f'(A_(l−1)), with W_l as it was before this step.
            Span<float> below = default;
            if (l > 0)
            {
                below = LayerErrors(workspace, l - 1, n);
                _kernels.Backpropagate(errors, n, _sizes[l + 1], Weights(parameters, l), _sizes[l], below);
                _kernels.MultiplyByDerivative(_activations[l - 1], _slope, LayerOutputs(workspace, l - 1, n), below);
            }

            // dW_l += E_lᵀ·A_(l−1), db_l += Σ E_l; scaled by −step when stepping in place.
            if (step != 0f)
            {
                TensorPrimitives.Multiply(errors, -step, errors);
            }

            Rows input = l == 0
                ? chunk.Rows
                : new Rows(in MemoryMarshal.GetReference(LayerOutputs(workspace, l - 1, n)), _sizes[l], n);
            _kernels.AccumulateGradient(errors, in input, _sizes[l], _sizes[l + 1], Weights(destination, l), Biases(destination, l));
            errors = below;
        }

        return loss;
    }

    /// <summary>
    /// The summed loss of a chunk from its last-layer values; when <paramref name="errors"/> is not
    /// empty, also writes each row's weighted derivative of the loss with respect to those values.
    /// The values are overwritten (softmax and sigmoid heads compute probabilities in place).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double HeadLoss(in Batch chunk, Span<float> values, Span<float> errors)
    {
        int n = chunk.Count;
        int outputs = Outputs;
        bool gradient = !errors.IsEmpty;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            float weight = chunk.WeightAt(i);
            Span<float> row = values.Slice(i * outputs, outputs);
            switch (Shape.Kind)
            {
                case ModelKind.LinearRegression:
                {
                    // Squared error (ŷ − y)²; its derivative 2(ŷ − y).
                    float residual = row[0] - chunk.TargetAt(i);
                    total += weight * (double)(residual * residual);
                    if (gradient)
                    {
                        errors[i] = weight * 2f * residual;
                    }

                    break;
                }

                case ModelKind.LogisticRegression:
                {
                    // Binary cross-entropy from the logit z, in softplus form: softplus(z) − y·z, which
                    // never takes the log of 0; its derivative σ(z) − y, written −σ(−z) for y = 1 so a
                    // confident right answer keeps its small gradient's digits (1 − σ(z) would cancel).
                    float z = row[0];
                    int y = chunk.LabelAt(i);
                    total += weight * (double)(ScalarFunctions.Softplus(z) - (y * z));
                    if (gradient)
                    {
                        errors[i] = weight * (y == 1 ? -ScalarFunctions.Sigmoid(-z) : ScalarFunctions.Sigmoid(z));
                    }

                    break;
                }

                default:
                {
                    // Cross-entropy from logits by log-sum-exp: log Σ e^z − z_y; its derivative p − onehot(y).
                    // For the labelled class p_y − 1 is written −Σ_(c≠y) p_c: when p_y is near 1 the
                    // subtraction would cancel most of the small gradient's digits, the sum keeps them.
                    int y = chunk.LabelAt(i);
                    float zy = row[y];
                    float logSumExp = DenseKernels.LogSumExp(_kernels.Softmax(row));
                    total += weight * (double)(logSumExp - zy);
                    if (gradient)
                    {
                        Span<float> e = errors.Slice(i * outputs, outputs);
                        float others = 0f;
                        for (int c = 0; c < outputs; c++)
                        {
                            e[c] = weight * row[c];
                            others += c == y ? 0f : row[c];
                        }

                        e[y] = -weight * others;
                    }

                    break;
                }
            }
        }

        return total;
    }

    private Span<float> Weights(Span<float> parameters, int layer) =>
        parameters.Slice(_weightOffsets[layer], _sizes[layer] * _sizes[layer + 1]);

    private Span<float> Biases(Span<float> parameters, int layer) =>
        parameters.Slice(_biasOffsets[layer], _sizes[layer + 1]);

    // The workspace holds, for each layer, ChunkRows rows of outputs then ChunkRows rows of errors.
    private Span<float> LayerOutputs(Span<float> workspace, int layer, int n) =>
        workspace.Slice(LayerStart(layer), n * _sizes[layer + 1]);

    private Span<float> LayerErrors(Span<float> workspace, int layer, int n) =>
        workspace.Slice(LayerStart(layer) + (ChunkRows * _sizes[layer + 1]), n * _sizes[layer + 1]);

    private int LayerStart(int layer)
    {
        int start = 0;
        for (int l = 0; l < layer; l++)
        {
            start += 2 * ChunkRows * _sizes[l + 1];
        }

        return start;
    }

    // This thread's gradient buffer for steps on batches of several chunks, grown once per thread and size.
    private Span<float> GradientScratch()
    {
        float[]? gradient = t_gradient;
        if (gradient is null || gradient.Length < Shape.ParameterCount)
        {
            t_gradient = gradient = new float[Shape.ParameterCount];
        }

        return gradient.AsSpan(0, Shape.ParameterCount);
    }

    // This thread's scratch memory, grown (once per thread and size) to fit this model.
    private Span<float> Workspace()
    {
        AlignedBuffer? workspace = t_workspace;
        if (workspace is null || workspace.Length < _workspaceLength)
        {
            t_workspace = workspace = new AlignedBuffer(_workspaceLength);
        }

        return workspace.Span;
    }

    private protected int CheckBatchLengths(ReadOnlySpan<float> rows, int outputLength, int perRow, string outputName)
    {
        if (rows.Length % Features != 0)
        {
            throw new ArgumentException($"rows holds {rows.Length} floats, not a whole number of rows of {Features} features.", nameof(rows));
        }

        int count = rows.Length / Features;
        if ((long)count * perRow != outputLength)
        {
            throw new ArgumentException($"{outputName} holds {outputLength} values; {count} rows need {(long)count * perRow}.", outputName);
        }

        return count;
    }

    private protected static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has length {actual}; expected {expected}.", name);
        }
    }
}
