using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.Quantization;

/// <summary>What a quantized row's pass ends in: the head's outputs, its probabilities, its class, or the logits.</summary>
internal interface IQuantizedResult
{
    /// <summary>Whether the result is a class, returned (and in a batch stored as an int), rather than floats written.</summary>
    static abstract bool IsClass { get; }

    /// <summary>The result of a row whose logits (in a buffer padded to 16 floats, which may be overwritten) are finite.</summary>
    static abstract int Finish<TSimd, TVector, THead>(ref float logits, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead;

    /// <summary>
    /// The result of a row whose logits are not finite (<see cref="PredictionPolicy"/>): NaN outputs, −1 for a class asked
    /// for without an exception, or the exception naming the feature (and <paramref name="index"/>, when not negative).
    /// </summary>
    static abstract int NotFinite<THead>(ReadOnlySpan<float> row, int outputs, ref float y, int index)
        where THead : struct, IOutputHead;
}

/// <summary>The head's outputs: a value, P(class 1), or the class probabilities.</summary>
internal readonly struct OutputsResult : IQuantizedResult
{
    public static bool IsClass => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float logits, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Row<TSimd, TVector>(ref logits, outputs, ref y);
        return 0;
    }

    public static int NotFinite<THead>(ReadOnlySpan<float> row, int outputs, ref float y, int index)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref y, THead.ForwardWidth(outputs)).Fill(float.NaN);
        return 0;
    }
}

/// <summary>The head's class probabilities ([1 − p, p] for a logistic regression).</summary>
internal readonly struct ProbabilitiesResult : IQuantizedResult
{
    public static bool IsClass => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float logits, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Probabilities<TSimd, TVector>(ref logits, outputs, ref y);
        return 0;
    }

    public static int NotFinite<THead>(ReadOnlySpan<float> row, int outputs, ref float y, int index)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref y, THead.ProbabilityWidth(outputs)).Fill(float.NaN);
        return 0;
    }
}

/// <summary>The head's class; a row without one is an error.</summary>
internal readonly struct ClassResult : IQuantizedResult
{
    public static bool IsClass => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float logits, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead => THead.Class(ref logits, outputs);

    public static int NotFinite<THead>(ReadOnlySpan<float> row, int outputs, ref float y, int index)
        where THead : struct, IOutputHead => throw PredictionPolicy.Unpredictable(row, default, index, index < 0 ? "row" : "rows");
}

/// <summary>The head's class, or −1 for a row without one.</summary>
internal readonly struct TryClassResult : IQuantizedResult
{
    public static bool IsClass => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float logits, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead => THead.Class(ref logits, outputs);

    public static int NotFinite<THead>(ReadOnlySpan<float> row, int outputs, ref float y, int index)
        where THead : struct, IOutputHead => -1;
}

/// <summary>The top layer's values themselves.</summary>
internal readonly struct LogitsResult : IQuantizedResult
{
    public static bool IsClass => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float logits, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateReadOnlySpan(ref logits, outputs).CopyTo(MemoryMarshal.CreateSpan(ref y, outputs));
        return 0;
    }

    public static int NotFinite<THead>(ReadOnlySpan<float> row, int outputs, ref float y, int index)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref y, outputs).Fill(float.NaN);
        return 0;
    }
}
