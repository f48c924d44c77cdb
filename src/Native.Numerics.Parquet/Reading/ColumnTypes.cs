using ParquetSharp;

namespace Native.Numerics.Parquet;

/// <summary>How a column's values become floats: one entry per physical type and the annotations that change its meaning.</summary>
internal enum Conversion
{
    /// <summary>A column that does not hold numbers.</summary>
    None,
    Boolean,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float,
    Double,

    /// <summary>A 16-bit IEEE float, in a two-byte FIXED_LEN_BYTE_ARRAY.</summary>
    Float16,

    /// <summary>A decimal whose unscaled value is an INT32.</summary>
    Decimal32,

    /// <summary>A decimal whose unscaled value is an INT64.</summary>
    Decimal64,

    /// <summary>A decimal whose unscaled value is big-endian two's complement in a FIXED_LEN_BYTE_ARRAY.</summary>
    DecimalFixed,

    /// <summary>A decimal whose unscaled value is big-endian two's complement in a BYTE_ARRAY.</summary>
    DecimalBytes,
}

/// <summary>What Parquet's physical and logical types mean here: a column's kind, its description, its conversion.</summary>
internal static class ColumnTypes
{
    public static ParquetColumnKind Kind(PhysicalType physical, LogicalType logical, int typeLength) =>
        Convert(physical, logical, typeLength).Conversion != Conversion.None ? ParquetColumnKind.Number
        : physical == PhysicalType.ByteArray && logical is StringLogicalType or EnumLogicalType ? ParquetColumnKind.Text
        : ParquetColumnKind.Other;

    /// <summary>The conversion of a column's values to floats, and the decimal scale where there is one.</summary>
    public static (Conversion Conversion, int Scale) Convert(PhysicalType physical, LogicalType logical, int typeLength)
    {
        int scale = logical is DecimalLogicalType d ? d.Scale : 0;
        Conversion conversion = (physical, logical) switch
        {
            (PhysicalType.Boolean, NoneLogicalType) => Conversion.Boolean,
            (PhysicalType.Int32, NoneLogicalType) => Conversion.Int32,
            (PhysicalType.Int32, IntLogicalType i) => i.IsSigned ? Conversion.Int32 : Conversion.UInt32,
            (PhysicalType.Int32, DecimalLogicalType) => Conversion.Decimal32,
            (PhysicalType.Int64, NoneLogicalType) => Conversion.Int64,
            (PhysicalType.Int64, IntLogicalType i) => i.IsSigned ? Conversion.Int64 : Conversion.UInt64,
            (PhysicalType.Int64, DecimalLogicalType) => Conversion.Decimal64,
            (PhysicalType.Float, NoneLogicalType) => Conversion.Float,
            (PhysicalType.Double, NoneLogicalType) => Conversion.Double,
            (PhysicalType.FixedLenByteArray, Float16LogicalType) when typeLength == 2 => Conversion.Float16,
            (PhysicalType.FixedLenByteArray, DecimalLogicalType) when typeLength is > 0 and <= Decimals.MaxBytes => Conversion.DecimalFixed,
            (PhysicalType.ByteArray, DecimalLogicalType) => Conversion.DecimalBytes,
            _ => Conversion.None,
        };
        return (conversion, scale);
    }

    /// <summary>The physical type and its annotation as Parquet's specification names them, for messages.</summary>
    public static string Describe(PhysicalType physical, LogicalType logical, int typeLength)
    {
        string name = physical switch
        {
            PhysicalType.Boolean => "BOOLEAN",
            PhysicalType.Int32 => "INT32",
            PhysicalType.Int64 => "INT64",
            PhysicalType.Int96 => "INT96",
            PhysicalType.Float => "FLOAT",
            PhysicalType.Double => "DOUBLE",
            PhysicalType.ByteArray => "BYTE_ARRAY",
            PhysicalType.FixedLenByteArray => ParquetSource.Invariant($"FIXED_LEN_BYTE_ARRAY({typeLength})"),
            _ => physical.ToString(),
        };
        string? annotation = logical switch
        {
            NoneLogicalType => null,
            IntLogicalType i => ParquetSource.Invariant($"Int({i.BitWidth}, {(i.IsSigned ? "signed" : "unsigned")})"),
            DecimalLogicalType d => ParquetSource.Invariant($"Decimal({d.Precision}, {d.Scale})"),
            TimestampLogicalType t => $"Timestamp({t.TimeUnit})",
            TimeLogicalType t => $"Time({t.TimeUnit})",
            _ => logical.Type.ToString(),
        };
        return annotation is null ? name : $"{name} ({annotation})";
    }
}
