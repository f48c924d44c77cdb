namespace Native.Numerics;

/// <summary>How a <see cref="Trainer"/> trains: epochs, batch size, shuffling, stopping rules and weighting.</summary>
/// <remarks>
/// Each setter refuses a value that cannot mean anything with an <see cref="ArgumentOutOfRangeException"/> naming the
/// setting, where the mistake is made: options that exist are always valid.
/// </remarks>
public sealed class TrainerOptions
{
    private int _epochs = 10;
    private int _batchSize = 32;
    private LearningRateSchedule _schedule = LearningRateSchedule.Constant;
    private float _gradientTolerance;
    private int _patience;
    private float _minimumImprovement;
    private int _parallelism = 1;
    private float _divergenceFactor = 10_000f;
    private long _memoryBudget;
    private int _checkpointEveryEpochs;
    private TimeSpan _checkpointInterval;

    /// <summary>The most epochs to run (default 10; at least 1).</summary>
    public int Epochs
    {
        get => _epochs;
        set => _epochs = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Epochs), value, "Epochs must be at least 1.");
    }

    /// <summary>
    /// Rows per gradient step (default 32; at least 1): 1 is stochastic gradient descent, the training-set size (or
    /// more) is full-batch gradient descent, anything between is mini-batch gradient descent.
    /// </summary>
    public int BatchSize
    {
        get => _batchSize;
        set => _batchSize = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "The batch size must be at least 1 row.");
    }

    /// <summary>The seed of the row order; the same seed, data and model give bit-identical parameters.</summary>
    public int Seed { get; set; }

    /// <summary>Whether to visit the rows in a fresh random order each epoch (default true).</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>How the learning rate changes per epoch (default constant).</summary>
    public LearningRateSchedule Schedule
    {
        get => _schedule;
        set => _schedule = value ?? throw new ArgumentNullException(nameof(Schedule));
    }

    /// <summary>
    /// Stop when the norm of the epoch's mean gradient falls below this (default 0: off; finite, not negative). For
    /// full-batch training that is the norm of the true gradient at the start of each step's parameters.
    /// </summary>
    public float GradientTolerance
    {
        get => _gradientTolerance;
        set => _gradientTolerance = value >= 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(GradientTolerance), value, "The gradient tolerance must be finite and not negative.");
    }

    /// <summary>
    /// Early stopping: stop after this many epochs without the validation loss improving, and restore the
    /// parameters of the best epoch (default 0: off; needs a validation set).
    /// </summary>
    public int Patience
    {
        get => _patience;
        set => _patience = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Patience), value, "The patience must be 0 (off) or a number of epochs.");
    }

    /// <summary>The decrease of the validation loss that counts as an improvement (default 0; finite, not negative).</summary>
    public float MinimumImprovement
    {
        get => _minimumImprovement;
        set => _minimumImprovement = value >= 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MinimumImprovement), value, "The minimum improvement must be finite and not negative.");
    }

    /// <summary>Per-class weights multiplying each row's sample weight (default none).</summary>
    public ClassWeights? ClassWeights { get; set; }

    /// <summary>
    /// Threads that share each batch's gradient (default 1). The batch is split evenly and the parts' gradients
    /// are added in a fixed order, so results are bit-identical run to run for a given parallelism (though not
    /// between parallelisms: float addition is not associative). Each thread beyond the first holds a copy of the
    /// gradient (the parameters' size). More threads than the machine's processors
    /// (<see cref="Environment.ProcessorCount"/>) only slow training: they still give the same results, but wait
    /// for work by sleeping rather than spinning. At most <see cref="MaxParallelism"/>: 64, or the processor count
    /// where that is larger — so a parallelism up to 64 is accepted on every machine (to reproduce a result from a
    /// larger one), and a mistaken 100,000 is refused before any thread starts.
    /// </summary>
    public int Parallelism
    {
        get => _parallelism;
        set => _parallelism = value >= 1 && value <= MaxParallelism
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Parallelism), value, FormattableString.Invariant($"Parallelism must be from 1 to {MaxParallelism} threads (64, or the processors here if more; this machine has {Environment.ProcessorCount})."));
    }

    /// <summary>
    /// The largest <see cref="Parallelism"/> accepted here: 64 or <see cref="Environment.ProcessorCount"/>, whichever is
    /// larger. Every thread beyond the processors only waits its turn, and each holds a copy of the gradient.
    /// </summary>
    public static int MaxParallelism => Math.Max(64, Environment.ProcessorCount);

    /// <summary>
    /// The memory a training run may use, in bytes (default 0: all this process may use, <see cref="TrainingMemory.AvailableBytes"/>
    /// — the machine's, or its container's limit). Training checks its estimate (<see cref="TrainingMemory"/>) against it
    /// before it allocates anything; rows streamed from a <see cref="RowSource"/> take what the rest leaves — read in place
    /// when the cache fits, else through windows that size. Not negative.
    /// </summary>
    public long MemoryBudget
    {
        get => _memoryBudget;
        set => _memoryBudget = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MemoryBudget), value, "The memory budget must be 0 (all available) or a number of bytes.");
    }

    /// <summary>
    /// Where <see cref="Trainer.Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> saves checkpoints of the run
    /// (a safetensors file, written atomically), when <see cref="CheckpointEveryEpochs"/> or <see cref="CheckpointInterval"/>
    /// asks for them; with <see cref="Resume"/>, where it continues from. Null (the default) for none.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>A checkpoint after every this many epochs (default 0: not by epochs).</summary>
    public int CheckpointEveryEpochs
    {
        get => _checkpointEveryEpochs;
        set => _checkpointEveryEpochs = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(CheckpointEveryEpochs), value, "Checkpoints every N epochs need N of at least 1 (or 0, for none by epochs).");
    }

    /// <summary>
    /// A checkpoint once this much time has passed since the last (default zero: not by time), taken after the step at which
    /// it passes — within an epoch too — so a process killed outright loses at most about one interval of work.
    /// </summary>
    public TimeSpan CheckpointInterval
    {
        get => _checkpointInterval;
        set => _checkpointInterval = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), value, "The checkpoint interval must not be negative (zero: none by time).");
    }

    /// <summary>
    /// Whether <see cref="Trainer.Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> continues from the
    /// checkpoint at <see cref="CheckpointPath"/> when there is one (default false). With the same seed, data and settings
    /// the resumed run ends bit for bit as an uninterrupted one; a checkpoint of another run is refused.
    /// </summary>
    public bool Resume { get; set; }

    /// <summary>
    /// The divergence guard's factor (default 10,000): training stops with a <see cref="TrainingDivergedException"/>
    /// when an epoch's mean training loss exceeds this many times the best mean loss so far and also exceeds the loss
    /// training started from (the first batch's, before any step) — a loss that oscillates near zero is not
    /// divergence; one that explodes past its start is. A loss or parameter that becomes NaN or infinite always
    /// stops training. 0 turns the factor off; otherwise it must be finite and above 1.
    /// </summary>
    public float DivergenceFactor
    {
        get => _divergenceFactor;
        set => _divergenceFactor = value == 0f || (value > 1f && float.IsFinite(value))
            ? value
            : throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), value, "The divergence factor must be finite and above 1 (or 0, for off).");
    }
}
