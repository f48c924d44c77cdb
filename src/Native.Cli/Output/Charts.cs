using System.Globalization;
using System.Text;

namespace Native.Cli.Output;

/// <summary>Line charts per epoch as SVG: small, dependency-free, readable in any browser.</summary>
internal static class Charts
{
    private const int Width = 640, Height = 400, Left = 64, Right = 24, Top = 40, Bottom = 48;

    /// <summary>A named series of values, one per epoch (NaN values are skipped).</summary>
    public sealed record Series(string Name, IReadOnlyList<double> Values, string Colour);

    /// <summary>Writes a chart of <paramref name="series"/> against epochs 1…n to <paramref name="path"/>.</summary>
    public static void Write(string path, string title, string axis, IReadOnlyList<Series> series)
    {
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        double low = finite.Count == 0 ? 0 : finite.Min(), high = finite.Count == 0 ? 1 : finite.Max();
        if (high - low < 1e-12)
        {
            high = low + 1;
        }

        int epochs = Math.Max(2, series.Max(s => s.Values.Count));
        double X(int epoch) => Left + ((epoch - 1) * (Width - Left - Right) / (double)(epochs - 1));
        double Y(double value) => Top + ((high - value) * (Height - Top - Bottom) / (high - low));

        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>"));
        svg.AppendLine(Invariant($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>"));

        // Axes with five ticks each way.
        svg.AppendLine(Invariant($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>"));
        svg.AppendLine(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>"));
        for (int i = 0; i <= 4; i++)
        {
            double value = low + ((high - low) * i / 4);
            double y = Y(value);
            svg.AppendLine(Invariant($"<line x1=\"{Left - 4}\" y1=\"{y:F1}\" x2=\"{Width - Right}\" y2=\"{y:F1}\" stroke=\"#ddd\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{Left - 8}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{value:G4}</text>"));
            int epoch = 1 + (int)Math.Round((epochs - 1) * i / 4.0);
            svg.AppendLine(Invariant($"<text x=\"{X(epoch):F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{epoch}</text>"));
        }

        svg.AppendLine(Invariant($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">epoch</text>"));
        svg.AppendLine(Invariant($"<text x=\"16\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {(Top + Height - Bottom) / 2})\">{Escape(axis)}</text>"));

        // One polyline per series, and a legend.
        for (int s = 0; s < series.Count; s++)
        {
            var points = new StringBuilder();
            for (int e = 0; e < series[s].Values.Count; e++)
            {
                double v = series[s].Values[e];
                if (double.IsFinite(v))
                {
                    points.Append(Invariant($"{X(e + 1):F1},{Y(v):F1} "));
                }
            }

            svg.AppendLine(Invariant($"<polyline fill=\"none\" stroke=\"{series[s].Colour}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>"));
            int legendY = Top + 8 + (s * 16);
            svg.AppendLine(Invariant($"<line x1=\"{Width - Right - 150}\" y1=\"{legendY}\" x2=\"{Width - Right - 130}\" y2=\"{legendY}\" stroke=\"{series[s].Colour}\" stroke-width=\"2\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{Width - Right - 124}\" y=\"{legendY + 4}\">{Escape(series[s].Name)}</text>"));
        }

        svg.AppendLine("</svg>");
        File.WriteAllText(path, svg.ToString());
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
