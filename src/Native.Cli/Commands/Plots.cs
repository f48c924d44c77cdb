using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>The pictures <c>--plots</c> writes: loss and accuracy curves, and for images each class's weights.</summary>
internal static class Plots
{
    public static void Write(string directory, IReadOnlyList<EpochReport> reports, IModel model, int imageRows, int imageColumns, TextWriter output, bool silent)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();

        string losses = Path.Combine(directory, "loss.svg");
        List<Charts.Series> lossSeries = [new Charts.Series("training", reports.Select(r => (double)r.TrainingLoss).ToList(), "#1f77b4")];
        if (reports.Any(r => float.IsFinite(r.ValidationLoss)))
        {
            lossSeries.Add(new Charts.Series("validation", reports.Select(r => (double)r.ValidationLoss).ToList(), "#d62728"));
        }

        Charts.Write(losses, $"Loss per epoch: {model.Shape}", "mean loss", lossSeries);
        written.Add(losses);

        if (reports.Any(r => float.IsFinite(r.ValidationAccuracy)))
        {
            string accuracy = Path.Combine(directory, "accuracy.svg");
            Charts.Write(accuracy, $"Validation accuracy per epoch: {model.Shape}", "accuracy",
                [new Charts.Series("validation", reports.Select(r => (double)r.ValidationAccuracy).ToList(), "#2ca02c")]);
            written.Add(accuracy);
        }

        // For images, a linear classifier's weights are pictures: one per class (logistic: one).
        int pixels = imageRows * imageColumns;
        if (pixels > 0 && pixels == model.Features && model.Shape.Kind is ModelKind.SoftmaxRegression or ModelKind.LogisticRegression)
        {
            written.AddRange(WeightImages.Write(model.Parameters[..(pixels * model.Outputs)], model.Outputs, imageRows, imageColumns, directory));
        }

        if (!silent)
        {
            output.WriteLine($"Plots: {string.Join(", ", written.Select(Path.GetFileName))} in {Path.GetFullPath(directory)}");
        }
    }
}
