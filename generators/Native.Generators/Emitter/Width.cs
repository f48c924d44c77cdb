using System.Collections.Generic;

namespace Native.Generators.Emitter;

/// <summary>
/// One vector width the emitted kernels run at, and how to spell its operations: Vector512, Vector256 and
/// Vector128 of float, or plain floats for the scalar path. Kernels are written once against this and come out
/// as ordinary code at each width.
/// </summary>
internal sealed class Width
{
    public static readonly Width Vector512 = new("Vector512", 16, "(" + Intrinsics + ".Vector512.IsHardwareAccelerated || " + Intrinsics + ".X86.Avx512F.IsSupported)");
    public static readonly Width Vector256 = new("Vector256", 8, Intrinsics + ".Vector256.IsHardwareAccelerated");
    public static readonly Width Vector128 = new("Vector128", 4, Intrinsics + ".Vector128.IsHardwareAccelerated");
    public static readonly Width Scalar = new("Scalar", 1, "true");

    /// <summary>The paths in the order they are tried: the widest the hardware runs wins.</summary>
    public static readonly IReadOnlyList<Width> Paths = [Vector512, Vector256, Vector128, Scalar];

    private const string Intrinsics = "global::System.Runtime.Intrinsics";
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    private Width(string name, int lanes, string condition)
    {
        Name = name;
        Lanes = lanes;
        Condition = condition;
    }

    /// <summary>The suffix of kernel names at this width.</summary>
    public string Name { get; }

    /// <summary>Floats per vector (1 for the scalar path).</summary>
    public int Lanes { get; }

    /// <summary>The JIT-time constant that selects this path.</summary>
    public string Condition { get; }

    public bool IsScalar => Lanes == 1;

    /// <summary>The vector type: <c>Vector512&lt;float&gt;</c>, or <c>float</c>.</summary>
    public string Vector => IsScalar ? "float" : Intrinsics + "." + Name + "<float>";

    /// <summary>The static class of the vector type's operations.</summary>
    public string Api => Intrinsics + "." + Name;

    public string Zero => IsScalar ? "0f" : Vector + ".Zero";

    public string One => IsScalar ? "1f" : Vector + ".One";

    /// <summary>The widest width that both the hardware path <paramref name="path"/> runs and a row of <paramref name="length"/> floats fills.</summary>
    public static Width Fit(Width path, int length)
    {
        foreach (Width width in Paths)
        {
            if (width.Lanes <= path.Lanes && width.Lanes <= length)
            {
                return width;
            }
        }

        return Scalar;
    }

    /// <summary>Loads a vector (or a float) from <paramref name="reference"/> + <paramref name="offset"/> floats, unchecked.</summary>
    public string Load(string reference, string offset) => IsScalar
        ? Unsafe + ".Add(ref " + reference + ", " + offset + ")"
        : Api + ".LoadUnsafe(ref " + reference + ", " + offset + ")";

    /// <summary>The statement that stores <paramref name="value"/> at <paramref name="reference"/> + <paramref name="offset"/> floats.</summary>
    public string Store(string value, string reference, string offset) => IsScalar
        ? Unsafe + ".Add(ref " + reference + ", " + offset + ") = " + value + ";"
        : Api + ".StoreUnsafe(" + value + ", ref " + reference + ", " + offset + ");";

    /// <summary>A vector with every lane <paramref name="value"/>.</summary>
    public string Broadcast(string value) => IsScalar ? value : Api + ".Create(" + value + ")";

    /// <summary>The statement <paramref name="accumulator"/> += <paramref name="left"/> × <paramref name="right"/>, fused where the hardware can.</summary>
    public string Accumulate(string accumulator, string left, string right) => IsScalar
        ? accumulator + " += " + left + " * " + right + ";"
        : accumulator + " = " + Api + ".MultiplyAddEstimate(" + left + ", " + right + ", " + accumulator + ");";

    /// <summary><paramref name="left"/> × <paramref name="right"/> + <paramref name="addend"/>, fused where the hardware can.</summary>
    public string MultiplyAdd(string left, string right, string addend) => IsScalar
        ? "(" + left + " * " + right + ") + " + addend
        : Api + ".MultiplyAddEstimate(" + left + ", " + right + ", " + addend + ")";

    /// <summary>The sum of the lanes of <paramref name="vector"/>.</summary>
    public string Sum(string vector) => IsScalar ? vector : "HorizontalSum(" + vector + ")";

    /// <summary>A mask keeping lanes <paramref name="first"/> and up: zeroes the lanes an overlapping final vector has already counted.</summary>
    public string LanesFrom(int first) =>
        Api + ".AsSingle(" + Api + ".GreaterThanOrEqual(" + Intrinsics + "." + Name + "<int>.Indices, " + Api + ".Create(" + first + ")))";

    /// <summary>A mask keeping lanes below <paramref name="count"/>.</summary>
    public string LanesBelow(int count) => LanesBelow(count.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A mask keeping lanes below the int expression <paramref name="count"/>.</summary>
    public string LanesBelow(string count) =>
        Api + ".AsSingle(" + Api + ".LessThan(" + Intrinsics + "." + Name + "<int>.Indices, " + Api + ".Create(" + count + ")))";
}
