using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.Kernels;

namespace Native.Numerics.Streaming;

/// <summary>How one block of a row cache stores its features.</summary>
internal enum BlockType : byte
{
    /// <summary>4 bytes a value, the float itself.</summary>
    Float32 = 1,

    /// <summary>1 byte a value: the integer k, standing for k / divisor (the block's divisor: 1, or 255 for scaled pixels).</summary>
    Byte = 2,

    /// <summary>2 bytes a value: IEEE half precision.</summary>
    Float16 = 3,

    /// <summary>2 bytes a value: the high half of the float's bits, rounded to nearest even.</summary>
    BFloat16 = 4,
}

/// <summary>
/// Stores rows compactly and widens them back: which form a block of float rows can take exactly (bytes, with a divisor of 1
/// or 255), encoding it, and widening a stored row to floats — the gather's work, and the seam where kernels that read byte
/// rows directly will go.
/// </summary>
/// <remarks>
/// A stored row is <see cref="RowBytes"/> long: its values, then zeros to a whole number of 64-byte lines, so every row
/// starts on a line of its block (blocks start on one). Widening a byte k with divisor d gives k / d, computed as a division
/// — the same correctly rounded value a scalar <c>k / d</c> gives, so a byte block widens to exactly the floats it was
/// made from (<see cref="Dataset"/>'s IDX pixels are <c>k / 255f</c> too).
/// </remarks>
internal static class BlockCodec
{
    /// <summary>The line every stored row and block is aligned to.</summary>
    public const int Alignment = 64;

    /// <summary>The bytes one value takes in a block of <paramref name="type"/>.</summary>
    public static int ValueBytes(BlockType type) => type switch
    {
        BlockType.Float32 => 4,
        BlockType.Byte => 1,
        BlockType.Float16 or BlockType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a block type."),
    };

    /// <summary>The bytes between stored rows of <paramref name="features"/> values of <paramref name="type"/>: whole 64-byte lines.</summary>
    public static int RowBytes(BlockType type, int features) => checked(((features * ValueBytes(type)) + Alignment - 1) / Alignment * Alignment);

    /// <summary>Rounds <paramref name="bytes"/> up to a whole number of lines.</summary>
    public static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;

    /// <summary>
    /// The divisor (1 or 255) by which every value of the <paramref name="count"/> rows is an integer from 0 to 255 over
    /// it, exactly; 0 when there is none. Rows are <paramref name="stride"/> floats apart in <paramref name="rows"/>.
    /// </summary>
    public static float ByteDivisor(ReadOnlySpan<float> rows, int stride, int count, int features)
    {
        bool whole = true, scaled = true;
        for (int i = 0; i < count && (whole || scaled); i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * stride, features);
            whole = whole && AreBytes(row, 1f);
            scaled = scaled && !whole && AreBytes(row, 255f);
        }

