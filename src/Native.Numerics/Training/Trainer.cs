using System.Diagnostics;
using System.Numerics.Tensors;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Trains any <see cref="IModel"/> with any <see cref="IOptimizer"/> by gradient descent over epochs of
/// shuffled batches, with early stopping, a gradient-norm stop, class and sample weights, and a guard
/// against divergence.
/// </summary>
/// <remarks>
/// <para>
/// Each step takes the gradient of the batch's mean loss (sample-weighted), so the learning rate means
/// the same whatever the batch size. A batch size of 1 is stochastic gradient descent; the training-set
/// size is full-batch gradient descent; anything between is mini-batch gradient descent.
/// </para>
/// <para>
/// <see cref="Fit"/> allocates every buffer it needs before the first epoch; the epochs themselves
/// allocate nothing: batches are read in place from the dataset through the shuffled row order.
/// </para>
/// </remarks>
public sealed class Trainer
{
    /// <summary>A trainer of <paramref name="model"/> by <paramref name="optimizer"/>, with <paramref name="options"/> or the defaults.</summary>
    public Trainer(IModel model, IOptimizer optimizer, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Optimizer = optimizer;
        Options = options ?? new TrainerOptions();
    }

    /// <summary>The model being trained; its parameters are updated in place.</summary>
    public IModel Model { get; }

