using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// Reports each epoch: one JSON object per epoch with <c>--json</c>; on a terminal one status line
/// rewritten in place; otherwise one plain line per epoch; nothing with <c>--quiet</c> (JSON or not). Keeps the
/// reports for the plots.
/// </summary>
internal sealed class EpochPrinter(CliContext context, bool json, bool quiet) : ITrainingCallback
{
    private readonly List<EpochReport> _reports = [];
    private bool _statusLineOpen;

    public IReadOnlyList<EpochReport> Reports => _reports;

    /// <summary>
    /// The targets' standardization, when the model trains on standardized targets: one target's losses are shown in its
    /// own units (× σ²), as an unstandardized run shows them; several targets' are the standardized targets' mean, said once.
    /// </summary>
    public TargetStandardizer? Targets { get; init; }

    public TrainingDecision OnEpoch(in EpochReport original)
    {
        EpochReport report = original;
        if (Targets is { Targets: 1 } one)
        {
            float factor = one.StandardDeviations[0] * one.StandardDeviations[0];
            report = report with { TrainingLoss = report.TrainingLoss * factor, ValidationLoss = report.ValidationLoss * factor };
        }
        else if (Targets is not null && _reports.Count == 0 && !json && !quiet)
        {
            context.Out.WriteLine($"The {Targets.Targets} targets train standardized: each epoch's loss is their mean squared error in standard deviations.");
        }

        _reports.Add(report);
        if (json && !quiet)
        {
            EpochReport r = report;
            JsonLines.Write(context.Out, writer =>
            {
                writer.WriteNumber("epoch", r.Epoch);
                writer.Number("train_loss", r.TrainingLoss);
                writer.Number("val_loss", r.ValidationLoss);
                writer.Number("val_accuracy", r.ValidationAccuracy);
                writer.Number("learning_rate", r.LearningRate);
                writer.Number("elapsed_ms", r.Elapsed.TotalMilliseconds);
                writer.Number("rows_per_second", r.RowsPerSecond);
            });
        }
        else if (!quiet)
        {
            string line = Format(report);
            if (context.Terminal)
            {
                // Rewrite the status line in place: carriage return, the line, then clear to its end.
                context.Out.Write($"\r{line}\u001b[K");
                _statusLineOpen = true;
            }
            else
            {
                context.Out.WriteLine(line);
            }
        }

        // Each epoch shows as it ends, whatever buffers standard output.
        context.Out.Flush();
        return TrainingDecision.Continue;
    }

    /// <summary>Ends the status line, if one is open.</summary>
    public void Finish()
    {
        if (_statusLineOpen)
        {
            context.Out.WriteLine();
            _statusLineOpen = false;
        }
    }

    internal static string Format(in EpochReport r)
    {
        string width = r.Epochs.ToString(CultureInfo.InvariantCulture);
        string text = string.Create(CultureInfo.InvariantCulture, $"epoch {r.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width.Length)}/{width}  loss {r.TrainingLoss:F4}");
        if (float.IsFinite(r.ValidationLoss))
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  val loss {r.ValidationLoss:F4}");
        }

        if (float.IsFinite(r.ValidationAccuracy))
        {
            text += string.Create(CultureInfo.InvariantCulture, $"  val acc {r.ValidationAccuracy:0.00%}");
        }

        return text + string.Create(CultureInfo.InvariantCulture, $"  lr {r.LearningRate:G4}  {Milliseconds(r.Elapsed)} ms  {r.RowsPerSecond:N0} rows/s");
    }

    /// <summary>An epoch's time: whole milliseconds from 10 ms, two decimals below (a small table's epoch read "0 ms").</summary>
    internal static string Milliseconds(TimeSpan elapsed)
    {
        double ms = elapsed.TotalMilliseconds;
        return ms.ToString(ms < 9.995 ? "F2" : "F0", CultureInfo.InvariantCulture);
    }
}
