using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// The argument checks of <see cref="Activations"/>, <see cref="Losses"/> and <see cref="Information"/>.
/// Each check is a compare inlined into the caller; the throw sits in a separate method, so the hot path
/// carries no exception-building code.
/// </summary>
internal static class FunctionGuards
{
    /// <summary>Throws unless the two lengths are equal; the message names both parameters and both lengths.</summary>
    public static void SameLength(int firstLength, string firstName, int secondLength, string secondName)
    {
        if (firstLength != secondLength)
        {
            ThrowLengthMismatch(firstLength, firstName, secondLength, secondName);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="destination"/> is the same memory as <paramref name="source"/> or does
    /// not overlap it at all: an element-wise pass may run in place, but a shifted overlap would read
    /// elements it has already overwritten.
    /// </summary>
    public static void NoPartialOverlap(ReadOnlySpan<float> source, string sourceName, ReadOnlySpan<float> destination, string destinationName)
    {
        if (source.Overlaps(destination, out int offset) && offset != 0)
        {
            ThrowPartialOverlap(sourceName, destinationName);
        }
    }

    /// <summary>Throws when <paramref name="length"/> is 0, for functions with no value on an empty input.</summary>
    public static void NotEmpty(int length, string name)
    {
        if (length == 0)
        {
            ThrowEmpty(name);
        }
    }

    /// <summary>Throws unless <paramref name="label"/> is a class index of <paramref name="classes"/> classes.</summary>
    public static void ClassLabel(int label, int classes, string name)
    {
        if ((uint)label >= (uint)classes)
        {
            ThrowLabel(label, classes, name);
        }
    }

    /// <summary>Throws unless <paramref name="value"/> lies in [0, 1] (NaN does not).</summary>
    public static void UnitInterval(float value, string name)
    {
        if (!(value >= 0f && value <= 1f))
        {
            ThrowNotInUnitInterval(value, name);
        }
    }

    /// <summary>Throws unless <paramref name="value"/>, the entry <paramref name="index"/> of <paramref name="name"/>, lies in [0, 1].</summary>
    public static void UnitInterval(float value, string name, int index)
    {
        if (!(value >= 0f && value <= 1f))
        {
            ThrowNotInUnitInterval(value, name, index);
        }
    }

    /// <summary>Throws unless <paramref name="value"/>, the entry <paramref name="index"/> of <paramref name="name"/>, is finite and not negative.</summary>
    public static void FiniteNonNegative(float value, string name, int index)
    {
        // Written so NaN fails too: NaN >= 0 is false.
        if (!(value >= 0f && value < float.PositiveInfinity))
        {
            ThrowNotFiniteNonNegative(value, name, index);
        }
    }

    /// <summary>Throws unless <paramref name="logBase"/> is a valid base of logarithms: finite, above 0 and not 1.</summary>
    public static void LogarithmBase(double logBase, string name)
    {
        if (!(logBase > 0 && logBase < double.PositiveInfinity) || logBase == 1)
        {
            ThrowBadBase(logBase, name);
        }
    }

    [DoesNotReturn]
    private static void ThrowLengthMismatch(int firstLength, string firstName, int secondLength, string secondName) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{firstName} has length {firstLength} but {secondName} has length {secondLength}."),
            secondName);

    [DoesNotReturn]
    private static void ThrowPartialOverlap(string sourceName, string destinationName) =>
        throw new ArgumentException(
            $"{destinationName} overlaps {sourceName} at a different start; it must be the same span (in place) or not overlap it.",
            destinationName);

    [DoesNotReturn]
    private static void ThrowEmpty(string name) =>
        throw new ArgumentException($"{name} is empty; the function is undefined on no elements.", name);

    [DoesNotReturn]
    private static void ThrowLabel(int label, int classes, string name) =>
        throw new ArgumentOutOfRangeException(
            name,
            label,
            string.Create(CultureInfo.InvariantCulture, $"{name} must be a class index in [0, {classes}), but is {label}."));

    [DoesNotReturn]
    private static void ThrowNotInUnitInterval(float value, string name) =>
        throw new ArgumentOutOfRangeException(
            name,
            value,
            string.Create(CultureInfo.InvariantCulture, $"{name} must lie in [0, 1], but is {value}."));

    [DoesNotReturn]
    private static void ThrowNotInUnitInterval(float value, string name, int index) =>
        throw new ArgumentOutOfRangeException(
            name,
            value,
            string.Create(CultureInfo.InvariantCulture, $"{name}[{index}] is {value}; every entry must lie in [0, 1]."));

    [DoesNotReturn]
    private static void ThrowNotFiniteNonNegative(float value, string name, int index) =>
        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"{name}[{index}] is {value}; every entry must be finite and not negative."),
            name);

    [DoesNotReturn]
    private static void ThrowBadBase(double logBase, string name) =>
        throw new ArgumentOutOfRangeException(
            name,
            logBase,
            string.Create(CultureInfo.InvariantCulture, $"{name} must be finite, greater than 0 and not 1, but is {logBase}."));
}