        return whole ? 1f : scaled ? 255f : 0f;
    }

    /// <summary>Whether every value is k / <paramref name="divisor"/> for an integer k from 0 to 255, to the bit (−0 is not: it would widen to +0).</summary>
    internal static bool AreBytes(ReadOnlySpan<float> values, float divisor, SimdWidth width = default)
    {
        width = width == default ? SimdSupport.Preferred : width;
        int j = 0;
        if (width >= SimdWidth.Vector256)
        {
            var top = Vector256.Create(255u);
            var scale = Vector256.Create(divisor);
            ref float origin = ref MemoryMarshal.GetReference(values);
            for (; j <= values.Length - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref origin, (nuint)j);
                Vector256<int> k = Vector256.ConvertToInt32(Vector256.Round(v * scale));
                Vector256<float> back = Vector256.ConvertToSingle(k) / scale;
                if (!Vector256.EqualsAll(back.AsUInt32(), v.AsUInt32()) || Vector256.GreaterThanAny(k.AsUInt32(), top))
                {
                    return false;
                }
            }
        }

        for (; j < values.Length; j++)
        {
            float v = values[j];
            float rounded = MathF.Round(v * divisor);
            if (!(rounded >= 0f && rounded <= 255f) || BitConverter.SingleToUInt32Bits((float)(int)rounded / divisor) != BitConverter.SingleToUInt32Bits(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Encodes <paramref name="count"/> float rows (<paramref name="stride"/> floats apart) as <paramref name="type"/> into
    /// <paramref name="destination"/>, <see cref="RowBytes"/> a row, padding zero. Bytes need the divisor
    /// <see cref="ByteDivisor"/> found; the 16-bit forms refuse a value they cannot hold as a finite number.
    /// </summary>
    /// <returns>The row and feature of a value float16 cannot hold, or (−1, −1).</returns>
    public static (int Row, int Feature) Encode(ReadOnlySpan<float> rows, int stride, int count, int features, BlockType type, float divisor, Span<byte> destination)
    {
        int rowBytes = RowBytes(type, features);
        destination[..(count * rowBytes)].Clear();
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * stride, features);
            Span<byte> stored = destination.Slice(i * rowBytes, rowBytes);
            switch (type)
            {
                case BlockType.Float32:
                    MemoryMarshal.AsBytes(row).CopyTo(stored);
                    break;
                case BlockType.Byte:
                    for (int j = 0; j < row.Length; j++)
                    {
                        stored[j] = (byte)MathF.Round(row[j] * divisor);
                    }

                    break;
                case BlockType.Float16:
                    Span<Half> halves = MemoryMarshal.Cast<byte, Half>(stored)[..features];
                    System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(row, halves);
                    for (int j = 0; j < halves.Length; j++)
                    {
                        if (Half.IsInfinity(halves[j]))
                        {
                            return (i, j);
                        }
                    }

                    break;
                case BlockType.BFloat16:
                    Span<ushort> high = MemoryMarshal.Cast<byte, ushort>(stored)[..features];
                    for (int j = 0; j < row.Length; j++)
                    {
                        high[j] = ToBFloat16(row[j]);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(type), type, "Not a block type.");
            }
        }

        return (-1, -1);
    }

    /// <summary>The bfloat16 nearest <paramref name="value"/> (ties to even); a finite value past bfloat16's largest becomes its largest.</summary>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint rounded = bits + 0x7FFF + ((bits >> 16) & 1);
        if ((rounded & 0x7F800000) == 0x7F800000)
        {
            // Rounding a finite value up into the exponent of infinity: keep the largest finite bfloat16 of its sign.
            rounded = (bits & 0x80000000) | 0x7F7F0000;
        }

        return (ushort)(rounded >> 16);
    }

    /// <summary>
    /// Widens one stored row (<paramref name="destination"/>.Length values of <paramref name="type"/> at
    /// <paramref name="source"/>) to floats in <paramref name="destination"/>; a byte k becomes k / <paramref name="divisor"/>.
    /// </summary>
    /// <param name="source">The stored row's first byte; the row's padding may be read (it is zero).</param>
    /// <param name="type">How the row is stored.</param>
    /// <param name="divisor">A byte block's divisor.</param>
    /// <param name="destination">The floats.</param>
    /// <param name="width">The vector path (for tests; the process's by default).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Widen(ref byte source, BlockType type, float divisor, Span<float> destination, SimdWidth width = default)
    {
        width = width == default ? SimdSupport.Preferred : width;
        switch (type)
        {
            case BlockType.Byte:
                WidenBytes(ref source, divisor, destination, width);
                break;
            case BlockType.Float32:
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, float>(ref source), destination.Length).CopyTo(destination);
                break;
            case BlockType.Float16:
                System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, Half>(ref source), destination.Length), destination);
                break;
            default:
                WidenBFloat16(ref Unsafe.As<byte, ushort>(ref source), destination, width);
                break;
        }
    }

    /// <summary>Bytes to floats, each divided by <paramref name="divisor"/> (a division, so each float is exactly k / divisor).</summary>
    private static void WidenBytes(ref byte source, float divisor, Span<float> destination, SimdWidth width)
    {
        ref float target = ref MemoryMarshal.GetReference(destination);
        nint length = destination.Length, j = 0;
        if (width == SimdWidth.Vector512)
        {
            var scale = Vector512.Create(divisor);
            for (; j <= length - 64; j += 64)
            {
                (Vector512<ushort> low, Vector512<ushort> high) = Vector512.Widen(Vector512.LoadUnsafe(ref source, (nuint)j));
                (Vector512<uint> a, Vector512<uint> b) = Vector512.Widen(low);
                (Vector512<uint> c, Vector512<uint> d) = Vector512.Widen(high);
                (Vector512.ConvertToSingle(a) / scale).StoreUnsafe(ref target, (nuint)j);
                (Vector512.ConvertToSingle(b) / scale).StoreUnsafe(ref target, (nuint)(j + 16));
                (Vector512.ConvertToSingle(c) / scale).StoreUnsafe(ref target, (nuint)(j + 32));
                (Vector512.ConvertToSingle(d) / scale).StoreUnsafe(ref target, (nuint)(j + 48));
            }
        }

        if (width >= SimdWidth.Vector256)
        {
            var scale = Vector256.Create(divisor);
            for (; j <= length - 32; j += 32)
            {
                (Vector256<ushort> low, Vector256<ushort> high) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)j));
                (Vector256<uint> a, Vector256<uint> b) = Vector256.Widen(low);
                (Vector256<uint> c, Vector256<uint> d) = Vector256.Widen(high);
                (Vector256.ConvertToSingle(a) / scale).StoreUnsafe(ref target, (nuint)j);
                (Vector256.ConvertToSingle(b) / scale).StoreUnsafe(ref target, (nuint)(j + 8));
                (Vector256.ConvertToSingle(c) / scale).StoreUnsafe(ref target, (nuint)(j + 16));
                (Vector256.ConvertToSingle(d) / scale).StoreUnsafe(ref target, (nuint)(j + 24));
            }
        }

        if (width >= SimdWidth.Vector128)
        {
            var scale = Vector128.Create(divisor);
            for (; j <= length - 16; j += 16)
            {
                (Vector128<ushort> low, Vector128<ushort> high) = Vector128.Widen(Vector128.LoadUnsafe(ref source, (nuint)j));
                (Vector128<uint> a, Vector128<uint> b) = Vector128.Widen(low);
                (Vector128<uint> c, Vector128<uint> d) = Vector128.Widen(high);
                (Vector128.ConvertToSingle(a) / scale).StoreUnsafe(ref target, (nuint)j);
                (Vector128.ConvertToSingle(b) / scale).StoreUnsafe(ref target, (nuint)(j + 4));
                (Vector128.ConvertToSingle(c) / scale).StoreUnsafe(ref target, (nuint)(j + 8));
                (Vector128.ConvertToSingle(d) / scale).StoreUnsafe(ref target, (nuint)(j + 12));
            }
        }

        for (; j < length; j++)
        {
            Unsafe.Add(ref target, j) = Unsafe.Add(ref source, j) / divisor;
        }
    }

    /// <summary>bfloat16 to floats: the 16 bits become the high half of the float's.</summary>
    private static void WidenBFloat16(ref ushort source, Span<float> destination, SimdWidth width)
    {
        ref uint target = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(destination));
        nint length = destination.Length, j = 0;
        if (width >= SimdWidth.Vector256)
        {
            for (; j <= length - 16; j += 16)
            {
                (Vector256<uint> low, Vector256<uint> high) = Vector256.Widen(Vector256.LoadUnsafe(ref source, (nuint)j));
                (low << 16).StoreUnsafe(ref target, (nuint)j);
                (high << 16).StoreUnsafe(ref target, (nuint)(j + 8));
            }
        }

        for (; j < length; j++)
        {
            Unsafe.Add(ref target, j) = (uint)Unsafe.Add(ref source, j) << 16;
        }
    }
}
