using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>The pictures <c>--plots</c> writes: loss and accuracy curves, and for images each class's weights.</summary>
internal static class Plots
{
    /// <summary>Whether <paramref name="name"/> is the name of a file <see cref="Write"/> may write (so one that must not be an input).</summary>
    public static bool IsPlotName(string name) =>
        name is "loss.svg" or "accuracy.svg" or "weights.svg" || (name.StartsWith("weights-", StringComparison.Ordinal) && name.EndsWith(".png", StringComparison.Ordinal));

    public static void Write(string directory, IReadOnlyList<EpochReport> reports, IModel model, int imageRows, int imageColumns, IReadOnlyList<string> classNames, TextWriter output, bool silent)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        bool heldOut = reports.Any(r => float.IsFinite(r.ValidationLoss));

        string losses = Path.Combine(directory, "loss.svg");
        List<Charts.Series> lossSeries = [new Charts.Series("training rows", reports.Select(r => (double)r.TrainingLoss).ToList(), "#1f77b4")];
        if (heldOut)
        {
            lossSeries.Add(new Charts.Series("validation rows", reports.Select(r => (double)r.ValidationLoss).ToList(), "#d62728"));
        }

        Charts.Write(losses, $"Mean loss per epoch: {model.Shape}", "mean loss", Charts.Scale.FromZero, lossSeries);
        written.Add(losses);

        if (reports.Any(r => float.IsFinite(r.ValidationAccuracy)))
        {
            string accuracy = Path.Combine(directory, "accuracy.svg");
            Charts.Write(accuracy, $"Accuracy on the validation rows per epoch: {model.Shape}", "accuracy", Charts.Scale.Fraction,
                [new Charts.Series("validation rows", reports.Select(r => (double)r.ValidationAccuracy).ToList(), "#2ca02c")]);
            written.Add(accuracy);
        }

        // For images, a linear classifier's weights are pictures: one per class (logistic: one, for class 1 against 0).
        int pixels = imageRows * imageColumns;
        if (pixels > 0 && pixels == model.Features && model.Shape.Kind is ModelKind.SoftmaxRegression or ModelKind.LogisticRegression)
        {
            IReadOnlyList<string> captions = model.Shape.Kind == ModelKind.LogisticRegression
                ? [classNames.Count == 2 ? $"{classNames[1]} against {classNames[0]}" : "1 against 0"]
                : classNames;
            written.AddRange(WeightImages.Write(model.Parameters[..(pixels * model.Outputs)], model.Outputs, imageRows, imageColumns, captions, directory));
        }

        if (!silent)
        {
            output.WriteLine($"Plots: {string.Join(", ", written.Select(Path.GetFileName))} in {Path.GetFullPath(directory)}");
        }
    }
}
