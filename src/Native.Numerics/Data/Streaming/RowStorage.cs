namespace Native.Numerics;

/// <summary>How a <see cref="RowSource"/> stores rows that are not all small integers (those are stored as bytes unless <see cref="Float32"/> says otherwise).</summary>
/// <remarks>
/// Rows are stored a block at a time (a few hundred rows), each block in the most compact form that holds its values
/// exactly: a block whose every feature is an integer from 0 to 255 (pixels, counts, one-hot columns), or such an integer
/// divided by 255 (pixels scaled to [0, 1]), is stored as one byte a value, a quarter of a float's size. Other blocks are
/// stored as this says. Every value is widened back to the float it was (or, for the 16-bit forms, to the nearest one they
/// hold) when a batch is gathered.
/// </remarks>
public enum RowStorage
{
    /// <summary>Bytes where a block's values allow it, else 32-bit floats: every value kept exactly. The default.</summary>
    Automatic,

    /// <summary>32-bit floats for every block, even those of small integers.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "float32 is the name data tools give this storage (NumPy's and PyTorch's dtypes), beside Float16 and BFloat16.")]
    Float32,

    /// <summary>
    /// Bytes where a block's values allow it, else IEEE half-precision floats: 11 significant bits (about 3 decimal
    /// digits) and a range of ±65,504; a value beyond it is refused. Half the bytes of floats, for data that does not need
    /// more precision.
    /// </summary>
    Float16,

    /// <summary>
    /// Bytes where a block's values allow it, else bfloat16: a float's range with 8 significant bits (about 2 decimal
    /// digits), rounded to nearest. Half the bytes of floats, for data with a wide range and little precision.
    /// </summary>
    BFloat16,
}
