using System.Runtime.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// How a row's first layer reads its features: as given (<see cref="RawInput"/>), standardized on the way in
/// (<see cref="StandardizedInput"/>), or from rows stored as bytes, widened in registers (<see cref="ByteInput"/>,
/// <see cref="StandardizedByteInput"/>). A type parameter, so each is compiled into the kernel's loop with no test there.
/// </summary>
/// <remarks>
/// The row is given as a reference to its first float; for byte rows, to its first byte seen as a float (a
/// <see cref="Rows"/> view of byte rows counts its stride in 4-byte words), and <c>k</c> counts features either way.
/// </remarks>
internal interface IRowInput
{
    /// <summary>
    /// Where the forward pass writes the rows it reads, as the layer sees them, for the passes after to read as floats: the
    /// chunk's row i at <see cref="Widened"/> + i × <see cref="WidenedStride"/>. A null reference for every reader but
    /// <see cref="WideningInput{TBytes}"/>.
    /// </summary>
    ref float Widened { get; }

    /// <summary>The distance between the rows at <see cref="Widened"/>, in floats.</summary>
    nint WidenedStride { get; }

    /// <summary>The vector of features at <paramref name="k"/>, as the layer is to see them.</summary>
    TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>The features as given: the input of every layer but a standardizing model's first.</summary>
internal readonly struct RawInput : IRowInput
{
    public ref float Widened => ref Unsafe.NullRef<float>();

    public nint WidenedStride => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => TSimd.Load(in x, k);
}

/// <summary>
/// The features through a standardizer, (x − mean) × scale, with its <paramref name="means"/> and <paramref name="scales"/>
/// (one per feature): the step <see cref="Vectors.Standardize"/> also takes, so a row standardized here gives the same bits
/// as one standardized into memory first — without the store, the reload, and the scratch row's room in L1.
/// </summary>
internal readonly ref struct StandardizedInput(ref float means, ref float scales) : IRowInput
{
    public ref float Widened => ref Unsafe.NullRef<float>();

    public nint WidenedStride => 0;

    private readonly ref float _means = ref means;
    private readonly ref float _scales = ref scales;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => Standardize<TSimd, TVector>(in x, ref _means, ref _scales, k);

    /// <summary>(x − mean) × scale for the vector of features at <paramref name="k"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Standardize<TSimd, TVector>(ref readonly float x, ref float means, ref float scales, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Multiply(TSimd.Subtract(TSimd.Load(in x, k), TSimd.Load(in means, k)), TSimd.Load(in scales, k));
}

/// <summary>
/// The features of a row stored as bytes (integers 0–255), widened to floats in registers as the kernel loads them
/// (<see cref="ByteRowKernel.Load"/>): every byte is a float exactly, so the kernel sees the bits the row stored as floats
/// would give it, with a quarter of the bytes read and no widened copy written first.
/// </summary>
internal readonly struct ByteInput : IRowInput
{
    public ref float Widened => ref Unsafe.NullRef<float>();

    public nint WidenedStride => 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => ByteRowKernel.Load<TSimd, TVector>(in Unsafe.As<float, byte>(ref Unsafe.AsRef(in x)), k);
}

/// <summary>
/// The features of a row stored as bytes, widened in registers and then standardized, (x − mean) × scale: the two rounded
/// steps <see cref="StandardizedInput"/> takes, so the kernel sees the bits of the same row stored as floats and
/// standardized into memory first.
/// </summary>
internal readonly ref struct StandardizedByteInput(ref float means, ref float scales) : IRowInput
{
    public ref float Widened => ref Unsafe.NullRef<float>();

    public nint WidenedStride => 0;

    private readonly ref float _means = ref means;
    private readonly ref float _scales = ref scales;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Multiply(
            TSimd.Subtract(ByteRowKernel.Load<TSimd, TVector>(in Unsafe.As<float, byte>(ref Unsafe.AsRef(in x)), k), TSimd.Load(in _means, k)),
            TSimd.Load(in _scales, k));
}

/// <summary>
/// A byte row reader (<typeparamref name="TBytes"/>: <see cref="ByteInput"/> or <see cref="StandardizedByteInput"/>) for the
/// forward pass that also writes what it widens into float rows at <paramref name="widened"/>, <paramref name="stride"/>
/// floats apart, one per row of the chunk: so each vector of a row is widened once, by the forward pass, and the gradient
/// reads the floats (the copy <see cref="ByteRowKernel.Widen"/> writes, to the bit). The forward kernels write them
/// (<see cref="TenOutputKernel"/> as it reads them; <see cref="ForwardKernel"/> otherwise first, then reads the floats).
/// </summary>
internal readonly ref struct WideningInput<TBytes>(TBytes bytes, ref float widened, nint stride) : IRowInput
    where TBytes : struct, IRowInput, allows ref struct
{
    private readonly TBytes _bytes = bytes;
    private readonly ref float _widened = ref widened;

    public ref float Widened => ref _widened;

    public nint WidenedStride { get; } = stride;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => _bytes.Load<TSimd, TVector>(in x, k);
}

/// <summary>Rows read through a reader and written as floats.</summary>
internal static class RowInputs
{
    /// <summary>
    /// The rows of <paramref name="input"/> read through <paramref name="reader"/>, as the layer sees them, written as floats
    /// into the rows at <paramref name="destination"/>, <paramref name="stride"/> floats apart.
    /// </summary>
    public static void Write<TSimd, TVector, TInput>(TInput reader, in Rows input, int features, ref float destination, nint stride)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        for (int i = 0; i < input.Count; i++)
        {
            WriteRow<TSimd, TVector, TInput>(reader, in input[i], features, ref Unsafe.Add(ref destination, i * stride));
        }
    }

    /// <summary>One row read through <paramref name="reader"/> and written as floats into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteRow<TSimd, TVector, TInput>(TInput reader, ref readonly float row, int features, ref float destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        nint k = 0;
        for (; k <= features - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(reader.Load<TSimd, TVector>(in row, k), ref destination, k);
        }

        for (; k < features; k++)
        {
            Unsafe.Add(ref destination, k) = reader.Load<SimdScalar, float>(in row, k);
        }
    }
}
