using System.Globalization;

namespace Native.Cli.Output;

/// <summary>
/// The pictures the course shows of a linear model on images: each class's weights as an image, scaled up,
/// in a diverging palette — red where a bright pixel argues for the class, blue where it argues against,
/// white at zero.
/// </summary>
internal static class WeightImages
{
    private const int Scale = 8;

    /// <summary>
    /// Writes one PNG per class (<c>weights-class-N.png</c>) and one with all classes side by side
    /// (<c>weights-all.png</c>); returns the paths. <paramref name="weights"/> is (classes, rows × columns).
    /// </summary>
    public static IReadOnlyList<string> Write(ReadOnlySpan<float> weights, int classes, int rows, int columns, string directory)
    {
        Directory.CreateDirectory(directory);
        int pixels = rows * columns;
        var paths = new List<string>();
        int allWidth = classes * ((columns * Scale) + Scale);
        byte[] all = new byte[allWidth * rows * Scale * 3];
        all.AsSpan().Fill(255);
        for (int c = 0; c < classes; c++)
        {
            ReadOnlySpan<float> w = weights.Slice(c * pixels, pixels);

            // Each class on its own scale: ±(its largest magnitude) spans the palette.
            float limit = 1e-12f;
            foreach (float v in w)
            {
                limit = MathF.Max(limit, MathF.Abs(v));
            }

            byte[] image = new byte[columns * Scale * rows * Scale * 3];
            for (int y = 0; y < rows * Scale; y++)
            {
                for (int x = 0; x < columns * Scale; x++)
                {
                    var (r, g, b) = Diverging(w[((y / Scale) * columns) + (x / Scale)] / limit);
                    int i = ((y * columns * Scale) + x) * 3;
                    image[i] = r;
                    image[i + 1] = g;
                    image[i + 2] = b;
                    int j = ((y * allWidth) + (c * ((columns * Scale) + Scale)) + x) * 3;
                    all[j] = r;
                    all[j + 1] = g;
                    all[j + 2] = b;
                }
            }

            string path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"weights-class-{c}.png"));
            Png.Write(path, columns * Scale, rows * Scale, image);
            paths.Add(path);
        }

        string allPath = Path.Combine(directory, "weights-all.png");
        Png.Write(allPath, allWidth, rows * Scale, all);
        paths.Add(allPath);
        return paths;
    }

    // t in [−1, 1]: blue (−1) through white (0) to red (+1).
    internal static (byte R, byte G, byte B) Diverging(float t)
    {
        t = Math.Clamp(t, -1f, 1f);
        byte fade = (byte)MathF.Round(255 * (1 - MathF.Abs(t)));
        return t >= 0 ? ((byte)255, fade, fade) : (fade, fade, (byte)255);
    }
}
