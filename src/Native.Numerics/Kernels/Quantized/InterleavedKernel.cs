using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// A row of features to its first layer's sums in one pass, at 256 bits, for a layer of at most 12 outputs whose weights
/// are interleaved by step (<see cref="Interleave"/>): the sums of <see cref="FeatureKernel.Row"/>, the same bits, in fewer
/// instructions. For one row of a 784 × 10 softmax or a logistic regression.
/// </summary>
/// <remarks>
/// <para>
/// Each step turns 32 features into 32 bytes in registers (four fused multiply-adds, four conversions, three packs: the
/// bytes left in the packs' order, the weights stored in that order instead of a permutation a step) and multiplies
/// them into the sums of every output at once, as <see cref="FeatureKernel"/> does, but the step's weights for all the
/// outputs lie side by side (32 bytes each), so they are read at constant offsets from one pointer: one micro-fused
/// instruction per product where a row-major layout's indexed addresses take two, and no stride kept in a register. The
/// bytes are not stored: nothing reads them. A row whose length is not a multiple of 32 ends in a step over its last 32
/// features, overlapping the one before, whose weights are zero for the features already summed: no scalar tail, no
/// bytes stored and read back.
/// </para>
/// <para>
/// On Intel Xeon, Emerald Rapids a 784 × 10 row's sums take ~285 cycles here against ~335 for
/// <see cref="FeatureKernel"/>'s row-major pass (alternated in one process, <c>-- int8row</c>). The bound: per step 20
/// operations on the two ports 256-bit <c>vpdpbusd</c>, fused multiply-adds, conversions and byte min/max share (ports 0
/// and 1). A <see cref="ZeroPointMap"/>'s row (a calibrated layer without a standardizer) reads its levels from the fused
/// sums' bits instead: an integer subtraction for each conversion and two ORs a step, all on any vector port, and no
/// min; ~258 cycles. A row with a sum out of the range that takes (<see cref="ZeroPointMap.OutOfRange"/>) is summed
/// again, converted.
/// </para>
/// </remarks>
internal static class InterleavedKernel
{
    /// <summary>The features of a step: one 256-bit vector of bytes.</summary>
    public const int Step = 32;

    /// <summary>The most outputs a pass carries: 12 sums, the step's bytes and the map's constants fit 32 registers.</summary>
    public const int MostOutputs = 12;

    /// <summary>Whether a layer of <paramref name="inputs"/> × <paramref name="outputs"/> takes this kernel.</summary>
    public static bool Fits(int inputs, int outputs) => Avx2.IsSupported && inputs >= Step && outputs <= MostOutputs;

    /// <summary>The steps of a row of <paramref name="inputs"/> features: the last may overlap the one before.</summary>
    public static int Steps(int inputs) => (inputs + Step - 1) / Step;

    /// <summary>
    /// The weights interleaved by step: for step s (features 32s … 32s + 31, or the last 32 for a last step that overlaps)
    /// and output o, the 32 weights at (s·outputs + o)·32, in the order of the step's bytes (<see cref="PackedFeature"/>);
    /// zero for the features an overlapping last step has already seen.
    /// </summary>
    /// <param name="w">The weights row-major, each row <paramref name="length"/> bytes.</param>
    /// <param name="length">The bytes of a row of W.</param>
    /// <param name="inputs">The inputs (at least <see cref="Step"/>).</param>
    /// <param name="outputs">The outputs (at most <see cref="MostOutputs"/>).</param>
    public static AlignedBuffer Interleave(ReadOnlySpan<sbyte> w, int length, int inputs, int outputs)
    {
        int steps = Steps(inputs);
        var buffer = new AlignedBuffer(checked(steps * outputs * Step / sizeof(float)));
        Span<sbyte> interleaved = MemoryMarshal.Cast<float, sbyte>(buffer.Span);
        for (int s = 0; s < steps; s++)
        {
            // The last step reads the row's last 32 features; those before `start` were summed by the step before.
            int first = Math.Min(s * Step, inputs - Step), start = s * Step;
            for (int o = 0; o < outputs; o++)
            {
                for (int p = 0; p < Step; p++)
                {
                    int feature = first + PackedFeature(p);
                    interleaved[(((s * outputs) + o) * Step) + p] = feature >= start ? w[(o * length) + feature] : (sbyte)0;
                }
            }
        }

        return buffer;
    }

    /// <summary>
    /// The feature of a step (0 … 31) whose byte <see cref="Bytes"/> puts at <paramref name="position"/>: each 128-bit lane
    /// of the packs holds four features of each of the step's four vectors in turn.
    /// </summary>
    public static int PackedFeature(int position) => (8 * (position % 16 / 4)) + (4 * (position / 16)) + (position % 4);

