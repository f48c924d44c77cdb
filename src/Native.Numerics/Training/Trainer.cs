using System.Globalization;

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
/// <see cref="Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> allocates every buffer it needs before the first epoch; the epochs themselves
/// allocate nothing: batches are read in place from the dataset through the shuffled row order.
/// </para>
/// <para>
/// One training at a time per model and per optimizer: a second <see cref="Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> or <see cref="Begin(Dataset, Dataset?)"/> on a model (or
/// with an optimizer) that a running session holds throws an <see cref="InvalidOperationException"/> naming it, from
/// whichever trainer it comes, rather than mixing two runs' steps silently. The session holds them until it ends
/// (<see cref="Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> returns or throws, or the <see cref="TrainingSession"/> is disposed).
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

    /// <summary>The settings, read when <see cref="Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> starts.</summary>
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
        using TrainingSession session = ResumeOrBegin(() => Begin(training, validation), path => Resume(path, training, validation));
        return Run(session, callback, () => validation is null ? (float.NaN, float.NaN) : session.Measure(validation), cancellationToken);
    }

    /// <summary>
    /// Trains the model on rows streamed from <paramref name="training"/> — read in place from its mapped cache when that
    /// fits <see cref="TrainerOptions.MemoryBudget"/>, else through two windows of blocks the budget sizes, one read on
    /// another thread while the other trains — reporting on <paramref name="validation"/> if given. The same loop, step
    /// strategies, stopping rules, guard and checkpoints as <see cref="Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/>;
    /// after its first epoch it allocates nothing.
    /// </summary>
    /// <param name="training">The rows to learn from.</param>
    /// <param name="validation">Rows to measure the loss and accuracy on after each epoch (needed for early stopping); streamed too.</param>
    /// <param name="callback">Told about each epoch; may stop training.</param>
    /// <param name="cancellationToken">Checked before each batch, and while waiting for rows.</param>
    /// <returns>How many epochs ran, why training stopped, and the final losses.</returns>
    /// <exception cref="ArgumentException">The rows do not fit the model or the options are invalid.</exception>
    /// <exception cref="TrainingDivergedException">A loss or parameter became NaN or infinite; the last finite parameters are kept.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the parameters are those of the last step taken.</exception>
    /// <exception cref="InvalidOperationException">Another training holds the model or the optimizer.</exception>
    /// <exception cref="InsufficientMemoryException">The run would need more memory than the budget, even streaming through the smallest windows.</exception>
    /// <exception cref="FileFormatException">A block of the row cache fails its checksum (the cache is damaged).</exception>
    public TrainingResult Fit(RowSource training, RowSource? validation = null, ITrainingCallback? callback = null, CancellationToken cancellationToken = default)
    {
        using TrainingSession session = ResumeOrBegin(() => Begin(training, validation), path => Resume(path, training, validation));
        return Run(session, callback, session.MeasureValidation, cancellationToken);
    }

    /// <summary>
    /// Starts a training run that the caller drives an epoch at a time with
    /// <see cref="TrainingSession.RunEpoch"/> (<see cref="Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> is a
    /// loop over it that adds the stopping rules). Checks the data, sizes every buffer, and binds and resets the optimizer;
    /// dispose the session to stop its threads and restore the optimizer's learning rate.
    /// </summary>
    /// <exception cref="ArgumentException">The data do not fit the model or the options are invalid.</exception>
    /// <exception cref="InvalidOperationException">Another training holds the model or the optimizer, or a worker thread could not start.</exception>
    /// <exception cref="InsufficientMemoryException">The run would need more memory than this process may use (<see cref="TrainingMemory"/>).</exception>
    public TrainingSession Begin(Dataset training, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        TrainerOptions options = Options;
        CheckData(training.Features, training.Count, training.HasLabels, training.Classes, training.TargetCount, nameof(training));
        if (validation is not null)
        {
            CheckData(validation.Features, validation.Count, validation.HasLabels, validation.Classes, validation.TargetCount, nameof(validation));
        }

        CheckPatience(validation?.Count ?? 0, nameof(validation));

        // The memory the run needs, against what this process may use, before any buffer is allocated.
        TrainingMemory.Estimate(Model.Shape, Optimizer, options, training, validation).ThrowIfTooLarge();
        var rows = new InMemoryRows(training, RowWeights.For(training, options.ClassWeights), options);
        return new TrainingSession(Model, Optimizer, options, rows, validation, null) { Fingerprint = Fingerprint(training.Count, training.Features, training.Classes, "dataset") };
    }

    /// <summary>
    /// Starts a training run on rows streamed from <paramref name="training"/>, driven an epoch at a time
    /// (<see cref="Fit(RowSource, RowSource?, ITrainingCallback?, CancellationToken)"/> is a loop over it). Plans how the
    /// rows stream within the budget (<see cref="TrainingMemory.Estimate(ModelShape, Optimizer, TrainerOptions, RowSource, RowSource?)"/>)
    /// and starts the thread that reads them; dispose the session to stop it.
    /// </summary>
    /// <exception cref="ArgumentException">The rows do not fit the model, the options are invalid, or class weights come with targets.</exception>
    /// <exception cref="InvalidOperationException">Another training holds the model or the optimizer.</exception>
    /// <exception cref="InsufficientMemoryException">The run would need more memory than the budget allows.</exception>
    public TrainingSession Begin(RowSource training, RowSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        TrainerOptions options = Options;
        CheckData(training.Features, training.Count, training.HasLabels, training.Classes, training.HasLabels ? 0 : 1, nameof(training));
        if (validation is not null)
        {
            CheckData(validation.Features, validation.Count, validation.HasLabels, validation.Classes, validation.HasLabels ? 0 : 1, nameof(validation));
        }

        CheckPatience(validation?.Count ?? 0, nameof(validation));
        TrainingMemory memory = TrainingMemory.Estimate(Model.Shape, Optimizer, options, training, validation);
        memory.ThrowIfTooLarge();
        float[]? classWeights = options.ClassWeights?.For(training);
        var rows = new StreamedRows(training, options, memory.Plan!, classWeights);
        return new TrainingSession(Model, Optimizer, options, rows, null, validation) { Fingerprint = Fingerprint(training.Count, training.Features, training.Classes, training.Layout.Description) };
    }

    /// <summary>
    /// Continues the run a checkpoint at <paramref name="checkpointPath"/> saved (<see cref="TrainingSession.SaveCheckpoint"/>,
    /// or <see cref="TrainerOptions.CheckpointPath"/> during a fit): the same model shape, optimizer, data and settings are
    /// required, and the next <see cref="TrainingSession.RunEpoch"/> continues where it stopped — within an epoch, if the
    /// checkpoint was taken there.
    /// </summary>
    /// <exception cref="FileFormatException">The file is not a training checkpoint, or is damaged.</exception>
    /// <exception cref="ArgumentException">The checkpoint is of another run; the message names the first difference.</exception>
    public TrainingSession Resume(string checkpointPath, Dataset training, Dataset? validation = null) =>
        Restored(Begin(training, validation), checkpointPath);

    /// <summary>Continues a checkpointed run on rows streamed from <paramref name="training"/>; see <see cref="Resume(string, Dataset, Dataset?)"/>.</summary>
    /// <exception cref="FileFormatException">The file is not a training checkpoint, or is damaged.</exception>
    /// <exception cref="ArgumentException">The checkpoint is of another run; the message names the first difference.</exception>
    public TrainingSession Resume(string checkpointPath, RowSource training, RowSource? validation = null) =>
        Restored(Begin(training, validation), checkpointPath);

    private static TrainingSession Restored(TrainingSession session, string checkpointPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        try
        {
            session.Restore(checkpointPath);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>A session from the checkpoint when <see cref="TrainerOptions.Resume"/> asks and there is one, else a new one; with the checkpoint schedule.</summary>
    private TrainingSession ResumeOrBegin(Func<TrainingSession> begin, Func<string, TrainingSession> resume)
    {
        TrainerOptions options = Options;
        string? path = options.CheckpointPath;
        if ((options.CheckpointEveryEpochs > 0 || options.CheckpointInterval > TimeSpan.Zero || options.Resume) && path is null)
        {
            throw new ArgumentException("Checkpoints (TrainerOptions.CheckpointEveryEpochs, CheckpointInterval, Resume) need a TrainerOptions.CheckpointPath.");
        }

        TrainingSession session = options.Resume && File.Exists(path) ? resume(path!) : begin();
        if (path is not null && (options.CheckpointEveryEpochs > 0 || options.CheckpointInterval > TimeSpan.Zero))
        {
            session.Checkpoints = new CheckpointSchedule(path, options.CheckpointEveryEpochs, options.CheckpointInterval);
        }

        return session;
    }

    // The loop of Fit: epochs until a stopping rule, early stopping's best epoch kept, checkpoints when due.
    private TrainingResult Run(TrainingSession session, ITrainingCallback? callback, Func<(float Loss, float Accuracy)> measure, CancellationToken cancellationToken)
    {
        TrainerOptions options = Options;
        Span<float> parameters = Model.Parameters;
        BestEpoch? best = session.Best;
        StopReason reason = StopReason.MaxEpochs;
        EpochReport report = default;
        while (session.Epoch < options.Epochs)
        {
            report = session.RunEpoch(cancellationToken);

            // Early stopping: remember the best epoch's parameters.
            bool stopEarly = false;
            if (best is not null)
            {
                if (report.ValidationLoss < best.Loss - options.MinimumImprovement)
                {
                    best.Loss = report.ValidationLoss;
                    best.Epoch = report.Epoch;
                    best.WithoutImprovement = 0;
                    parameters.CopyTo(best.Parameters);
                }
                else
                {
                    stopEarly = ++best.WithoutImprovement >= options.Patience;
                }
            }

            session.Checkpoints?.AfterEpoch(session);
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

        if (report.Epoch == 0)
        {
            // A resumed run that had already done every epoch: nothing ran, so report where it stands.
            (float loss, float accuracy) = measure();
            report = new EpochReport(session.Epoch, options.Epochs, float.NaN, loss, accuracy, Optimizer.LearningRate, float.NaN, TimeSpan.Zero, session.Elapsed, 0);
        }

        (float Loss, float Accuracy) kept = (report.ValidationLoss, report.ValidationAccuracy);
        int keptEpoch = report.Epoch;
        if (best is not null && best.Epoch != report.Epoch && best.Epoch > 0)
        {
            // Early stopping keeps the best epoch's parameters, however training ended.
            best.Parameters.CopyTo(parameters);
            keptEpoch = best.Epoch;
            kept = measure();
        }

        return new TrainingResult(report.Epoch, reason, report.TrainingLoss, kept.Loss, kept.Accuracy, keptEpoch, session.Elapsed);
    }

    /// <summary>What a checkpoint must agree with to continue this run: model, optimizer, data and the settings that decide the steps.</summary>
    private string Fingerprint(long rows, int features, int classes, string data)
    {
        TrainerOptions o = Options;
        string weights = o.ClassWeights is null ? "none" : o.ClassWeights.IsBalanced ? "balanced" : "given";
        return string.Create(CultureInfo.InvariantCulture, $"model {Model.Shape}; optimizer {Optimizer.GetType().Name} (learning rate {Optimizer.LearningRate:R}); data {rows} rows of {features} features, {classes} classes ({data}); seed {o.Seed}; batch {o.BatchSize}; shuffle {o.Shuffle}; threads {o.Parallelism}; class weights {weights}; weight decay {Optimizer.WeightDecay:R}; clipping {Optimizer.MaxGradientNorm:R}; schedule {o.Schedule}");
    }

    private void CheckPatience(long validationRows, string validation)
    {
        if (Options.Patience > 0 && validationRows == 0)
        {
            throw new ArgumentException("Early stopping (Patience > 0) needs a validation set with rows.", validation);
        }
    }

    private void CheckData(int features, long count, bool hasLabels, int classes, int targetCount, string name)
    {
        if (features != Model.Features)
        {
            throw new ArgumentException($"The {name} data have {features} features; the model {Model.Shape} takes {Model.Features}.", name);
        }

        if (name == "training" && count == 0)
        {
            throw new ArgumentException("The training data have no rows.", name);
        }

        if (Model.Task == ModelTask.Regression)
        {
            if (hasLabels)
            {
                throw new ArgumentException($"The model {Model.Shape} predicts values, but the {name} data have class labels.", name);
            }

            if (targetCount != Model.Outputs)
            {
                throw new ArgumentException($"The model {Model.Shape} predicts {Model.Outputs} {(Model.Outputs == 1 ? "value" : "values")} a row, but the {name} data have {targetCount} {(targetCount == 1 ? "target" : "targets")} a row; a regression predicts one value per target.", name);
            }
        }
        else if (!hasLabels)
        {
            throw new ArgumentException($"The model {Model.Shape} predicts classes, but the {name} data have float targets.", name);
        }
        else if (classes > Model.Shape.Classes)
        {
            throw new ArgumentException($"The {name} data have {classes} classes; the model {Model.Shape} has {Model.Shape.Classes}.", name);
        }
    }
}
