using System.Globalization;
using System.Text;

namespace Native.Cli.Output;

/// <summary>
/// Line charts per epoch as SVG: small, dependency-free, readable in any browser. The axes are what a person reads
/// a training curve by: a loss axis from 0, an accuracy axis of fractions padded around the data (never a one-row
/// change stretched into a cliff), ticks at round values (0.05, 0.1, 0.2, 0.25, 0.5 …) labelled with the digits they
/// need, epoch ticks evenly spaced, markers on each epoch when there are few, and the legend above the plot, where no
/// curve runs.
/// </summary>
internal static class Charts
{
    private const int Width = 640, Height = 400, Left = 72, Right = 24, Top = 60, Bottom = 48;

    /// <summary>A named series of values, one per epoch (NaN values are skipped).</summary>
    public sealed record Series(string Name, IReadOnlyList<double> Values, string Colour);

    /// <summary>What the values are, which sets the value axis's range.</summary>
    public enum Scale
    {
        /// <summary>A loss: from 0 up to a round value above the largest.</summary>
        FromZero,

        /// <summary>A fraction in [0, 1] (accuracy): a round range padded around the data, at least 0.1 wide, within [0, 1].</summary>
        Fraction,
    }

    /// <summary>Writes a chart of <paramref name="series"/> against epochs 1…n to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, string title, string axis, Scale scale, IReadOnlyList<Series> series) =>
        AtomicFile.WriteText(path, Draw(title, axis, scale, series));

    /// <summary>The SVG text of the chart.</summary>
    internal static string Draw(string title, string axis, Scale scale, IReadOnlyList<Series> series)
    {
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        var (low, high, step) = ValueAxis(finite, scale);
        int epochs = Math.Max(1, series.Max(s => s.Values.Count));
        int epochStep = EpochStep(epochs);
        double plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;

        // One epoch sits in the middle; more span the width from the first to the last.
        double X(double epoch) => epochs == 1 ? Left + (plotWidth / 2) : Left + ((epoch - 1) * plotWidth / (epochs - 1));
        double Y(double value) => Top + ((high - value) * plotHeight / (high - low));

        var svg = new StringBuilder();
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(Invariant($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>"));
        svg.AppendLine(Invariant($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>"));

        // Value ticks and grid lines at round values, labelled with the decimals the step needs.
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        int ticks = (int)Math.Round((high - low) / step);
        for (int i = 0; i <= ticks; i++)
        {
            double value = low + (i * step);
            double y = Y(value);
            svg.AppendLine(Invariant($"<line x1=\"{Left - 4}\" y1=\"{y:F1}\" x2=\"{Width - Right}\" y2=\"{y:F1}\" stroke=\"{(i == 0 ? "black" : "#e0e0e0")}\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{Left - 8}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)}</text>"));
        }

        // Epoch ticks every epochStep epochs (every epoch when there are few), evenly spaced.
        for (int epoch = epochStep == 1 ? 1 : epochStep; epoch <= epochs; epoch += epochStep)
        {
            double x = X(epoch);
            svg.AppendLine(Invariant($"<line x1=\"{x:F1}\" y1=\"{Height - Bottom}\" x2=\"{x:F1}\" y2=\"{Height - Bottom + 4}\" stroke=\"black\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{x:F1}\" y=\"{Height - Bottom + 18}\" text-anchor=\"middle\">{epoch}</text>"));
        }

        svg.AppendLine(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>"));
        svg.AppendLine(Invariant($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">epoch</text>"));
        svg.AppendLine(Invariant($"<text x=\"18\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {(Top + Height - Bottom) / 2})\">{Escape(axis)}</text>"));

        // One line per series, with a marker on each epoch when there are few enough to see them.
        for (int s = 0; s < series.Count; s++)
        {
            var points = new StringBuilder();
            var markers = new StringBuilder();
            for (int e = 0; e < series[s].Values.Count; e++)
            {
                double v = series[s].Values[e];
                if (double.IsFinite(v))
                {
                    points.Append(Invariant($"{X(e + 1):F1},{Y(v):F1} "));
                    if (epochs <= 30)
                    {
                        markers.AppendLine(Invariant($"<circle cx=\"{X(e + 1):F1}\" cy=\"{Y(v):F1}\" r=\"3\" fill=\"{series[s].Colour}\"/>"));
                    }
                }
            }

            svg.AppendLine(Invariant($"<polyline fill=\"none\" stroke=\"{series[s].Colour}\" stroke-width=\"2\" points=\"{points.ToString().TrimEnd()}\"/>"));
            svg.Append(markers);
        }

        // The legend: a row above the plot area, right-aligned.
        double legendX = Width - Right;
        for (int s = series.Count - 1; s >= 0; s--)
        {
            double textWidth = 7 * series[s].Name.Length;
            legendX -= textWidth + 34;
            svg.AppendLine(Invariant($"<line x1=\"{legendX:F1}\" y1=\"{Top - 16}\" x2=\"{legendX + 20:F1}\" y2=\"{Top - 16}\" stroke=\"{series[s].Colour}\" stroke-width=\"2\"/>"));
            svg.AppendLine(Invariant($"<text x=\"{legendX + 26:F1}\" y=\"{Top - 12}\">{Escape(series[s].Name)}</text>"));
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>The value axis: its ends and the step between its ticks, all round numbers.</summary>
    internal static (double Low, double High, double Step) ValueAxis(IReadOnlyList<double> values, Scale scale)
    {
        if (scale == Scale.FromZero)
        {
            double top = values.Count == 0 ? 1 : Math.Max(values.Max(), 0);
            double step = NiceStep(top > 0 ? top / 5 : 0.2);
            return (0, Math.Max(step, Math.Ceiling((top / step) - 1e-9) * step), step);
        }

        // A fraction: pad the data by a tenth of its span (at least 0.05 each way), round outwards, keep within [0, 1].
        double min = values.Count == 0 ? 0 : values.Min(), max = values.Count == 0 ? 1 : values.Max();
        double pad = Math.Max(0.05, (max - min) / 10);
        double fractionStep = NiceStep(Math.Max(max - min + (2 * pad), 0.1) / 5);
        double low = Math.Max(0, Math.Floor((min - pad) / fractionStep) * fractionStep);
        double high = Math.Min(1, Math.Ceiling((max + pad) / fractionStep) * fractionStep);
        return (low, Math.Max(high, low + fractionStep), fractionStep);
    }

    /// <summary>The round step (1, 2, 2.5 or 5 × a power of ten) nearest above <paramref name="rough"/>.</summary>
    internal static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (double mantissa in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (mantissa * power >= rough * (1 - 1e-9))
            {
                return mantissa * power;
            }
        }

        return 10 * power;
    }

    /// <summary>Epochs between ticks: every epoch up to 12, else a round step (2, 5, 10, 20, 25, 50 …) giving at most about 10 ticks.</summary>
    internal static int EpochStep(int epochs)
    {
        if (epochs <= 12)
        {
            return 1;
        }

        foreach (int step in new[] { 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000 })
        {
            if (epochs / step <= 10)
            {
                return step;
            }
        }

        return (int)NiceStep(epochs / 10.0);
    }

    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