    /// <summary>
    /// Four vectors of levels as signed bytes saturated to −128 … 127, in the packs' order (<see cref="PackedFeature"/>):
    /// <see cref="IntegerLanes{TVector}.SignedBytes"/> without its permutation, which the weights' order makes up for.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Bytes(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) =>
        Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(a, b), Avx2.PackSignedSaturate(c, d));

    /// <summary>
    /// sums[o] = Σ_k byte(x[k]·scale + offset)·W[o, k] for o below <paramref name="outputs"/>, written as
    /// <see cref="FeatureKernel.Row"/> writes them (16 sums, zeros past the outputs); returns whether every feature has a
    /// level.
    /// </summary>
    /// <param name="x">The row's features: <paramref name="count"/> of them, at least <see cref="Step"/>.</param>
    /// <param name="map">Their map to levels.</param>
    /// <param name="count">The features: the layer's inputs.</param>
    /// <param name="weights">The weights, <see cref="Interleave"/>d.</param>
    /// <param name="outputs">The outputs: 1 … <see cref="MostOutputs"/>.</param>
    /// <remarks>For 256-bit products only (<typeparamref name="TProducts"/> of 8 lanes).</remarks>
    /// <param name="sums">Where the sums go: room for 16.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Row<TProducts, TBytes, TInts, TMap>(ref float x, in TMap map, int count, ref byte weights, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TMap : struct, IFeatureMap, allows ref struct => outputs switch
        {
            1 => Pass<TProducts, TBytes, TInts, TMap, Rows1>(ref x, in map, count, ref weights, ref sums),
            2 => Pass<TProducts, TBytes, TInts, TMap, Rows2>(ref x, in map, count, ref weights, ref sums),
            3 => Pass<TProducts, TBytes, TInts, TMap, Rows3>(ref x, in map, count, ref weights, ref sums),
            4 => Pass<TProducts, TBytes, TInts, TMap, Rows4>(ref x, in map, count, ref weights, ref sums),
            5 => Pass<TProducts, TBytes, TInts, TMap, Rows5>(ref x, in map, count, ref weights, ref sums),
            6 => Pass<TProducts, TBytes, TInts, TMap, Rows6>(ref x, in map, count, ref weights, ref sums),
            7 => Pass<TProducts, TBytes, TInts, TMap, Rows7>(ref x, in map, count, ref weights, ref sums),
            8 => Pass<TProducts, TBytes, TInts, TMap, Rows8>(ref x, in map, count, ref weights, ref sums),
            9 => Pass<TProducts, TBytes, TInts, TMap, Rows9>(ref x, in map, count, ref weights, ref sums),
            10 => Pass<TProducts, TBytes, TInts, TMap, Rows10>(ref x, in map, count, ref weights, ref sums),
            11 => Pass<TProducts, TBytes, TInts, TMap, Rows11>(ref x, in map, count, ref weights, ref sums),
            _ => Pass<TProducts, TBytes, TInts, TMap, Rows12>(ref x, in map, count, ref weights, ref sums),
        };

    // A ZeroPointMap's row first reads its levels from the fused sums' bits; a row with a sum out of that range (a feature
    // not finite, or millions of levels out) takes the levels converted, as every other map does.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static bool Pass<TProducts, TBytes, TInts, TMap, TRows>(ref float x, in TMap map, int count, ref byte weights, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TMap : struct, IFeatureMap, allows ref struct
        where TRows : struct, IRowCount =>
        (typeof(TMap) == typeof(ZeroPointMap) && Sums<TProducts, TBytes, TInts, TMap, TRows, FromBits>(ref x, in map, count, ref weights, ref sums))
        || Sums<TProducts, TBytes, TInts, TMap, TRows, Converted>(ref x, in map, count, ref weights, ref sums);

    // The sums, each step's levels from TLevels: Converted, the map's values converted (true if every feature has a level);
    // FromBits, a ZeroPointMap's fused sums' bits less those of its constant (true if every sum was in the range where that
    // is the level, clamped: ZeroPointMap.OutOfRange).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Sums<TProducts, TBytes, TInts, TMap, TRows, TLevels>(ref float x, in TMap map, int count, ref byte weights, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TMap : struct, IFeatureMap, allows ref struct
        where TRows : struct, IRowCount
        where TLevels : struct
    {
        int n = TRows.Value;
        Vector256<float> scale = Vector256.Create(map.Scale), offset = Vector256.Create(map.Offset);
        Vector256<sbyte> leastByte = Vector256.Create(sbyte.MaxValue);
        Vector256<float> seen = Vector256<float>.Zero;
        TInts s0 = TProducts.Zero, s1 = TProducts.Zero, s2 = TProducts.Zero, s3 = TProducts.Zero, s4 = TProducts.Zero, s5 = TProducts.Zero;
        TInts s6 = TProducts.Zero, s7 = TProducts.Zero, s8 = TProducts.Zero, s9 = TProducts.Zero, s10 = TProducts.Zero, s11 = TProducts.Zero;
        ref byte w = ref weights;
        nint last = count - Step;
        for (nint k = 0; ; k += Step)
        {
            // The last step reads the last 32 features (its weights zero for those already summed).
            nint j = Math.Min(k, last);
            Vector256<sbyte> packed;
            if (typeof(TLevels) == typeof(FromBits))
            {
                Vector256<float> a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)j), scale, offset);
                Vector256<float> b = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)(j + 8)), scale, offset);
                Vector256<float> c = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)(j + 16)), scale, offset);
                Vector256<float> d = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)(j + 24)), scale, offset);
                seen = ZeroPointMap.Seen(seen, a, b, c, d);
                packed = Bytes(ZeroPointMap.Levels(a), ZeroPointMap.Levels(b), ZeroPointMap.Levels(c), ZeroPointMap.Levels(d));
            }
            else
            {
                packed = Bytes(
                    Level(map.Map<Simd256, Vector256<float>>(Vector256.LoadUnsafe(ref x, (nuint)j), j, scale, offset)),
                    Level(map.Map<Simd256, Vector256<float>>(Vector256.LoadUnsafe(ref x, (nuint)(j + 8)), j + 8, scale, offset)),
                    Level(map.Map<Simd256, Vector256<float>>(Vector256.LoadUnsafe(ref x, (nuint)(j + 16)), j + 16, scale, offset)),
                    Level(map.Map<Simd256, Vector256<float>>(Vector256.LoadUnsafe(ref x, (nuint)(j + 24)), j + 24, scale, offset)));
                leastByte = Vector256.Min(leastByte, packed);
            }

            TBytes u = Unsafe.BitCast<Vector256<sbyte>, TBytes>(Vector256.Max(packed, Vector256<sbyte>.Zero));
            s0 = TProducts.MultiplyAdd(s0, u, TProducts.Load(in w, 0));
            if (n > 1) { s1 = TProducts.MultiplyAdd(s1, u, TProducts.Load(in w, Step)); }
            if (n > 2) { s2 = TProducts.MultiplyAdd(s2, u, TProducts.Load(in w, 2 * Step)); }
            if (n > 3) { s3 = TProducts.MultiplyAdd(s3, u, TProducts.Load(in w, 3 * Step)); }
            if (n > 4) { s4 = TProducts.MultiplyAdd(s4, u, TProducts.Load(in w, 4 * Step)); }
            if (n > 5) { s5 = TProducts.MultiplyAdd(s5, u, TProducts.Load(in w, 5 * Step)); }
            if (n > 6) { s6 = TProducts.MultiplyAdd(s6, u, TProducts.Load(in w, 6 * Step)); }
            if (n > 7) { s7 = TProducts.MultiplyAdd(s7, u, TProducts.Load(in w, 7 * Step)); }
            if (n > 8) { s8 = TProducts.MultiplyAdd(s8, u, TProducts.Load(in w, 8 * Step)); }
            if (n > 9) { s9 = TProducts.MultiplyAdd(s9, u, TProducts.Load(in w, 9 * Step)); }
            if (n > 10) { s10 = TProducts.MultiplyAdd(s10, u, TProducts.Load(in w, 10 * Step)); }
            if (n > 11) { s11 = TProducts.MultiplyAdd(s11, u, TProducts.Load(in w, 11 * Step)); }
            w = ref Unsafe.Add(ref w, n * Step);
            if (j == last)
            {
                break;
            }
        }

        Vector128<int> first = TProducts.SumEach(s0, s1, s2, s3);
        Vector128<int> second = n > 4 ? TProducts.SumEach(s4, s5, s6, s7) : Vector128<int>.Zero;
        Vector128<int> third = n > 8 ? TProducts.SumEach(s8, s9, s10, s11) : Vector128<int>.Zero;
        Vector256.Create(first, second).StoreUnsafe(ref sums);
        Vector256.Create(third, Vector128<int>.Zero).StoreUnsafe(ref sums, 8);
        if (typeof(TLevels) == typeof(FromBits))
        {
            return ZeroPointMap.InRange(seen);
        }

        // A byte of −128 is a feature far below the range, or one without a level: only the levels tell which (the whole
        // steps, then the last 32 features).
        return !Vector256.EqualsAny(leastByte, Vector256.Create(sbyte.MinValue))
            || (LevelKernel.Defined<Simd256, Vector256<float>, TMap>(ref x, in map, 0, count / Step * Step)
                && LevelKernel.Defined<Simd256, Vector256<float>, TMap>(ref x, in map, last, count));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Level(Vector256<float> values) => IntegerLanes<Vector256<float>>.Levels(values).AsInt32();

    // The two ways a step's levels are found (Sums).
    private struct FromBits;

    private struct Converted;
}
