using System.Globalization;
using System.Text;

namespace Native.Cli.Output;

/// <summary>
/// The pictures the course shows of a linear model on images: each class's weights as an image in a diverging
/// palette — red where a bright pixel argues for the class, blue where it argues against, white at zero — all classes
/// on one scale, so their colours compare, and that scale drawn as a key.
/// </summary>
internal static class WeightImages
{
    /// <summary>Screen pixels per image pixel in the PNG files.</summary>
    private const int Scale = 8;

    /// <summary>The size of each class's picture in the SVG overview, and the gap around it.</summary>
    private const int Tile = 112, Gap = 16, Caption = 20, KeyHeight = 14;

    /// <summary>
    /// Writes one PNG per class (<c>weights-class-N.png</c>) and <c>weights.svg</c>: every class side by side, each
    /// captioned with its name, above a colour key. <paramref name="weights"/> is (classes, rows × columns).
    /// Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(ReadOnlySpan<float> weights, int classes, int rows, int columns, IReadOnlyList<string> classNames, string directory)
    {
        Directory.CreateDirectory(directory);
        int pixels = rows * columns;

        // One scale for every class: ±(the largest magnitude) spans the palette.
        float limit = 1e-12f;
        foreach (float v in weights[..(classes * pixels)])
        {
            limit = MathF.Max(limit, MathF.Abs(v));
        }

        var paths = new List<string>();
        var pictures = new List<byte[]>();
        for (int c = 0; c < classes; c++)
        {
            ReadOnlySpan<float> w = weights.Slice(c * pixels, pixels);
            byte[] image = Picture(w, rows, columns, limit, Scale);
            string path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"weights-class-{c}.png"));
            Png.Write(path, columns * Scale, rows * Scale, image);
            paths.Add(path);
            pictures.Add(Png.Encode(columns, rows, Picture(w, rows, columns, limit, 1)));
        }

        string overview = Path.Combine(directory, "weights.svg");
        AtomicFile.WriteText(overview, Overview(pictures, rows, columns, limit, classes, classNames));
        paths.Add(overview);
        return paths;
    }

    /// <summary>The SVG of every class's picture, captioned, in rows of at most ten, with the colour key below.</summary>
    internal static string Overview(IReadOnlyList<byte[]> pictures, int rows, int columns, float limit, int classes, IReadOnlyList<string> classNames)
    {
        int perRow = Math.Min(classes, 10);
        int tileHeight = (int)Math.Round(Tile * rows / (double)Math.Max(rows, columns)), tileWidth = (int)Math.Round(Tile * columns / (double)Math.Max(rows, columns));
        int gridRows = (classes + perRow - 1) / perRow;
        int width = Math.Max(Gap + (perRow * (tileWidth + Gap)), 420);
        int keyTop = 40 + (gridRows * (tileHeight + Caption + Gap)) + 8;
        int height = keyTop + KeyHeight + 40;

        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"13\">"));
        svg.AppendLine(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        svg.AppendLine(Invariant($"<text x=\"{width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">Each class's weight on each pixel</text>"));
        for (int c = 0; c < classes; c++)
        {
            int x = Gap + (c % perRow * (tileWidth + Gap)), y = 40 + (c / perRow * (tileHeight + Caption + Gap));
            string name = c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
            svg.AppendLine(Invariant($"<image x=\"{x}\" y=\"{y}\" width=\"{tileWidth}\" height=\"{tileHeight}\" style=\"image-rendering:pixelated\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,{Convert.ToBase64String(pictures[c])}\"/>"));
            svg.AppendLine(Invariant($"<rect x=\"{x}\" y=\"{y}\" width=\"{tileWidth}\" height=\"{tileHeight}\" fill=\"none\" stroke=\"#999\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{x + (tileWidth / 2)}\" y=\"{y + tileHeight + 15}\" text-anchor=\"middle\">{Escape(Printable.Text(name))}</text>"));
        }

        // The key: the palette from −limit (blue) through 0 (white) to +limit (red), with its three values.
        int keyLeft = (width - 300) / 2;
        svg.AppendLine("<defs><linearGradient id=\"palette\"><stop offset=\"0\" stop-color=\"rgb(0,0,255)\"/><stop offset=\"0.5\" stop-color=\"rgb(255,255,255)\"/><stop offset=\"1\" stop-color=\"rgb(255,0,0)\"/></linearGradient></defs>");
        svg.AppendLine(Invariant($"<rect x=\"{keyLeft}\" y=\"{keyTop}\" width=\"300\" height=\"{KeyHeight}\" fill=\"url(#palette)\" stroke=\"#999\"/>"));
        string value = limit.ToString("G3", CultureInfo.InvariantCulture);
        svg.AppendLine(Invariant($"<text x=\"{keyLeft}\" y=\"{keyTop + KeyHeight + 16}\" text-anchor=\"middle\">−{value}</text>"));
        svg.AppendLine(Invariant($"<text x=\"{keyLeft + 150}\" y=\"{keyTop + KeyHeight + 16}\" text-anchor=\"middle\">0</text>"));
        svg.AppendLine(Invariant($"<text x=\"{keyLeft + 300}\" y=\"{keyTop + KeyHeight + 16}\" text-anchor=\"middle\">+{value}</text>"));
        svg.AppendLine(Invariant($"<text x=\"{keyLeft - 10}\" y=\"{keyTop + 11}\" text-anchor=\"end\">against the class</text>"));
        svg.AppendLine(Invariant($"<text x=\"{keyLeft + 310}\" y=\"{keyTop + 11}\">for it</text>"));
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>RGB bytes of one class's weights, each pixel drawn as a <paramref name="scale"/> × <paramref name="scale"/> square.</summary>
    private static byte[] Picture(ReadOnlySpan<float> w, int rows, int columns, float limit, int scale)
    {
        byte[] image = new byte[columns * scale * rows * scale * 3];
        for (int y = 0; y < rows * scale; y++)
        {
            for (int x = 0; x < columns * scale; x++)
            {
                var (r, g, b) = Diverging(w[((y / scale) * columns) + (x / scale)] / limit);
                int i = ((y * columns * scale) + x) * 3;
                image[i] = r;
                image[i + 1] = g;
                image[i + 2] = b;
            }
        }

        return image;
    }

    // t in [−1, 1]: blue (−1) through white (0) to red (+1).
    internal static (byte R, byte G, byte B) Diverging(float t)
    {
        t = Math.Clamp(t, -1f, 1f);
        byte fade = (byte)MathF.Round(255 * (1 - MathF.Abs(t)));
        return t >= 0 ? ((byte)255, fade, fade) : (fade, fade, (byte)255);
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
