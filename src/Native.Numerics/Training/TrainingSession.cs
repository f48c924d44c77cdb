using System.Diagnostics;
using System.Numerics.Tensors;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// A training run driven one epoch at a time, from <see cref="Trainer.Begin"/>. Every buffer is sized
/// when the session starts; <see cref="RunEpoch"/> allocates nothing.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private readonly IModel _model;
    private readonly IOptimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly Dataset _training;
    private readonly Dataset? _validation;
    private readonly float[]? _weights;
    private readonly float[] _gradient;
    private readonly float[] _lastFinite;
    private readonly float[]? _epochGradient;
    private readonly int[] _order;
    private readonly GradientWorkers? _workers;
    private readonly IFusedGradientStep? _fused;
    private readonly float _initialRate;
    private readonly int _batchSize;
    private readonly long _started;
    private SeededRandom _random;
    private bool _disposed;

    internal TrainingSession(IModel model, IOptimizer optimizer, TrainerOptions options, Dataset training, Dataset? validation, float[]? weights)
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
        _order = new int[training.Count];
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        optimizer.Bind(parameters);
        _initialRate = optimizer.LearningRate;
        _random = new SeededRandom(options.Seed);
        _batchSize = Math.Min(options.BatchSize, training.Count);

        // Several threads share each batch's gradient; or else a model that steps in place skips the
        // gradient buffer, when the step is plain θ ← θ − η∇.
        _workers = options.Parallelism > 1 ? new GradientWorkers(model, options.Parallelism, _gradient) : null;
        _fused = model as IFusedGradientStep;
        if (_fused is not null && (_workers is not null || !(optimizer is GradientDescent { WeightDecay: 0f, MaxGradientNorm: 0f } && _epochGradient is null)))
        {
            _fused = null;
        }

        _started = Stopwatch.GetTimestamp();
    }

    /// <summary>The epochs completed so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>The time since the session started.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>The bytes the gradient worker threads have allocated (for tests; 0 without workers).</summary>
    internal long WorkerAllocatedBytes => _workers?.AllocatedBytes ?? 0;

    /// <summary>Scratch for one row's outputs, for measuring accuracy.</summary>
    internal float[] Outputs { get; }

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
            (lossSum, weightSum) = Pass(rate, parameters, cancellationToken);
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

        Epoch = epoch;
        TimeSpan trainingTime = Stopwatch.GetElapsedTime(epochStarted);
        float gradientNorm = _epochGradient is null ? float.NaN : (float)(TensorPrimitives.Norm(_epochGradient) / weightSum);
        (float Loss, float Accuracy) measured = _validation is null ? (float.NaN, float.NaN) : Trainer.Measure(_model, _validation, Outputs);
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
            _workers?.Dispose();
            _optimizer.LearningRate = _initialRate;
        }
    }

    // One pass over the training rows, a batch at a time; returns the summed loss and weight.
    private (double Loss, double Weight) Pass(float rate, Span<float> parameters, CancellationToken cancellationToken)
    {
        Dataset training = _training;
        int count = training.Count;
        double lossSum = 0, weightSum = 0;
        _epochGradient?.AsSpan().Clear();
        for (int start = 0; start < count; start += _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOnlySpan<int> rows = _order.AsSpan(start, Math.Min(_batchSize, count - start));

            // Start loading the next batch's rows while this one computes.
            int next = start + _batchSize;
            if (next < count)
            {
                training.Prefetch(_order.AsSpan(next, Math.Min(_batchSize, count - next)));
            }

            double batchWeight = Trainer.BatchWeight(rows, _weights);
            weightSum += batchWeight;
            float loss;
            if (_fused is not null)
            {
                // One step of gradient descent on the batch's mean loss, done inside the model.
                Batch batch = training.CreateBatch(new Rows(in training.Origin, training.Stride, rows), _weights);
                loss = batchWeight == 0 ? 0f : _fused.StepInPlace(in batch, (float)(rate / batchWeight));
                CheckLoss(loss, rate);
                lossSum += loss;
                continue;
            }

            if (_workers is not null)
            {
                // The threads share the gradient, then the step: each sums, scales and steps a range.
                loss = _workers.Gradient(training, _order, start, rows.Length, _weights);
                CheckLoss(loss, rate);
                lossSum += loss;
                if (batchWeight != 0)
                {
                    _workers.Step(_optimizer, (float)(1 / batchWeight), _epochGradient);
                }

                continue;
            }

            Batch rowsBatch = training.CreateBatch(new Rows(in training.Origin, training.Stride, rows), _weights);
            Array.Clear(_gradient);
            loss = _model.AccumulateGradient(in rowsBatch, _gradient);
            CheckLoss(loss, rate);
            lossSum += loss;
            if (batchWeight == 0)
            {
                continue; // Rows that all weigh 0 have no gradient.
            }

            if (_epochGradient is not null)
            {
                TensorPrimitives.Add(_epochGradient, _gradient, _epochGradient);
            }

            // The gradient of the batch's mean loss, then one step.
            TensorPrimitives.Multiply(_gradient, (float)(1 / batchWeight), _gradient);
            _optimizer.Step(parameters, _gradient);
        }

        return (lossSum, weightSum);
    }

    private void CheckLoss(float loss, float rate)
    {
        if (!float.IsFinite(loss))
        {
            throw new TrainingDivergedException(Epoch + 1, rate, $"the loss of a batch became {loss}");
        }
    }
}
