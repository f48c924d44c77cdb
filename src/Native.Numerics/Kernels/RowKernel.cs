using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Native.Numerics.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// y = f(W·x + b) for one row: x is (inputs), W is (outputs, inputs) row-major, b is (outputs), f an activation
/// applied lane by lane. The prediction of one row, the case a latency-bound caller pays for.
/// </summary>
/// <remarks>
/// <para>
/// Dot-product form, one register per output: each vector of x is loaded once and meets the same columns of up to
/// 16 rows of W (8 below 512 bits, where there are 16 registers rather than 32). The accumulators are then summed
/// four at a time by a transposing tree (<see cref="ISimd{TVector}.SumEach"/>), so the outputs come out as vectors —
/// bias added, activation applied, stored whole — and never pass through memory a float at a time, which would stall
/// the next layer's or the head's vector loads until those stores had drained.
/// </para>
/// <para>
/// A row whose length is not a whole number of vectors ends with one more vector loaded to end exactly at the row's
/// end, its lanes shared with the vector before zeroed (<see cref="ISimd{TVector}.ZeroLanesBelow"/>): no scalar tail, no read
/// outside the row. A row shorter than a vector runs at the narrowest width that holds a vector of it (4 features
/// at 512 bits: one 128-bit vector). With a generated shape every size here is a constant: the loops have constant
/// trip counts and the guards on the outputs fold away, leaving exactly the accumulators the layer has.
/// </para>
/// <para>
/// The callers provide y rounded up to a multiple of 16 floats, and parameters followed by at
/// least 15 readable floats (<see cref="AlignedBuffer"/> keeps spare floats after its end): a block's outputs are
/// stored as one whole vector, and its biases loaded as one.
/// </para>
/// </remarks>
internal static class RowKernel
{
    /// <summary>y = f(W·x + b) for one row; w, b, x and y as in the class remarks.</summary>
    /// <remarks>
    /// Inlined into its caller only to choose the width; the work is one call to a method compiled for exactly this width,
    /// shape and activation, so the caller's own compilation is not burdened with the kernel's many inlined vector calls.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<TSimd, TVector, TShape, TActivation, TInput>(TShape shape, ref float w, ref float b, ref readonly float x, TInput input, ref float y, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct
    {
        // A row shorter than a vector: the narrowest width that holds a vector of it.
        if (TSimd.Count == 16 && shape.Inputs >= 16)
        {
            Blocks<Simd512, Vector512<float>, TShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, slope);
        }
        else if (TSimd.Count >= 8 && shape.Inputs >= 8)
        {
            Blocks<Simd256, Vector256<float>, TShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, slope);
        }
        else if (TSimd.Count >= 4 && shape.Inputs >= 4)
        {
            Blocks<Simd128, Vector128<float>, TShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, slope);
        }
        else
        {
            Blocks<SimdScalar, float, TShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, slope);
        }
    }

    // Outputs in blocks of as many accumulators as the registers hold, then the rest in one smaller block.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Blocks<TSimd, TVector, TShape, TActivation, TInput>(TShape shape, ref float w, ref float b, ref readonly float x, TInput input, ref float y, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct
    {
        int block = TSimd.Count == 16 ? 16 : 8;
        int outputs = shape.Outputs;
        int whole = outputs / block * block;
        if (typeof(TShape) == typeof(DenseShape))
        {
            // A run-time shape: the block sizes are not constants, so a block goes to a method compiled for its size, whose
            // loop holds exactly its accumulators rather than testing all 16 guards on every vector of x. Whole blocks
            // always; the last, smaller block only in an output layer (the identity), where it is most of the work — a
            // 10-class head is one such block. A hidden layer's last block keeps the guards: a method per size for each
            // activation as well would add about 0.25 MB to a NativeAOT binary for layers where it is a small part.
            var sizes = new DenseShape(shape.Inputs, shape.Outputs);
            for (int first = 0; first < whole; first += block)
            {
                if (TSimd.Count == 16)
                {
                    ConstantBlock<TSimd, TVector, TActivation, TInput, SixteenOutputs>(sizes, ref w, ref b, in x, input, ref y, first, slope);
                }
                else
                {
                    ConstantBlock<TSimd, TVector, TActivation, TInput, EightOutputs>(sizes, ref w, ref b, in x, input, ref y, first, slope);
                }
            }

            if (whole < outputs)
            {
                if (typeof(TActivation) == typeof(IdentityFunction))
                {
                    LastBlock<TSimd, TVector, TActivation, TInput>(sizes, ref w, ref b, in x, input, ref y, whole, outputs - whole, slope);
                }
                else
                {
                    Block<TSimd, TVector, TShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, whole, outputs - whole, slope);
                }
            }

            return;
        }

        for (int first = 0; first < whole; first += block)
        {
            Block<TSimd, TVector, TShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, first, block, slope);
        }

        if (whole < outputs)
        {
            Block<TSimd, TVector, TShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, whole, outputs - whole, slope);
        }
    }

    // An output layer's last block of a run-time shape: its size n (1 to one less than a whole block) made a constant by a
    // switch to the method compiled for that n (docs/performance.md, "Run-time sizes need constant block sizes").
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LastBlock<TSimd, TVector, TActivation, TInput>(DenseShape shape, ref float w, ref float b, ref readonly float x, TInput input, ref float y, int first, int n, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct
    {
        Debug.Assert(n >= 1 && n < (TSimd.Count == 16 ? 16 : 8), "a last block, smaller than a whole one");
        switch (n)
        {
            case 1: ConstantBlock<TSimd, TVector, TActivation, TInput, OneOutput>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            case 2: ConstantBlock<TSimd, TVector, TActivation, TInput, TwoOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            case 3: ConstantBlock<TSimd, TVector, TActivation, TInput, ThreeOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            case 4: ConstantBlock<TSimd, TVector, TActivation, TInput, FourOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            case 5: ConstantBlock<TSimd, TVector, TActivation, TInput, FiveOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            case 6: ConstantBlock<TSimd, TVector, TActivation, TInput, SixOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            case 7: ConstantBlock<TSimd, TVector, TActivation, TInput, SevenOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            case 8: ConstantBlock<TSimd, TVector, TActivation, TInput, EightOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
            default:
                // Blocks of 9 to 16 exist only at 512 bits; the narrower widths' code keeps none of these.
                if (TSimd.Count == 16)
                {
                    switch (n)
                    {
                        case 9: ConstantBlock<TSimd, TVector, TActivation, TInput, NineOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
                        case 10: ConstantBlock<TSimd, TVector, TActivation, TInput, TenOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
                        case 11: ConstantBlock<TSimd, TVector, TActivation, TInput, ElevenOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
                        case 12: ConstantBlock<TSimd, TVector, TActivation, TInput, TwelveOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
                        case 13: ConstantBlock<TSimd, TVector, TActivation, TInput, ThirteenOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
                        case 14: ConstantBlock<TSimd, TVector, TActivation, TInput, FourteenOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
                        default: ConstantBlock<TSimd, TVector, TActivation, TInput, FifteenOutputs>(shape, ref w, ref b, in x, input, ref y, first, slope); break;
                    }
                }

                break;
        }
    }

    // A block of a run-time shape whose output count is the constant TOutputs.Count: its loop holds exactly that many
    // accumulators, with none of the guards on the others.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void ConstantBlock<TSimd, TVector, TActivation, TInput, TOutputs>(DenseShape shape, ref float w, ref float b, ref readonly float x, TInput input, ref float y, int first, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct
        where TOutputs : struct, IBlockOutputs =>
        Block<TSimd, TVector, DenseShape, TActivation, TInput>(shape, ref w, ref b, in x, input, ref y, first, TOutputs.Count, slope);

    // A block's output count as a type, so that a method compiled for it sees a constant.
    private interface IBlockOutputs
    {
        static abstract int Count { get; }
    }

    private readonly struct OneOutput : IBlockOutputs { public static int Count => 1; }
    private readonly struct TwoOutputs : IBlockOutputs { public static int Count => 2; }
    private readonly struct ThreeOutputs : IBlockOutputs { public static int Count => 3; }
    private readonly struct FourOutputs : IBlockOutputs { public static int Count => 4; }
    private readonly struct FiveOutputs : IBlockOutputs { public static int Count => 5; }
    private readonly struct SixOutputs : IBlockOutputs { public static int Count => 6; }
    private readonly struct SevenOutputs : IBlockOutputs { public static int Count => 7; }
    private readonly struct EightOutputs : IBlockOutputs { public static int Count => 8; }
    private readonly struct NineOutputs : IBlockOutputs { public static int Count => 9; }
    private readonly struct TenOutputs : IBlockOutputs { public static int Count => 10; }
    private readonly struct ElevenOutputs : IBlockOutputs { public static int Count => 11; }
    private readonly struct TwelveOutputs : IBlockOutputs { public static int Count => 12; }
    private readonly struct ThirteenOutputs : IBlockOutputs { public static int Count => 13; }
    private readonly struct FourteenOutputs : IBlockOutputs { public static int Count => 14; }
    private readonly struct FifteenOutputs : IBlockOutputs { public static int Count => 15; }
    private readonly struct SixteenOutputs : IBlockOutputs { public static int Count => 16; }

    // Outputs first..first+n (n ≤ 16) of one row: n accumulators over the whole row, then summed, biased, activated, stored.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<TSimd, TVector, TShape, TActivation, TInput>(TShape shape, ref float w, ref float b, ref readonly float x, TInput input, ref float y, int first, int n, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct
    {
        int inputs = shape.Inputs;
        ref float row = ref Unsafe.Add(ref w, (nint)first * inputs);
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero, s3 = TSimd.Zero, s4 = TSimd.Zero, s5 = TSimd.Zero, s6 = TSimd.Zero, s7 = TSimd.Zero;
        TVector s8 = TSimd.Zero, s9 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero, s14 = TSimd.Zero, s15 = TSimd.Zero;

        // The whole vectors of x, then the last one ending at the row's end with its shared lanes dropped.
        int whole = inputs / TSimd.Count * TSimd.Count;
        for (nint k = 0; k < whole; k += TSimd.Count)
        {
            TVector v = input.Load<TSimd, TVector>(in x, k);
            Accumulate<TSimd, TVector>(ref row, inputs, k, v, n, ref s0, ref s1, ref s2, ref s3, ref s4, ref s5, ref s6, ref s7, ref s8, ref s9, ref s10, ref s11, ref s12, ref s13, ref s14, ref s15);
        }

        if (whole < inputs)
        {
            nint k = inputs - TSimd.Count;
            TVector v = TSimd.ZeroLanesBelow(input.Load<TSimd, TVector>(in x, k), TSimd.Count - (inputs - whole));
            Accumulate<TSimd, TVector>(ref row, inputs, k, v, n, ref s0, ref s1, ref s2, ref s3, ref s4, ref s5, ref s6, ref s7, ref s8, ref s9, ref s10, ref s11, ref s12, ref s13, ref s14, ref s15);
        }

        // The sums four at a time in 128-bit vectors, joined into one vector of the block's width (a 128-bit path stores
        // its two halves apart), plus the biases, through the activation, stored whole: the next layer's loads, or the
        // head's, are then of exactly what one store wrote, and take the data straight from it.
        ref float bias = ref Unsafe.Add(ref b, first);
        ref float output = ref Unsafe.Add(ref y, first);
        Vector128<float> g0 = TSimd.SumEach(s0, s1, s2, s3);
        Vector128<float> g1 = n > 4 ? TSimd.SumEach(s4, s5, s6, s7) : default;
        if (TSimd.Count == 16)
        {
            Vector128<float> g2 = n > 8 ? TSimd.SumEach(s8, s9, s10, s11) : default;
            Vector128<float> g3 = n > 12 ? TSimd.SumEach(s12, s13, s14, s15) : default;
            Vector512<float> z = Vector512.Create(Vector256.Create(g0, g1), Vector256.Create(g2, g3)) + Vector512.LoadUnsafe(ref bias);
            Vector512.StoreUnsafe(TActivation.Apply<Simd512, Vector512<float>>(z, Vector512.Create(slope)), ref output);
        }
        else if (TSimd.Count == 8)
        {
            Vector256<float> z = Vector256.Create(g0, g1) + Vector256.LoadUnsafe(ref bias);
            Vector256.StoreUnsafe(TActivation.Apply<Simd256, Vector256<float>>(z, Vector256.Create(slope)), ref output);
        }
        else
        {
            Vector128<float> slopes = Vector128.Create(slope);
            Vector128.StoreUnsafe(TActivation.Apply<Simd128, Vector128<float>>(g0 + Vector128.LoadUnsafe(ref bias), slopes), ref output);
            if (n > 4)
            {
                Vector128.StoreUnsafe(TActivation.Apply<Simd128, Vector128<float>>(g1 + Vector128.LoadUnsafe(ref bias, 4), slopes), ref output, 4);
            }
        }
    }

    // s_j += W[j, k..k+v] · x[k..k+v] for the n outputs of the block; w points at the block's first row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate<TSimd, TVector>(
        ref float w, int inputs, nint k, TVector x, int n,
        ref TVector s0, ref TVector s1, ref TVector s2, ref TVector s3, ref TVector s4, ref TVector s5, ref TVector s6, ref TVector s7,
        ref TVector s8, ref TVector s9, ref TVector s10, ref TVector s11, ref TVector s12, ref TVector s13, ref TVector s14, ref TVector s15)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        s0 = TSimd.MultiplyAdd(TSimd.Load(in w, k), x, s0);
        if (n > 1) { s1 = TSimd.MultiplyAdd(TSimd.Load(in w, inputs + k), x, s1); }
        if (n > 2) { s2 = TSimd.MultiplyAdd(TSimd.Load(in w, (2 * (nint)inputs) + k), x, s2); }
        if (n > 3) { s3 = TSimd.MultiplyAdd(TSimd.Load(in w, (3 * (nint)inputs) + k), x, s3); }
        if (n > 4) { s4 = TSimd.MultiplyAdd(TSimd.Load(in w, (4 * (nint)inputs) + k), x, s4); }
        if (n > 5) { s5 = TSimd.MultiplyAdd(TSimd.Load(in w, (5 * (nint)inputs) + k), x, s5); }
        if (n > 6) { s6 = TSimd.MultiplyAdd(TSimd.Load(in w, (6 * (nint)inputs) + k), x, s6); }
        if (n > 7) { s7 = TSimd.MultiplyAdd(TSimd.Load(in w, (7 * (nint)inputs) + k), x, s7); }
        if (n > 8) { s8 = TSimd.MultiplyAdd(TSimd.Load(in w, (8 * (nint)inputs) + k), x, s8); }
        if (n > 9) { s9 = TSimd.MultiplyAdd(TSimd.Load(in w, (9 * (nint)inputs) + k), x, s9); }
        if (n > 10) { s10 = TSimd.MultiplyAdd(TSimd.Load(in w, (10 * (nint)inputs) + k), x, s10); }
        if (n > 11) { s11 = TSimd.MultiplyAdd(TSimd.Load(in w, (11 * (nint)inputs) + k), x, s11); }
        if (n > 12) { s12 = TSimd.MultiplyAdd(TSimd.Load(in w, (12 * (nint)inputs) + k), x, s12); }
        if (n > 13) { s13 = TSimd.MultiplyAdd(TSimd.Load(in w, (13 * (nint)inputs) + k), x, s13); }
        if (n > 14) { s14 = TSimd.MultiplyAdd(TSimd.Load(in w, (14 * (nint)inputs) + k), x, s14); }
        if (n > 15) { s15 = TSimd.MultiplyAdd(TSimd.Load(in w, (15 * (nint)inputs) + k), x, s15); }
    }
}
