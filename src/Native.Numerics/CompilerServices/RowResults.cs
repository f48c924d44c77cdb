using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>What one row's pass ends in: the head's outputs, its probabilities, or its class; each holds where it goes.</summary>
internal interface IRowResult
{
    /// <summary>Turns the top layer's values into the result: written where this result points, or returned.</summary>
    int Finish<TSimd, TVector, THead>(ref float top, int outputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead;

    /// <summary>
    /// The result for a row whose top values are not finite (<see cref="PredictionPolicy"/>): NaN outputs, or for a class
    /// the exception naming the feature (or the model's <paramref name="parameters"/>, when they are what is not finite),
    /// or −1 where no exception is wanted.
    /// </summary>
    int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs)
        where THead : struct, IOutputHead;
}

/// <summary>The head's outputs, what <see cref="IModel.Forward"/> writes, into <paramref name="destination"/>.</summary>
internal readonly ref struct OutputsResult(ref float destination) : IRowResult
{
    private readonly ref float _destination = ref destination;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Finish<TSimd, TVector, THead>(ref float top, int outputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Row<TSimd, TVector>(ref top, outputs, ref _destination);
        return 0;
    }

    public int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref _destination, THead.ForwardWidth(outputs)).Fill(float.NaN);
        return 0;
    }
}

/// <summary>The head's class probabilities, into <paramref name="destination"/>.</summary>
internal readonly ref struct ProbabilitiesResult(ref float destination) : IRowResult
{
    private readonly ref float _destination = ref destination;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Finish<TSimd, TVector, THead>(ref float top, int outputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Probabilities<TSimd, TVector>(ref top, outputs, ref _destination);
        return 0;
    }

    public int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref _destination, THead.ProbabilityWidth(outputs)).Fill(float.NaN);
        return 0;
    }
}

/// <summary>The head's class, returned; a row without one is an error that names it (see <see cref="InBatch"/>).</summary>
internal readonly struct ClassResult : IRowResult
{
    // The row's index among the rows a batch call was given, or −1 for the one row of a single-row call.
    private readonly int _row;

    private ClassResult(int row) => _row = row;

    /// <summary>The class of the one row a single-row call was given.</summary>
    public static ClassResult SingleRow => new(-1);

    /// <summary>The class of row <paramref name="row"/> of a batch call, which its error names.</summary>
    public static ClassResult InBatch(int row) => new(row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Finish<TSimd, TVector, THead>(ref float top, int outputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead => THead.Class(ref top, outputs);

    public int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs)
        where THead : struct, IOutputHead => throw PredictionPolicy.Unpredictable(features, parameters, _row, _row < 0 ? "row" : "rows");
}

/// <summary>The head's class, or −1 for a row whose top values are not finite: the <c>TryPredictClass</c> that never throws.</summary>
internal readonly struct ClassOrNoneResult : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Finish<TSimd, TVector, THead>(ref float top, int outputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead => THead.Class(ref top, outputs);

    public int NotFinite<THead>(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int outputs)
        where THead : struct, IOutputHead => -1;
}