    /// <summary>The rule of each step.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>The settings, read when <see cref="Fit"/> starts.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// Trains the model on <paramref name="training"/>, reporting on <paramref name="validation"/> if given.
    /// The optimizer is bound to the model's parameters and reset; its learning rate at the start is the
    /// schedule's initial rate, and is restored at the end.
    /// </summary>
    /// <param name="training">The rows to learn from.</param>
    /// <param name="validation">Rows to measure the loss and accuracy on after each epoch (needed for early stopping).</param>
    /// <param name="callback">Told about each epoch; may stop training.</param>
    /// <param name="cancellationToken">Checked before each batch.</param>
    /// <returns>How many epochs ran, why training stopped, and the final losses.</returns>
    /// <exception cref="ArgumentException">The data do not fit the model or the options are invalid.</exception>
    /// <exception cref="TrainingDivergedException">A loss or parameter became NaN or infinite; the last finite parameters are kept.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the parameters are those of the last step taken.</exception>
    public TrainingResult Fit(Dataset training, Dataset? validation = null, ITrainingCallback? callback = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        TrainerOptions options = Options;
        options.Validate();
        CheckData(training, nameof(training));
        if (validation is not null)
        {
            CheckData(validation, nameof(validation));
        }

        if (options.Patience > 0 && (validation is null || validation.Count == 0))
        {
            throw new ArgumentException("Early stopping (Patience > 0) needs a validation set with rows.", nameof(validation));
        }

        // Every buffer, sized once.
        Span<float> parameters = Model.Parameters;
        int count = training.Count;
        float[] gradient = new float[parameters.Length];
        float[] lastFinite = new float[parameters.Length];
        float[]? best = options.Patience > 0 ? new float[parameters.Length] : null;
        float[]? epochGradient = options.GradientTolerance > 0f ? new float[parameters.Length] : null;
        float[] outputs = new float[Model.Outputs];
        float[]? weights = RowWeights(training, options.ClassWeights);
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        Optimizer.Bind(parameters.Length);
        float initialRate = Optimizer.LearningRate;

        // Several threads share each batch's gradient; or else a model that steps in place skips the
        // gradient buffer, when the step is plain θ ← θ − η∇.
        using GradientWorkers? workers = options.Parallelism > 1 ? new GradientWorkers(Model, options.Parallelism) : null;
        IFusedGradientStep? fused = Model as IFusedGradientStep;
        if (fused is not null && (workers is not null || !(Optimizer is GradientDescent { WeightDecay: 0f, MaxGradientNorm: 0f } && epochGradient is null)))
        {
            fused = null;
        }

        var random = new SeededRandom(options.Seed);
        int batchSize = Math.Min(options.BatchSize, count);
        long started = Stopwatch.GetTimestamp();

        float bestLoss = float.PositiveInfinity;
        int bestEpoch = 0;
        int epochsWithoutImprovement = 0;
        int epoch = 0;
        StopReason reason = StopReason.MaxEpochs;
        float trainingLoss = float.NaN;
        (float Loss, float Accuracy) measured = (float.NaN, float.NaN);
        try
        {
            while (epoch < options.Epochs)
            {
                epoch++;
                long epochStarted = Stopwatch.GetTimestamp();
                float rate = options.Schedule.LearningRate(epoch - 1, initialRate);
                Optimizer.LearningRate = rate;
                parameters.CopyTo(lastFinite);
                if (options.Shuffle)
                {
                    random.Shuffle<int>(order);
                }

                // One pass over the data, a batch at a time.
                double lossSum = 0;
                double weightSum = 0;
                epochGradient?.AsSpan().Clear();
                for (int start = 0; start < count; start += batchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ReadOnlySpan<int> rows = order.AsSpan(start, Math.Min(batchSize, count - start));
                    Batch batch = training.CreateBatch(new Rows(in training.Origin, training.Stride, rows), weights);
                    double batchWeight = BatchWeight(rows, weights);
                    weightSum += batchWeight;
                    if (fused is not null)
                    {
                        // One step of gradient descent on the batch's mean loss, done inside the model.
                        float fusedLoss = batchWeight == 0 ? 0f : fused.StepInPlace(in batch, (float)(rate / batchWeight));
                        lossSum += fusedLoss;
                        if (!float.IsFinite(fusedLoss))
                        {
                            throw new TrainingDivergedException(epoch, rate, $"the loss of a batch became {fusedLoss}");
                        }

                        continue;
                    }

                    float loss;
                    if (workers is not null)
                    {
                        loss = workers.Accumulate(training, order, start, rows.Length, weights, gradient);
                    }
                    else
                    {
                        Array.Clear(gradient);
                        loss = Model.AccumulateGradient(in batch, gradient);
                    }

                    if (!float.IsFinite(loss))
                    {
                        throw new TrainingDivergedException(epoch, rate, $"the loss of a batch became {loss}");
                    }

                    lossSum += loss;
                    if (batchWeight == 0)
                    {
                        continue; // Rows that all weigh 0 have no gradient.
                    }

                    if (epochGradient is not null)
                    {
                        TensorPrimitives.Add(epochGradient, gradient, epochGradient);
                    }

                    // The gradient of the batch's mean loss, then one step.
                    TensorPrimitives.Multiply(gradient, (float)(1 / batchWeight), gradient);
                    Optimizer.Step(parameters, gradient);
                }

                if (parameters.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) >= 0)
                {
                    throw new TrainingDivergedException(epoch, rate, "a parameter became NaN or infinite");
                }

                TimeSpan trainingTime = Stopwatch.GetElapsedTime(epochStarted);
                trainingLoss = (float)(lossSum / weightSum);
                float gradientNorm = epochGradient is null ? float.NaN : (float)(TensorPrimitives.Norm(epochGradient) / weightSum);
                measured = validation is null ? (float.NaN, float.NaN) : Measure(validation, outputs);

                // Early stopping: remember the best epoch's parameters.
                bool stopEarly = false;
                if (best is not null)
                {
                    if (measured.Loss < bestLoss - options.MinimumImprovement)
                    {
                        bestLoss = measured.Loss;
                        bestEpoch = epoch;
                        epochsWithoutImprovement = 0;
                        parameters.CopyTo(best);
                    }
                    else
                    {
                        stopEarly = ++epochsWithoutImprovement >= options.Patience;
                    }
                }

                var report = new EpochReport(
                    epoch,
                    options.Epochs,
                    trainingLoss,
                    measured.Loss,
                    measured.Accuracy,
                    rate,
                    gradientNorm,
                    Stopwatch.GetElapsedTime(epochStarted),
                    Stopwatch.GetElapsedTime(started),
                    count / Math.Max(trainingTime.TotalSeconds, 1e-9));
                if (callback?.OnEpoch(in report) == TrainingDecision.Stop)
                {
                    reason = StopReason.Callback;
                    break;
                }

                if (gradientNorm < options.GradientTolerance)
                {
                    reason = StopReason.GradientTolerance;
                    break;
                }

                if (stopEarly)
                {
                    reason = StopReason.EarlyStopping;
                    break;
                }
            }
        }
        catch (TrainingDivergedException)
        {
            lastFinite.CopyTo(parameters);
            Optimizer.LearningRate = initialRate;
            throw;
        }
        catch (OperationCanceledException)
        {
            Optimizer.LearningRate = initialRate;
            throw;
        }

