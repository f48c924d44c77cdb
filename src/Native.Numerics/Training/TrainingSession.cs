using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// A training run driven one epoch at a time, from <see cref="Trainer.Begin(Dataset, Dataset?)"/> (or its row-source and
/// checkpoint forms). Every buffer is sized when the session starts; <see cref="RunEpoch"/> allocates nothing.
/// </summary>
public sealed partial class TrainingSession : IDisposable
{
    private readonly IModel _model;
    private readonly Optimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly TrainingRows _rows;
    private readonly Dataset? _validation;
    private readonly RowSource? _validationRows;
    private readonly float[] _gradient;
    private readonly float[] _lastFinite;
    private readonly float[]? _epochGradient;

    // A byte row widened for Measure's one-row forward passes (float rows are read in place).
    private readonly float[] _row;
    private readonly StepStrategy _steps;
    private readonly float _initialRate;
    private readonly long _started;
    private bool _disposed;

    /// <summary>The mean loss of the first batch, before any step: where training started (NaN until known).</summary>
    private double _startingLoss = double.NaN;

    /// <summary>The best mean loss so far: the starting loss, or an epoch's.</summary>
    private double _bestLoss = double.PositiveInfinity;

    internal TrainingSession(IModel model, Optimizer optimizer, TrainerOptions options, TrainingRows rows, Dataset? validation, RowSource? validationRows)
    {
        // One session per model and optimizer at a time, released when disposed (or here, if the session cannot start).
        TrainingClaims.Take(model, optimizer);
        try
        {
            _model = model;
            _optimizer = optimizer;
            _options = options;
            _rows = rows;
            _validation = validation;
            _validationRows = validationRows;
            int parameters = model.Parameters.Length;
            _gradient = new float[parameters];
            _lastFinite = new float[parameters];
            _epochGradient = options.GradientTolerance > 0f ? new float[parameters] : null;
            Outputs = new float[model.Outputs];
            _row = new float[model.Features];
            Best = options.Patience > 0 ? new BestEpoch(parameters) : null;
            if (validationRows is not null)
            {
                _measuring = new RowMeasure(validationRows);
            }

            optimizer.Bind(parameters);
            _initialRate = optimizer.LearningRate;

            // How each batch's step is taken, chosen once from what the model and the optimizer declare.
            _steps = StepStrategy.Choose(model, optimizer, options, rows.Data, rows.Weights, _gradient, rows.BatchRows, SliceRows(parameters));
        }
        catch
        {
            TrainingClaims.Release(model, optimizer);
            rows.Dispose();
            throw;
        }

        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>The epochs completed so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>The time since the session started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>The bytes the gradient worker threads (and a streamed source's loader) have allocated (for tests; 0 without them).</summary>
    internal long WorkerAllocatedBytes => _steps.WorkerAllocatedBytes + (_rows is StreamedRows streamed ? streamed.ProducerAllocatedBytes : 0);

    /// <summary>The gradient worker threads now blocked waiting for work (for tests; 0 without workers).</summary>
    internal int IdleWorkers => _steps.IdleWorkers;

    /// <summary>How each batch's step is taken (for tests).</summary>
    internal StepStrategy Steps => _steps;

    /// <summary>Where the batches come from (for tests).</summary>
    internal TrainingRows Rows => _rows;

    /// <summary>Early stopping's best epoch so far (with <see cref="TrainerOptions.Patience"/>), kept here so a checkpoint holds it.</summary>
    internal BestEpoch? Best { get; }

    /// <summary>Scratch for one row's outputs, for measuring accuracy.</summary>
    private float[] Outputs { get; }

    /// <summary>
    /// Runs the next epoch: sets the learning rate from the schedule, visits every training row once in
    /// batches (in a fresh seeded order if shuffling), takes one optimizer step per batch, then measures the
    /// validation set if there is one.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A loss or parameter became NaN or infinite; the parameters of the previous epoch are restored.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (checked before each batch).</exception>
    public EpochReport RunEpoch(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int epoch = Epoch + 1;
        long epochStarted = Stopwatch.GetTimestamp();
        float rate = _options.Schedule.LearningRate(epoch - 1, _initialRate);
        _optimizer.LearningRate = rate;
        Span<float> parameters = _model.Parameters;

        // A run resumed within this epoch starts where its checkpoint was taken, with the epoch's sums so far.
        (long skip, double lossSum, double weightSum) = TakeResumePoint(parameters);
        _rows.Start(epoch, skip);
        try
        {
            (lossSum, weightSum) = Pass(epoch, skip, rate, lossSum, weightSum, cancellationToken);
            if (parameters.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) >= 0)
            {
                throw new TrainingDivergedException(epoch, rate, "a parameter became NaN or infinite");
            }
        }
        catch (TrainingDivergedException)
        {
            _lastFinite.CopyTo(parameters);
            throw;
        }

        double meanLoss = lossSum / weightSum;
        if (Diverged(meanLoss))
        {
            _lastFinite.CopyTo(parameters);
            throw new TrainingDivergedException(epoch, rate, string.Create(CultureInfo.InvariantCulture, $"the mean loss rose to {meanLoss:G3}, more than {_options.DivergenceFactor:G} times its best ({_bestLoss:G3}) and above where training started ({_startingLoss:G3})"));
        }

        _bestLoss = Math.Min(_bestLoss, meanLoss);
        Epoch = epoch;
        TimeSpan trainingTime = Stopwatch.GetElapsedTime(epochStarted);
        float gradientNorm = _epochGradient is null ? float.NaN : (float)(TensorPrimitives.Norm(_epochGradient) / weightSum);
        (float Loss, float Accuracy) measured = MeasureValidation();
        return new EpochReport(
            epoch,
            _options.Epochs,
            (float)(lossSum / weightSum),
            measured.Loss,
            measured.Accuracy,
            rate,
            gradientNorm,
            Stopwatch.GetElapsedTime(epochStarted),
            Elapsed,
            (_rows.Count - (skip * _rows.BatchRows)) / Math.Max(trainingTime.TotalSeconds, 1e-9));
    }

    /// <summary>Stops the worker threads and restores the optimizer's initial learning rate.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _steps.Dispose();
            _rows.Dispose();
            _optimizer.LearningRate = _initialRate;
            TrainingClaims.Release(_model, _optimizer);
        }
    }

    /// <summary>Whether an epoch's mean loss has grown past the divergence factor times the best, and past the start.</summary>
    private bool Diverged(double meanLoss) =>
        _options.DivergenceFactor > 0f && meanLoss > _options.DivergenceFactor * _bestLoss && meanLoss > _startingLoss;

    /// <summary>
    /// The rows of one slice: a large batch's gradient is taken a slice at a time, the cancellation token checked
    /// between slices, so Ctrl+C stops even a full-batch step of a large model within a fraction of a second. A
    /// slice does about 2²⁶ multiply-adds (tens of milliseconds), in whole chunks of 64 rows.
    /// </summary>
    private static int SliceRows(int parameters) => Math.Max(64, (int)Math.Min(1 << 16, (1 << 26) / Math.Max(1, parameters)) / 64 * 64);

    /// <summary>The validation set's mean loss and accuracy, or NaNs without one.</summary>
    internal (float Loss, float Accuracy) MeasureValidation() =>
        _validation is not null ? Measure(_validation) : _measuring is not null ? _measuring.Measure(_model, Outputs) : (float.NaN, float.NaN);

    /// <summary>The mean loss and the accuracy (NaN for regression) of the model on <paramref name="data"/>.</summary>
    internal (float Loss, float Accuracy) Measure(Dataset data)
    {
        if (data.Count == 0)
        {
            return (float.NaN, float.NaN);
        }

        double weight = data.StoredWeights.IsEmpty ? data.Count
            : data.StoredRows.IsEmpty ? RowWeights.Total(data.StoredWeights) : RowWeights.Of(data.StoredRows, data.StoredWeights);
        float loss = (float)(_model.Loss(Batch.FromDataset(data)) / weight);
        if (_model.Task == ModelTask.Regression)
        {
            return (loss, float.NaN);
        }

        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            if (Predicted(_model, data.Row(i, _row), Outputs) == data.LabelAt(i))
            {
                correct++;
            }
        }

        return (loss, correct / (float)data.Count);
    }

    /// <summary>The class the model gives <paramref name="row"/>, its outputs written to <paramref name="outputs"/>.</summary>
    private static int Predicted(IModel model, ReadOnlySpan<float> row, float[] outputs)
    {
        model.Forward(row, outputs);
        return model.Task == ModelTask.BinaryClassification
            ? (outputs[0] >= 0.5f ? 1 : 0)
            : TensorPrimitives.IndexOfMax(outputs);
    }

    // The rest of one pass over the training rows, from batch `skip`, a batch at a time: the gradient, the loss checked,
    // then the step; a checkpoint between steps when one is due.
    private (double Loss, double Weight) Pass(int epoch, long skip, float rate, double lossSum, double weightSum, CancellationToken cancellationToken)
    {
        long batches = skip;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_rows.Next(cancellationToken, out int[] order, out int start, out int rows))
            {
                break;
            }

            double batchWeight = RowWeights.Of(order.AsSpan(start, rows), _rows.Weights);
            weightSum += batchWeight;
            float loss = _steps.Gradient(order, start, rows, rate, batchWeight, cancellationToken);
            CheckLoss(loss, rate);
            NoteStart(loss, batchWeight);
            lossSum += loss;
            _steps.Step(batchWeight, _epochGradient);
            batches++;
            Checkpoints?.AfterStep(this, epoch - 1, batches, lossSum, weightSum);
        }

        return (lossSum, weightSum);
    }

    // The first batch's mean loss, taken before its step: where training started.
    private void NoteStart(float loss, double batchWeight)
    {
        if (double.IsNaN(_startingLoss) && batchWeight > 0)
        {
            _startingLoss = loss / batchWeight;
            _bestLoss = _startingLoss;
        }
    }

    private void CheckLoss(float loss, float rate)
    {
        if (!float.IsFinite(loss))
        {
            throw new TrainingDivergedException(Epoch + 1, rate, $"the loss of a batch became {loss}");
        }
    }

    /// <summary>The validation rows of a row source, measured a batch at a time through a staging dataset, allocating nothing after the first time.</summary>
    private sealed class RowMeasure
    {
        private readonly RowSource.SourceReader _reader;
        private readonly AlignedBuffer _rows;
        private readonly int[]? _labels;
        private readonly float[]? _targets;
        private readonly int _stride;
        private readonly int _features;

        public RowMeasure(RowSource source)
        {
            _reader = source.CreateReader();
            _features = source.Features;
            _stride = Dataset.RowStride(source.Features);
            _rows = new AlignedBuffer(StreamedRows.MeasureRows * _stride);
            _labels = source.HasLabels ? new int[StreamedRows.MeasureRows] : null;
            _targets = source.HasLabels ? null : new float[StreamedRows.MeasureRows];
        }

        public (float Loss, float Accuracy) Measure(IModel model, float[] outputs)
        {
            _reader.Rewind();
            double loss = 0;
            long correct = 0, count = 0;
            int read;
            while ((read = _reader.Read(_rows.Span, _stride, StreamedRows.MeasureRows, _labels, _targets)) > 0)
            {
                var rows = new Rows(in _rows.Origin, _stride, read);
                var batch = new Batch(rows, _features, _labels is null ? default : _labels.AsSpan(0, read), _targets is null ? default : _targets.AsSpan(0, read), _targets is null ? 0 : 1, default, _labels is not null);
                loss += model.Loss(batch);
                count += read;
                if (_labels is null)
                {
                    continue;
                }

                for (int i = 0; i < read; i++)
                {
                    correct += Predicted(model, _rows.Span.Slice(i * _stride, _features), outputs) == _labels[i] ? 1 : 0;
                }
            }

            return count == 0 ? (float.NaN, float.NaN) : ((float)(loss / count), _labels is null ? float.NaN : (float)((double)correct / count));
        }
    }

    private RowMeasure? _measuring;
}
