namespace Native.Numerics;

/// <summary>How a <see cref="Trainer"/> trains: epochs, batch size, shuffling, stopping rules and weighting.</summary>
public sealed class TrainerOptions
{
    /// <summary>The most epochs to run (default 10).</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>
    /// Rows per gradient step (default 32): 1 is stochastic gradient descent, the training-set size (or
    /// more) is full-batch gradient descent, anything between is mini-batch gradient descent.
    /// </summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>The seed of the row order; the same seed, data and model give bit-identical parameters.</summary>
    public int Seed { get; set; }

    /// <summary>Whether to visit the rows in a fresh random order each epoch (default true).</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>How the learning rate changes per epoch (default constant).</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>
    /// Stop when the norm of the epoch's mean gradient falls below this (default 0: off). For full-batch
    /// training that is the norm of the true gradient at the start of each step's parameters.
    /// </summary>
    public float GradientTolerance { get; set; }

    /// <summary>
    /// Early stopping: stop after this many epochs without the validation loss improving, and restore the
    /// parameters of the best epoch (default 0: off; needs a validation set).
    /// </summary>
    public int Patience { get; set; }

    /// <summary>The decrease of the validation loss that counts as an improvement (default 0).</summary>
    public float MinimumImprovement { get; set; }

    /// <summary>Per-class weights multiplying each row's sample weight (default none).</summary>
    public ClassWeights? ClassWeights { get; set; }

    /// <summary>
    /// Threads that share each batch's gradient (default 1). The batch is split evenly and the parts' gradients
    /// are added in a fixed order, so results are bit-identical run to run for a given parallelism (though not
    /// between parallelisms: float addition is not associative). Each thread beyond the first holds a copy of the
    /// gradient (the parameters' size). More threads than the machine's processors
    /// (<see cref="Environment.ProcessorCount"/>) only slow training: they still give the same results, but wait
    /// for work by sleeping rather than spinning.
    /// </summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>
    /// The divergence guard's factor (default 10,000): training stops with a <see cref="TrainingDivergedException"/>
    /// when an epoch's mean training loss exceeds this many times the best mean loss so far and also exceeds the loss
    /// training started from (the first batch's, before any step) — a loss that oscillates near zero is not
    /// divergence; one that explodes past its start is. A loss or parameter that becomes NaN or infinite always
    /// stops training. 0 turns the factor off.
    /// </summary>
    public float DivergenceFactor { get; set; } = 10_000f;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(Patience, nameof(Patience));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        ArgumentOutOfRangeException.ThrowIfLessThan(Parallelism, 1, nameof(Parallelism));
        if (!(GradientTolerance >= 0f) || float.IsPositiveInfinity(GradientTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(GradientTolerance), GradientTolerance, "The gradient tolerance must be finite and not negative.");
        }

        if (DivergenceFactor != 0f && !(DivergenceFactor > 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), DivergenceFactor, "The divergence factor must be above 1 (or 0, for off).");
        }

        if (!(MinimumImprovement >= 0f) || float.IsPositiveInfinity(MinimumImprovement))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumImprovement), MinimumImprovement, "The minimum improvement must be finite and not negative.");
        }
    }
}