        Optimizer.LearningRate = initialRate;
        int keptEpoch = epoch;
        if (best is not null && bestEpoch != epoch)
        {
            // Early stopping keeps the best epoch's parameters, however training ended.
            best.CopyTo(parameters);
            keptEpoch = bestEpoch;
            measured = Measure(validation!, outputs);
        }

        return new TrainingResult(epoch, reason, trainingLoss, measured.Loss, measured.Accuracy, keptEpoch, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The mean loss and the accuracy (NaN for regression) of the model on <paramref name="data"/>.</summary>
    private (float Loss, float Accuracy) Measure(Dataset data, float[] outputs)
    {
        if (data.Count == 0)
        {
            return (float.NaN, float.NaN);
        }

        double weight = data.SampleWeights.IsEmpty ? data.Count : TotalWeight(data.SampleWeights);
        float loss = (float)(Model.Loss(Batch.FromDataset(data)) / weight);
        if (Model.Task == ModelTask.Regression)
        {
            return (loss, float.NaN);
        }

        int correct = 0;
        ReadOnlySpan<int> labels = data.Labels;
        for (int i = 0; i < data.Count; i++)
        {
            Model.Forward(data.Row(i), outputs);
            int predicted = Model.Task == ModelTask.BinaryClassification
                ? (outputs[0] >= 0.5f ? 1 : 0)
                : TensorPrimitives.IndexOfMax(outputs);
            if (predicted == labels[i])
            {
                correct++;
            }
        }

        return (loss, correct / (float)data.Count);
    }

    // The total weight of the rows named; their count when every row weighs 1.
    private static double BatchWeight(ReadOnlySpan<int> rows, ReadOnlySpan<float> weights)
    {
        if (weights.IsEmpty)
        {
            return rows.Length;
        }

        double total = 0;
        foreach (int row in rows)
        {
            total += weights[row];
        }

        return total;
    }

    private static double TotalWeight(ReadOnlySpan<float> weights)
    {
        double total = 0;
        foreach (float w in weights)
        {
            total += w;
        }

        return total;
    }

    // Each row's weight: its sample weight times its class's weight; null when every row weighs 1.
    private static float[]? RowWeights(Dataset data, ClassWeights? classWeights)
    {
        float[]? perClass = classWeights?.For(data);
        if (perClass is null && data.SampleWeights.IsEmpty)
        {
            return null;
        }

        float[] weights = data.SampleWeights.IsEmpty ? new float[data.Count] : data.SampleWeights.ToArray();
        if (data.SampleWeights.IsEmpty)
        {
            weights.AsSpan().Fill(1f);
        }

        if (perClass is not null)
        {
            ReadOnlySpan<int> labels = data.Labels;
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] *= perClass[labels[i]];
            }
        }

        if (TotalWeight(weights) <= 0)
        {
            throw new ArgumentException("Every training row has weight 0: there is nothing to learn from.", nameof(data));
        }

        return weights;
    }

    private void CheckData(Dataset data, string name)
    {
        if (data.Features != Model.Features)
        {
            throw new ArgumentException($"The {name} data have {data.Features} features; the model {Model.Shape} takes {Model.Features}.", name);
        }

        if (name == "training" && data.Count == 0)
        {
            throw new ArgumentException("The training data have no rows.", name);
        }

        if (Model.Task == ModelTask.Regression)
        {
            if (data.HasLabels)
            {
                throw new ArgumentException($"The model {Model.Shape} predicts values, but the {name} data have class labels.", name);
            }
        }
        else if (!data.HasLabels)
        {
            throw new ArgumentException($"The model {Model.Shape} predicts classes, but the {name} data have float targets.", name);
        }
        else if (data.Classes > Model.Shape.Classes)
        {
            throw new ArgumentException($"The {name} data have {data.Classes} classes; the model {Model.Shape} has {Model.Shape.Classes}.", name);
        }
    }
}
