using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// One-hot encoding: class c of k becomes the k floats that are 0 except a 1 at c; decoding takes each
/// row's largest entry (argmax), so it also turns predicted probabilities into classes. Allocates nothing.
/// </summary>
public static class OneHot
{
    /// <summary>
    /// Writes the one-hot rows of <paramref name="labels"/> into <paramref name="destination"/>:
    /// n × <paramref name="classes"/> floats, row-major. Every label is checked before anything is written.
    /// </summary>
    /// <param name="labels">One class per row, from 0 to <paramref name="classes"/> − 1.</param>
    /// <param name="classes">The number of classes, at least 1.</param>
    /// <param name="destination">Receives labels.Length × classes floats.</param>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0 to <paramref name="classes"/> − 1 (the message names its index), or <paramref name="classes"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/>'s length is not labels.Length × classes.</exception>
    public static void Encode(ReadOnlySpan<int> labels, int classes, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        CheckLength(destination.Length, labels.Length, classes, nameof(destination));
        int bad = labels.IndexOfAnyExceptInRange(0, classes - 1);
        if (bad >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(labels), labels[bad], $"Label {bad} is {labels[bad]}, outside the {classes} classes 0 to {classes - 1}.");
        }

        destination.Clear();
        for (int i = 0; i < labels.Length; i++)
        {
            destination[(i * classes) + labels[i]] = 1f;
        }
    }

    /// <summary>
    /// Writes the index of the largest entry of each row of <paramref name="rows"/> into
    /// <paramref name="labels"/>: the inverse of <see cref="Encode"/>, and the predicted class of each row of
    /// probabilities. A tie goes to the lower class; a row holding NaN decodes to its first NaN.
    /// </summary>
    /// <param name="rows">n × <paramref name="classes"/> floats, row-major.</param>
    /// <param name="classes">The number of classes, at least 1.</param>
    /// <param name="labels">Receives n classes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="rows"/>' length is not labels.Length × classes.</exception>
    public static void Decode(ReadOnlySpan<float> rows, int classes, Span<int> labels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        CheckLength(rows.Length, labels.Length, classes, nameof(rows));
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = TensorPrimitives.IndexOfMax(rows.Slice(i * classes, classes));
        }
    }

    private static void CheckLength(int actual, int count, int classes, string name)
    {
        if (actual != (long)count * classes)
        {
            throw new ArgumentException($"Expected {count} rows of {classes} classes = {(long)count * classes} floats in {name}, got {actual}.", name);
        }
    }
}
