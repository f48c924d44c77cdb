using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// What a model does with its last layer's values: the prediction (a value, a probability, class probabilities),
/// the loss of a labelled row and that loss's derivative with respect to the values. One implementation per head,
/// shared by the run-time-shaped and the generated models. Not for direct use.
/// </summary>
/// <remarks>
/// Each head's backward rule sits beside its forward rule, fused: for softmax with cross-entropy and for sigmoid with
/// binary cross-entropy the derivative with respect to the logits is p − y; for squared error it is 2(ŷ − y). Losses
/// on logits go through log-sum-exp or softplus, never the logarithm of a probability.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IOutputHead
{
    /// <summary>The floats <see cref="IModel.Forward"/> writes for a layer of <paramref name="outputs"/> values.</summary>
    internal static abstract int ForwardWidth(int outputs);

    /// <summary>One row's outputs from its values, which sit in a buffer padded to 16 floats (the buffer may be overwritten).</summary>
    internal static abstract void Row<TSimd, TVector>(ref float values, int outputs, ref float destination)
        where TSimd : ISimd<TVector>
        where TVector : struct;

    /// <summary>The floats a row's class probabilities take: 0 for a regression, 2 for a logistic regression.</summary>
    internal static abstract int ProbabilityWidth(int outputs);

    /// <summary>One row's class probabilities from its values (as <see cref="Row"/>, but [1 − p, p] for a logistic regression).</summary>
    internal static abstract void Probabilities<TSimd, TVector>(ref float values, int outputs, ref float destination)
        where TSimd : ISimd<TVector>
        where TVector : struct;

    /// <summary>The predicted class of one row from its values: the largest logit, or the logit's sign.</summary>
    internal static abstract int Class(ref float values, int outputs);

    /// <summary>
    /// The summed, sample-weighted loss of a chunk from its values (n × outputs, overwritten); when
    /// <paramref name="errors"/> is not empty, also each row's weighted derivative of the loss with respect to the values.
    /// </summary>
    internal static abstract double Loss<TSimd, TVector>(in Batch chunk, Span<float> values, Span<float> errors, int outputs)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>
/// A regression's head: the values themselves, one per output (target); squared error summed over the outputs,
/// Σ_j (ŷ_j − y_j)², derivative 2(ŷ_j − y_j) for each. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct IdentityHead : IOutputHead
{
    static int IOutputHead.ForwardWidth(int outputs) => outputs;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void IOutputHead.Row<TSimd, TVector>(ref float values, int outputs, ref float destination)
    {
        for (int j = 0; j < outputs; j++)
        {
            Unsafe.Add(ref destination, j) = Unsafe.Add(ref values, j);
        }
    }

    static int IOutputHead.ProbabilityWidth(int outputs) => 0;

    static void IOutputHead.Probabilities<TSimd, TVector>(ref float values, int outputs, ref float destination) =>
        throw new NotSupportedException("A regression predicts values, not probabilities.");

    static int IOutputHead.Class(ref float values, int outputs) => throw new NotSupportedException("A regression predicts values, not classes.");

    static double IOutputHead.Loss<TSimd, TVector>(in Batch chunk, Span<float> values, Span<float> errors, int outputs)
    {
        // values and errors are n × outputs, row-major; row i's target j is the batch's TargetAt(i, j).
        bool gradient = !errors.IsEmpty;
        double total = 0;
        for (int i = 0; i < chunk.Count; i++)
        {
            float weight = chunk.WeightAt(i);
            int row = i * outputs;
            float squares = 0f;
            for (int j = 0; j < outputs; j++)
            {
                float residual = values[row + j] - chunk.TargetAt(i, j);
                squares += residual * residual;
                if (gradient)
                {
                    errors[row + j] = weight * 2f * residual;
                }
            }

            total += weight * (double)squares;
        }

        return total;
    }
}

/// <summary>
/// Logistic regression's head: P(class 1) = σ(z); binary cross-entropy in softplus form, softplus(z) − y·z, derivative
/// σ(z) − y. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SigmoidHead : IOutputHead
{
    static int IOutputHead.ForwardWidth(int outputs) => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void IOutputHead.Row<TSimd, TVector>(ref float values, int outputs, ref float destination) =>
        destination = ScalarFunctions.Sigmoid(values);

    static int IOutputHead.ProbabilityWidth(int outputs) => 2;

    // [σ(−z), σ(z)]: each probability computed from the logit, so neither loses digits to the other's complement.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void IOutputHead.Probabilities<TSimd, TVector>(ref float values, int outputs, ref float destination)
    {
        float z = values;
        destination = ScalarFunctions.Sigmoid(-z);
        Unsafe.Add(ref destination, 1) = ScalarFunctions.Sigmoid(z);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int IOutputHead.Class(ref float values, int outputs) => values >= 0f ? 1 : 0;

    static double IOutputHead.Loss<TSimd, TVector>(in Batch chunk, Span<float> values, Span<float> errors, int outputs)
    {
        bool gradient = !errors.IsEmpty;
        double total = 0;
        for (int i = 0; i < chunk.Count; i++)
        {
            // softplus(z) − y·z never takes the log of 0. The derivative σ(z) − y is written −σ(−z) for y = 1, so a
            // confident right answer keeps its small gradient's digits (1 − σ(z) would cancel them).
            float weight = chunk.WeightAt(i);
            float z = values[i];
            int y = chunk.LabelAt(i);
            total += weight * (double)(ScalarFunctions.Softplus(z) - (y * z));
            if (gradient)
            {
                errors[i] = weight * (y == 1 ? -ScalarFunctions.Sigmoid(-z) : ScalarFunctions.Sigmoid(z));
            }
        }

        return total;
    }
}

/// <summary>
/// The head of softmax regression and of the perceptron: p = softmax(z); cross-entropy by log-sum-exp,
/// log Σ e^z − z_y, derivative p − onehot(y). Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SoftmaxHead : IOutputHead
{
    static int IOutputHead.ForwardWidth(int outputs) => outputs;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void IOutputHead.Row<TSimd, TVector>(ref float values, int outputs, ref float destination) =>
        Row<TSimd, TVector>(ref values, outputs, ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TSimd, TVector>(ref float values, int outputs, ref float destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        if (outputs <= SoftmaxKernel.RegisterClasses)
        {
            SoftmaxKernel.Probabilities<TSimd, TVector>(ref values, outputs, ref destination);
            return;
        }

        Span<float> row = MemoryMarshal.CreateSpan(ref values, outputs);
        SoftmaxKernel.Row<TSimd, TVector>(row);
        row.CopyTo(MemoryMarshal.CreateSpan(ref destination, outputs));
    }

    static int IOutputHead.ProbabilityWidth(int outputs) => outputs;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void IOutputHead.Probabilities<TSimd, TVector>(ref float values, int outputs, ref float destination) =>
        Row<TSimd, TVector>(ref values, outputs, ref destination);

    // The first largest logit: softmax is monotonic, so it is not computed; ties go to the lower class.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int IOutputHead.Class(ref float values, int outputs)
    {
        int best = 0;
        float max = values;
        for (int j = 1; j < outputs; j++)
        {
            float z = Unsafe.Add(ref values, j);
            if (z > max)
            {
                max = z;
                best = j;
            }
        }

        return best;
    }

    static double IOutputHead.Loss<TSimd, TVector>(in Batch chunk, Span<float> values, Span<float> errors, int outputs)
    {
        bool gradient = !errors.IsEmpty;
        if (outputs <= CrossEntropyKernel.MaximumClasses && CrossEntropyKernel.Fits<TSimd, TVector>(outputs))
        {
            // A row in one register: the vector kernel (the chunk's values are followed by its error rows, as it needs).
            return CrossEntropyKernel.Rows<TSimd, TVector>(in chunk, ref MemoryMarshal.GetReference(values), ref MemoryMarshal.GetReference(errors), outputs, gradient);
        }

        double total = 0;
        for (int i = 0; i < chunk.Count; i++)
        {
            // For the labelled class p_y − 1 is written −Σ_(c≠y) p_c: when p_y is near 1 the subtraction would cancel
            // most of the small gradient's digits, the sum keeps them.
            float weight = chunk.WeightAt(i);
            Span<float> row = values.Slice(i * outputs, outputs);
            int y = chunk.LabelAt(i);
            float zy = row[y];
            float logSumExp = SoftmaxKernel.LogSumExp(SoftmaxKernel.Row<TSimd, TVector>(row));
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
        }

        return total;
    }
}
