using System.Runtime.CompilerServices;
using Native.Numerics.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// D = E·W: the errors one layer down. E is (n, outputs) row-major; W is (outputs, inputs) row-major;
/// D is (n, inputs) row-major.
/// </summary>
internal static class BackpropagateKernel
{
    // D = E·W: each row of D is a combination of the rows of W. Four rows of D × two vectors of columns
    // are held in registers while the outputs j stream past (2 loads of W + 4 broadcasts per 8 multiply-adds).
    // Never inlined: the kernel is compiled once, fully optimized, not again inside each caller under that caller's profile
    // (where a synthesized profile can lay its loops out as cold).
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Run<TSimd, TVector, TShape>(TShape shape, ref float e, int count, ref float w, ref float d)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
    {
        int inputs = shape.Inputs;
        int outputs = shape.Outputs;
        int step = 2 * TSimd.Count;
        int i = 0;
        for (; i + 4 <= count; i += 4)
        {
            ref float e0 = ref Unsafe.Add(ref e, (nint)i * outputs);
            ref float d0 = ref Unsafe.Add(ref d, (nint)i * inputs);
            nint k = 0;
            for (; k <= inputs - step; k += step)
            {
                Combine4x2<TSimd, TVector>(ref e0, outputs, ref w, inputs, k, ref d0);
            }

            for (int r = 0; r < 4; r++)
            {
                CombineTail<TSimd, TVector>(ref Unsafe.Add(ref e0, (nint)r * outputs), outputs, ref w, inputs, k, ref Unsafe.Add(ref d0, (nint)r * inputs));
            }
        }

        for (; i < count; i++)
        {
            CombineTail<TSimd, TVector>(ref Unsafe.Add(ref e, (nint)i * outputs), outputs, ref w, inputs, 0, ref Unsafe.Add(ref d, (nint)i * inputs));
        }
    }

    // D[i..i+4, k..k+2v] = Σ_j E[i..i+4, j] ⊗ W[j, k..k+2v]; e points at E[i, 0], d at D[i, 0].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine4x2<TSimd, TVector>(ref float e, int outputs, ref float w, int inputs, nint k, ref float d)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s30 = TSimd.Zero, s31 = TSimd.Zero;
        for (int j = 0; j < outputs; j++)
        {
            ref float wj = ref Unsafe.Add(ref w, (j * (nint)inputs) + k);
            TVector v0 = TSimd.Load(in wj, 0);
            TVector v1 = TSimd.Load(in wj, TSimd.Count);
            TVector g = TSimd.Create(Unsafe.Add(ref e, j));
            s00 = TSimd.MultiplyAdd(g, v0, s00);
            s01 = TSimd.MultiplyAdd(g, v1, s01);
            g = TSimd.Create(Unsafe.Add(ref e, outputs + j));
            s10 = TSimd.MultiplyAdd(g, v0, s10);
            s11 = TSimd.MultiplyAdd(g, v1, s11);
            g = TSimd.Create(Unsafe.Add(ref e, (2 * outputs) + j));
            s20 = TSimd.MultiplyAdd(g, v0, s20);
            s21 = TSimd.MultiplyAdd(g, v1, s21);
            g = TSimd.Create(Unsafe.Add(ref e, (3 * outputs) + j));
            s30 = TSimd.MultiplyAdd(g, v0, s30);
            s31 = TSimd.MultiplyAdd(g, v1, s31);
        }

        ref float dk = ref Unsafe.Add(ref d, k);
        TSimd.Store(s00, ref dk, 0);
        TSimd.Store(s01, ref dk, TSimd.Count);
        TSimd.Store(s10, ref dk, inputs);
        TSimd.Store(s11, ref dk, inputs + TSimd.Count);
        TSimd.Store(s20, ref dk, 2 * (nint)inputs);
        TSimd.Store(s21, ref dk, (2 * (nint)inputs) + TSimd.Count);
        TSimd.Store(s30, ref dk, 3 * (nint)inputs);
        TSimd.Store(s31, ref dk, (3 * (nint)inputs) + TSimd.Count);
    }

    // One row of D from column k on: a vector at a time, then one column at a time.
    private static void CombineTail<TSimd, TVector>(ref float e, int outputs, ref float w, int inputs, nint k, ref float d)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector s = TSimd.Zero;
            for (int j = 0; j < outputs; j++)
            {
                s = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref e, j)), TSimd.Load(in w, (j * (nint)inputs) + k), s);
            }

            TSimd.Store(s, ref d, k);
        }

        for (; k < inputs; k++)
        {
            float s = 0f;
            for (int j = 0; j < outputs; j++)
            {
                s += Unsafe.Add(ref e, j) * Unsafe.Add(ref w, (j * (nint)inputs) + k);
            }

            Unsafe.Add(ref d, k) = s;
        }
    }
}
