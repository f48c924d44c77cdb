using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// The result for a row whose top values are not finite (<see cref="PredictionPolicy"/>): NaN outputs, or for a
    /// class the exception naming the feature (and <paramref name="row"/>, when not negative), or the model's
    /// <paramref name="parameters"/> when they are what is not finite.
    /// </summary>
    static abstract int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs, ref float y, int row)
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

    public static int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs, ref float y, int row)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref y, THead.ForwardWidth(outputs)).Fill(float.NaN);
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

    public static int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs, ref float y, int row)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref y, THead.ProbabilityWidth(outputs)).Fill(float.NaN);
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

    public static int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs, ref float y, int row)
        where THead : struct, IOutputHead => throw PredictionPolicy.Unpredictable(features, parameters, row, row < 0 ? "row" : "rows");
}

/// <summary>The head's class, or −1 for a row whose top values are not finite: the <c>TryPredictClass</c> that never throws.</summary>
internal readonly struct HeadClassOrNone : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead => THead.Class(ref top, outputs);

    public static int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs, ref float y, int row)
        where THead : struct, IOutputHead => -1;
}
