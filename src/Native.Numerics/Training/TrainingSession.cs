using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// A training run driven one epoch at a time, from <see cref="Trainer.Begin"/>. Every buffer is sized
/// when the session starts; <see cref="RunEpoch"/> allocates nothing.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly IModel _model;
    private readonly Optimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly Dataset _training;
    private readonly Dataset? _validation;
    private readonly float[]? _weights;
    private readonly float[] _gradient;
    private readonly float[] _lastFinite;
    private readonly float[]? _epochGradient;

    // A byte row widened for Measure's one-row forward passes (float rows are read in place).
    private readonly float[] _row;
    private readonly int[] _order;
    private readonly StepStrategy _steps;
    private readonly float _initialRate;
    private readonly int _batchSize;
    private readonly long _started;
    private SeededRandom _random;
    private bool _disposed;

    /// <summary>The mean loss of the first batch, before any step: where training started (NaN until known).</summary>
    private double _startingLoss = double.NaN;

    /// <summary>The best mean loss so far: the starting loss, or an epoch's.</summary>
    private double _bestLoss = double.PositiveInfinity;

    internal TrainingSession(IModel model, Optimizer optimizer, TrainerOptions options, Dataset training, Dataset? validation, float[]? weights)
    {
        // One session per model and optimizer at a time, released when disposed (or here, if the session cannot start).
        TrainingClaims.Take(model, optimizer);
        try
        {
            _model = model;
            _optimizer = optimizer;
            _options = options;
            _training = training;
            _validation = validation;
            _weights = weights;
            int parameters = model.Parameters.Length;
            _gradient = new float[parameters];
            _lastFinite = new float[parameters];
            _epochGradient = options.GradientTolerance > 0f ? new float[parameters] : null;
            Outputs = new float[model.Outputs];
            _row = new float[model.Features];

            // The rows by their place in storage (a view's rows, a split's side, are not its first ones): batches read them there.
            _order = new int[training.Count];
            for (int i = 0; i < _order.Length; i++)
            {
                _order[i] = training.Source(i);
            }

            optimizer.Bind(parameters);
            _initialRate = optimizer.LearningRate;
            _random = new SeededRandom(options.Seed);
            _batchSize = Math.Min(options.BatchSize, training.Count);

            // How each batch's step is taken, chosen once from what the model and the optimizer declare.
            _steps = StepStrategy.Choose(model, optimizer, options, training, weights, _gradient, _batchSize, SliceRows(parameters));
        }
        catch
        {
            TrainingClaims.Release(model, optimizer);
            throw;
        }

        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>The epochs completed so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>The time since the session started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>The bytes the gradient worker threads have allocated (for tests; 0 without workers).</summary>
    internal long WorkerAllocatedBytes => _steps.WorkerAllocatedBytes;

    /// <summary>The gradient worker threads now blocked waiting for work (for tests; 0 without workers).</summary>
    internal int IdleWorkers => _steps.IdleWorkers;

    /// <summary>How each batch's step is taken (for tests).</summary>
    internal StepStrategy Steps => _steps;

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
        parameters.CopyTo(_lastFinite);
        if (_options.Shuffle)
        {
            _random.Shuffle<int>(_order);
        }

        double lossSum = 0, weightSum = 0;
        try
        {
            (lossSum, weightSum) = Pass(rate, cancellationToken);
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
        (float Loss, float Accuracy) measured = _validation is null ? (float.NaN, float.NaN) : Measure(_validation);
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
            _training.Count / Math.Max(trainingTime.TotalSeconds, 1e-9));
    }

    /// <summary>Stops the worker threads and restores the optimizer's initial learning rate.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _steps.Dispose();
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
            _model.Forward(data.Row(i, _row), Outputs);
            int predicted = _model.Task == ModelTask.BinaryClassification
                ? (Outputs[0] >= 0.5f ? 1 : 0)
                : TensorPrimitives.IndexOfMax(Outputs);
            if (predicted == data.LabelAt(i))
            {
                correct++;
            }
        }

        return (loss, correct / (float)data.Count);
    }

    // One pass over the training rows, a batch at a time: the gradient, the loss checked, then the step.
    private (double Loss, double Weight) Pass(float rate, CancellationToken cancellationToken)
    {
        int count = _training.Count;
        double lossSum = 0, weightSum = 0;
        _epochGradient?.AsSpan().Clear();
        for (int start = 0; start < count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(_batchSize, count - start);

            // Start loading the next batch's rows while this one computes.
            int next = start + _batchSize;
            if (next < count)
            {
                _training.Prefetch(_order.AsSpan(next, Math.Min(_batchSize, count - next)));
            }

            double batchWeight = RowWeights.Of(_order.AsSpan(start, rows), _weights);
            weightSum += batchWeight;
            float loss = _steps.Gradient(_order, start, rows, rate, batchWeight, cancellationToken);
            CheckLoss(loss, rate);
            NoteStart(loss, batchWeight);
            lossSum += loss;
            _steps.Step(batchWeight, _epochGradient);
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
}
