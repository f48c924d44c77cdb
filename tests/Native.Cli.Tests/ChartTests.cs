using System.Globalization;
using System.Text.RegularExpressions;
using Native.Cli.Output;

namespace Native.Cli.Tests;

/// <summary>
/// Issue 20's plots: the value axis ran from the data's minimum to its maximum with ticks like 0.06332 (a one-row
/// change looked like a cliff), epoch ticks fell unevenly (1, 3, 5, 8, 10), the legend sat on the accuracy curve, and
/// the weight pictures had neither class labels nor a colour key.
/// </summary>
public partial class ChartTests
{
    [Theory]
    [InlineData(0.16, 0.2)]
    [InlineData(0.03, 0.05)]
    [InlineData(0.021, 0.025)]
    [InlineData(1.0, 1.0)]
    [InlineData(7.0, 10.0)]
    [InlineData(0.0012, 0.002)]
    public void StepsAreRound(double rough, double nice) => Assert.Equal(nice, Charts.NiceStep(rough), 12);

    [Fact]
    public void ALossAxisStartsAtZeroAndEndsAtARoundValue()
    {
        var (low, high, step) = Charts.ValueAxis([0.85, 0.46, 0.39, 0.28], Charts.Scale.FromZero);
        Assert.Equal((0.0, 1.0, 0.2), (low, high, Math.Round(step, 12)));
    }

    [Fact]
    public void AnAccuracyAxisIsPaddedRoundAndWithinZeroToOne()
    {
        var (low, high, step) = Charts.ValueAxis([0.856, 0.875, 0.902], Charts.Scale.Fraction);
        Assert.Equal((0.8, 1.0, 0.05), (Math.Round(low, 12), Math.Round(high, 12), Math.Round(step, 12)));

        // One row of 2,000 more right (0.9000 to 0.9005) stays a flat line: the axis spans at least a tenth.
        var (flatLow, flatHigh, _) = Charts.ValueAxis([0.9, 0.9005], Charts.Scale.Fraction);
        Assert.True(flatHigh - flatLow >= 0.1, $"{flatLow} to {flatHigh}");
        Assert.True(flatLow >= 0 && flatHigh <= 1);
    }

    [Fact]
    public void TickLabelsAreRoundValuesWithTheDigitsTheyNeed()
    {
        string svg = Charts.Draw("t", "mean loss", Charts.Scale.FromZero, [new Charts.Series("training rows", [0.06332, 0.05121, 0.04987], "#000")]);
        string[] labels = [.. ValueLabel().Matches(svg).Select(m => m.Groups[1].Value)];
        Assert.Equal(["0.00", "0.02", "0.04", "0.06", "0.08"], labels);
    }

    [Theory]
    [InlineData(10, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })]
    [InlineData(30, new[] { 5, 10, 15, 20, 25, 30 })]
    [InlineData(100, new[] { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 })]
    public void EpochTicksAreEvenlySpaced(int epochs, int[] ticks)
    {
        string svg = Charts.Draw("t", "accuracy", Charts.Scale.Fraction, [new Charts.Series("validation rows", [.. Enumerable.Range(0, epochs).Select(e => 0.8 + (e * 0.001))], "#000")]);
        var found = EpochLabel().Matches(svg).Select(m => (X: double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Epoch: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(ticks, found.Select(f => f.Epoch));
        double[] gaps = [.. found.Zip(found.Skip(1), (a, b) => b.X - a.X)];
        Assert.All(gaps, gap => Assert.Equal(gaps[0], gap, 0.15));
    }

    [Fact]
    public void TheLegendIsAboveThePlotWhereNoCurveRuns()
    {
        // Accuracy near 1 runs along the top of the plot, where the legend used to be.
        string svg = Charts.Draw("t", "accuracy", Charts.Scale.Fraction, [new Charts.Series("validation rows", [0.97, 0.99, 1.0], "#2ca02c")]);
        double legend = double.Parse(LegendLine().Match(svg).Groups[1].Value, CultureInfo.InvariantCulture);
        double highestPoint = PolylinePoints().Match(svg).Groups[1].Value.Split(' ').Min(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture));
        Assert.True(legend < highestPoint - 5, $"legend at y {legend}, curve up to y {highestPoint}");
    }

    [Fact]
    public void TheWeightPicturesAreCaptionedAndKeyed()
    {
        byte[] picture = Png.Encode(1, 1, [255, 255, 255]);
        string svg = WeightImages.Overview([picture, picture, picture], rows: 1, columns: 1, limit: 0.5f, classes: 3, ["cat", "dog", "<bird>"]);
        Assert.Contains(">cat</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">dog</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">&lt;bird&gt;</text>", svg, StringComparison.Ordinal);
        Assert.Contains("linearGradient", svg, StringComparison.Ordinal); // the colour key
        Assert.Contains(">−0.5</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">+0.5</text>", svg, StringComparison.Ordinal);
    }

    [GeneratedRegex("text-anchor=\"end\">([0-9.]+)</text>")]
    private static partial Regex ValueLabel();

    [GeneratedRegex("<text x=\"([0-9.]+)\" y=\"370\" text-anchor=\"middle\">([0-9]+)</text>")]
    private static partial Regex EpochLabel();

    [GeneratedRegex("<line x1=\"[0-9.]+\" y1=\"([0-9.]+)\" x2=\"[0-9.]+\" y2=\"[0-9.]+\" stroke=\"#2ca02c\"")]
    private static partial Regex LegendLine();

    [GeneratedRegex("<polyline [^>]*points=\"([^\"]+)\"")]
    private static partial Regex PolylinePoints();
}
