namespace Native.Numerics;

/// <summary>What happened in one epoch, as given to an <see cref="ITrainingCallback"/>.</summary>
/// <param name="Epoch">The epoch just finished, counted from 1.</param>
/// <param name="Epochs">The most epochs the run may take.</param>
/// <param name="TrainingLoss">The mean (sample-weighted) loss over the epoch's batches, each measured before its step.</param>
/// <param name="ValidationLoss">The mean loss on the validation set after the epoch, or NaN without one.</param>
/// <param name="ValidationAccuracy">The fraction of validation rows classified correctly, or NaN (no validation set, or regression).</param>
/// <param name="LearningRate">The learning rate used in the epoch.</param>
/// <param name="GradientNorm">The norm of the epoch's mean gradient, or NaN when it is not tracked (no gradient tolerance set).</param>
/// <param name="Elapsed">The time the epoch took, validation included.</param>
/// <param name="TotalElapsed">The time since training started.</param>
/// <param name="RowsPerSecond">Training rows processed per second in the epoch.</param>
public readonly record struct EpochReport(
    int Epoch,
    int Epochs,
    float TrainingLoss,
    float ValidationLoss,
    float ValidationAccuracy,
    float LearningRate,
    float GradientNorm,
    TimeSpan Elapsed,
    TimeSpan TotalElapsed,
    double RowsPerSecond);

/// <summary>Whether training goes on after an epoch.</summary>
public enum TrainingDecision
{
    /// <summary>Run the next epoch (unless another rule stops training).</summary>
    Continue,

    /// <summary>Stop now.</summary>
    Stop,
}

/// <summary>Receives a report after each epoch and may stop training. Called on the training thread.</summary>
public interface ITrainingCallback
{
    /// <summary>Called after each epoch, validation included.</summary>
    TrainingDecision OnEpoch(in EpochReport report);
}

/// <summary>Why training stopped.</summary>
public enum StopReason
{
    /// <summary>It ran every epoch.</summary>
    MaxEpochs,

    /// <summary>The epoch's mean gradient norm fell below <see cref="TrainerOptions.GradientTolerance"/>.</summary>
    GradientTolerance,

    /// <summary>The validation loss stopped improving for <see cref="TrainerOptions.Patience"/> epochs.</summary>
    EarlyStopping,

    /// <summary>The callback asked to stop.</summary>
    Callback,
}

/// <summary>The outcome of <see cref="Trainer.Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/>.</summary>
/// <param name="Epochs">The epochs run.</param>
/// <param name="StopReason">Why training stopped.</param>
/// <param name="TrainingLoss">The last epoch's mean training loss.</param>
/// <param name="ValidationLoss">The validation loss of the parameters kept, or NaN without a validation set.</param>
/// <param name="ValidationAccuracy">The validation accuracy of the parameters kept, or NaN.</param>
/// <param name="BestEpoch">The epoch whose parameters were kept: the last, or with early stopping the best.</param>
/// <param name="Elapsed">The whole training time.</param>
public readonly record struct TrainingResult(
    int Epochs,
    StopReason StopReason,
    float TrainingLoss,
    float ValidationLoss,
    float ValidationAccuracy,
    int BestEpoch,
    TimeSpan Elapsed);
