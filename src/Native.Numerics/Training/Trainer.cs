namespace Native.Numerics;

/// <summary>
/// Trains any <see cref="IModel"/> with any <see cref="Optimizer"/> by gradient descent over epochs of
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
/// <para>
/// One training at a time per model and per optimizer: a second <see cref="Fit"/> or <see cref="Begin"/> on a model (or
/// with an optimizer) that a running session holds throws an <see cref="InvalidOperationException"/> naming it, from
/// whichever trainer it comes, rather than mixing two runs' steps silently. The session holds them until it ends
/// (<see cref="Fit"/> returns or throws, or the <see cref="TrainingSession"/> is disposed).
/// </para>
/// <para>
/// Predicting with the model while it trains (from another thread) is safe in the sense that it cannot crash, throw or
/// allocate: a prediction reads the parameters in place while the steps write them. It is not a snapshot: a prediction
/// may see one step half-applied (some weights updated, others not), so its outputs need not be those of any one
/// step's parameters. To serve predictions during training, predict with a copy (copy <see cref="IModel.Parameters"/>
/// into a second model between epochs, from the callback) and swap it in with one reference assignment.
/// </para>
/// </remarks>
public sealed class Trainer
{
    /// <summary>A trainer of <paramref name="model"/> by <paramref name="optimizer"/>, with <paramref name="options"/> or the defaults.</summary>
    public Trainer(IModel model, Optimizer optimizer, TrainerOptions? options = null)
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
    public Optimizer Optimizer { get; }

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
    /// <exception cref="InvalidOperationException">Another training holds the model or the optimizer.</exception>
    /// <exception cref="InsufficientMemoryException">The run would need more memory than this process may use (<see cref="TrainingMemory"/>).</exception>
    public TrainingResult Fit(Dataset training, Dataset? validation = null, ITrainingCallback? callback = null, CancellationToken cancellationToken = default)
    {
        using TrainingSession session = Begin(training, validation);
        TrainerOptions options = Options;
        Span<float> parameters = Model.Parameters;
        float[]? best = options.Patience > 0 ? new float[parameters.Length] : null;
        float bestLoss = float.PositiveInfinity;
        int bestEpoch = 0;
        int epochsWithoutImprovement = 0;
        StopReason reason = StopReason.MaxEpochs;
        EpochReport report = default;
        while (session.Epoch < options.Epochs)
        {
            report = session.RunEpoch(cancellationToken);

            // Early stopping: remember the best epoch's parameters.
            bool stopEarly = false;
            if (best is not null)
            {
                if (report.ValidationLoss < bestLoss - options.MinimumImprovement)
                {
                    bestLoss = report.ValidationLoss;
                    bestEpoch = report.Epoch;
                    epochsWithoutImprovement = 0;
                    parameters.CopyTo(best);
                }
                else
                {
                    stopEarly = ++epochsWithoutImprovement >= options.Patience;
                }
            }

            if (callback?.OnEpoch(in report) == TrainingDecision.Stop)
            {
                reason = StopReason.Callback;
                break;
            }

            if (report.GradientNorm < options.GradientTolerance)
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

        (float Loss, float Accuracy) kept = (report.ValidationLoss, report.ValidationAccuracy);
        int keptEpoch = report.Epoch;
        if (best is not null && bestEpoch != report.Epoch)
        {
            // Early stopping keeps the best epoch's parameters, however training ended.
            best.CopyTo(parameters);
            keptEpoch = bestEpoch;
            kept = session.Measure(validation!);
        }

        return new TrainingResult(report.Epoch, reason, report.TrainingLoss, kept.Loss, kept.Accuracy, keptEpoch, session.Elapsed);
    }

    /// <summary>
    /// Starts a training run that the caller drives an epoch at a time with
    /// <see cref="TrainingSession.RunEpoch"/> (<see cref="Fit"/> is a loop over it that adds the stopping
    /// rules). Checks the data, sizes every buffer, and binds and resets the optimizer; dispose the session
    /// to stop its threads and restore the optimizer's learning rate.
    /// </summary>
    /// <exception cref="ArgumentException">The data do not fit the model or the options are invalid.</exception>
    /// <exception cref="InvalidOperationException">Another training holds the model or the optimizer, or a worker thread could not start.</exception>
    /// <exception cref="InsufficientMemoryException">The run would need more memory than this process may use (<see cref="TrainingMemory"/>).</exception>
    public TrainingSession Begin(Dataset training, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        TrainerOptions options = Options;
        CheckData(training, nameof(training));
        if (validation is not null)
        {
            CheckData(validation, nameof(validation));
        }

        if (options.Patience > 0 && (validation is null || validation.Count == 0))
        {
            throw new ArgumentException("Early stopping (Patience > 0) needs a validation set with rows.", nameof(validation));
        }

        // The memory the run needs, against what this process may use, before any buffer is allocated.
        TrainingMemory.Estimate(Model.Shape, Optimizer, options, training, validation).ThrowIfTooLarge();
        return new TrainingSession(Model, Optimizer, options, training, validation, RowWeights.For(training, options.ClassWeights));
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

            if (data.TargetCount != Model.Outputs)
            {
                throw new ArgumentException($"The model {Model.Shape} predicts {Model.Outputs} {(Model.Outputs == 1 ? "value" : "values")} a row, but the {name} data have {data.TargetCount} {(data.TargetCount == 1 ? "target" : "targets")} a row; a regression predicts one value per target.", name);
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
