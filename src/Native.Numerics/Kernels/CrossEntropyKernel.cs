using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Kernels;

/// <summary>
/// Softmax with cross-entropy over the rows of a chunk, at most 16 classes a row: each row's loss, log Σ e^z − z_y, and
/// when asked its weighted errors, w·(p − onehot(y)) — the fused backward rule of the pair. One register per row.
/// </summary>
/// <remarks>
/// <para>
/// The row's logits are loaded as one vector (lanes past the classes set to −∞, whose e^x is 0), the maximum subtracted
/// so no exponent exceeds 0, and the sum, the loss and the errors taken from that one vector of exponentials: nothing
/// is written but the errors, each row stored whole. The rows are independent, so a core works on several at once.
/// </para>
/// <para>
/// For the labelled class p_y − 1 is written −Σ_(c≠y) p_c, the exponentials summed with lane y zeroed: when p_y is near
/// 1 the subtraction would cancel most of the small gradient's digits, the sum keeps them.
/// </para>
/// <para>
/// The callers' rows lie in a chunk's workspace: the values (n × classes, contiguous) are followed by at least 16 more
/// floats, so a row's vector may be loaded whole; an error row is stored by reading the vector there, replacing its
/// lanes, and writing it back, so the floats after it keep their values.
/// </para>
/// </remarks>
internal static class CrossEntropyKernel
{
    /// <summary>The most classes a row may have: one 512-bit register.</summary>
    public const int MaximumClasses = 16;

    /// <summary>
    /// The chunk's summed, sample-weighted loss from its logits (n × <paramref name="classes"/> at <paramref name="values"/>);
    /// with <paramref name="gradient"/>, each row's errors written to <paramref name="errors"/> (n × <paramref name="classes"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Rows<TSimd, TVector>(in Batch chunk, ref float values, ref float errors, int classes, bool gradient)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        classes <= 4 && TSimd.Count >= 4 ? RowsAt<Simd128, Vector128<float>>(in chunk, ref values, ref errors, classes, gradient)
        : classes <= 8 && TSimd.Count >= 8 ? RowsAt<Simd256, Vector256<float>>(in chunk, ref values, ref errors, classes, gradient)
        : RowsAt<Simd512, Vector512<float>>(in chunk, ref values, ref errors, classes, gradient);

    /// <summary>Whether rows of <paramref name="classes"/> logits fit one register at the width <typeparamref name="TSimd"/> (or a narrower one).</summary>
    public static bool Fits<TSimd, TVector>(int classes)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Count >= 4 && classes <= TSimd.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double RowsAt<TSimd, TVector>(in Batch chunk, ref float values, ref float errors, int classes, bool gradient)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector padding = TSimd.Create(float.NegativeInfinity);
        double total = 0;
        for (int i = 0; i < chunk.Count; i++)
        {
            ref float row = ref Unsafe.Add(ref values, (nint)i * classes);
            TVector z = TSimd.FirstLanes(TSimd.Load(in row, 0), classes, padding);

            // e^(z − max), their sum, and the loss by log-sum-exp.
            float max = TSimd.MaxAcross(z);
            TVector e = TSimd.Exp(TSimd.Subtract(z, TSimd.Create(max)));
            float sum = TSimd.Sum(e);
            int label = chunk.LabelAt(i);
            float weight = chunk.WeightAt(i);
            total += weight * (double)(max + MathF.Log(sum) - Unsafe.Add(ref row, label));
            if (gradient)
            {
                // w·p, and for the label −w·Σ_(c≠y) p_c.
                float scale = weight / sum;
                float others = TSimd.Sum(TSimd.WithLane(e, label, 0f)) * scale;
                TVector rowErrors = TSimd.WithLane(TSimd.Multiply(e, TSimd.Create(scale)), label, -others);
                ref float destination = ref Unsafe.Add(ref errors, (nint)i * classes);
                TSimd.Store(TSimd.FirstLanes(rowErrors, classes, TSimd.Load(in destination, 0)), ref destination, 0);
            }
        }

        return total;
    }
}
