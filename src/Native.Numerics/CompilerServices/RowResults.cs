using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>What one row's pass ends in: the head's outputs, its probabilities, or its class.</summary>
internal interface IRowResult
{
    /// <summary>Turns the top layer's values into the result, written to <paramref name="y"/> or returned.</summary>
    static abstract int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead;
}

/// <summary>The head's outputs, what <see cref="IModel.Forward"/> writes.</summary>
internal readonly struct HeadOutputs : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Row<TSimd, TVector>(ref top, outputs, ref y);
        return 0;
    }
}

/// <summary>The head's class probabilities.</summary>
internal readonly struct HeadProbabilities : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Probabilities<TSimd, TVector>(ref top, outputs, ref y);
        return 0;
    }
}

/// <summary>The head's class.</summary>
internal readonly struct HeadClass : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead => THead.Class(ref top, outputs);
}
