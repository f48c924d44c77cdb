namespace Native.Numerics;

/// <summary>
/// The images of an IDX file as stored: <see cref="Count"/> images of <see cref="Rows"/> ×
/// <see cref="Columns"/> unsigned bytes, each image row-major, one after another.
/// </summary>
/// <remarks>Read with <see cref="Idx.ReadImages(string, IdxOptions?)"/>; MNIST images are 28 × 28 gray levels, 0 (background) to 255 (ink).</remarks>
public sealed class IdxImages
{
    private readonly byte[] _pixels;

    internal IdxImages(byte[] pixels, int count, int rows, int columns)
    {
        _pixels = pixels;
        Count = count;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>The number of pixel rows in each image.</summary>
    public int Rows { get; }

    /// <summary>The number of pixel columns in each image.</summary>
    public int Columns { get; }

    /// <summary>The number of pixels in each image: <see cref="Rows"/> × <see cref="Columns"/>.</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>Every pixel of every image: <see cref="Count"/> × <see cref="PixelsPerImage"/> bytes.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>The pixels of image <paramref name="index"/>, row-major.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an image of this file.</exception>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }
}
