using System.Globalization;
using Native.Numerics.Kernels;
using Native.Numerics.Streaming;

namespace Native.Numerics;

/// <summary>
/// The memory a training run needs, estimated from the model's shape before the model or any buffer exists, and
/// checked against the memory this process may use: a run that cannot fit is refused up front with one line saying
/// what it needs, what there is and what to change — not minutes later by an <see cref="OutOfMemoryException"/>.
/// </summary>
/// <remarks>
/// <para>
/// The estimate counts, for P parameters of 4 bytes: the model's own copy; the session's gradient and the copy it keeps
/// of the last finite parameters; the best epoch's copy with early stopping, and the epoch's summed gradient with a
/// gradient tolerance; the optimizer's state (<see cref="GradientDescent"/> none, <see cref="Momentum"/> one copy,
/// <see cref="Adam"/> two; an optimizer written outside the library is counted as none); a gradient for each thread
/// beyond the first; each thread's scratch for a chunk of rows through every layer; and the data — rows as stored,
/// labels or targets, weights, and the shuffled row order. A 20,000-20,000 perceptron has 400 million parameters, so
/// with Adam it needs 5 × 1.6 GB.
/// </para>
/// <para>
/// <see cref="AvailableBytes"/> is what the garbage collector may use (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>):
/// the machine's memory, or a container's limit (a cgroup's <c>memory.limit_in_bytes</c>, of which .NET takes 75 % for
/// its heap by default), or <c>DOTNET_GCHeapHardLimit</c>. <see cref="Trainer.Begin(Dataset, Dataset?)"/> and <see cref="Trainer.Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/>
/// check it before they allocate anything; a program that builds a large model should check before building it,
/// with <see cref="Estimate(ModelShape, Optimizer, TrainerOptions, Dataset, Dataset?)"/>.
/// </para>
/// </remarks>
public sealed class TrainingMemory
{
    private TrainingMemory(long parameters, long modelBytes, long trainingBytes, long workspaceBytes, long dataBytes, long budget, StreamPlan? plan = null)
    {
        Parameters = parameters;
        ModelBytes = modelBytes;
        TrainingBytes = trainingBytes;
        WorkspaceBytes = workspaceBytes;
        DataBytes = dataBytes;
        BudgetBytes = budget;
        Plan = plan;
    }

    /// <summary>The model's parameter count.</summary>
    public long Parameters { get; }

    /// <summary>The model's parameters.</summary>
    public long ModelBytes { get; }

    /// <summary>The gradients, copies of the parameters and optimizer state that training keeps beside the model.</summary>
    public long TrainingBytes { get; }

    /// <summary>The threads' scratch memory for the rows they work on.</summary>
    public long WorkspaceBytes { get; }

    /// <summary>The training and validation rows as stored, their labels or targets, weights, and the row order.</summary>
    public long DataBytes { get; }

    /// <summary>Everything counted: the most the run holds at once.</summary>
    public long TotalBytes => ModelBytes + TrainingBytes + WorkspaceBytes + DataBytes;

    /// <summary>The memory this process's garbage collector may use: the machine's, or a container's or the configured heap limit.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// The memory the run may use: <see cref="TrainerOptions.MemoryBudget"/> when set (and below <see cref="AvailableBytes"/>),
    /// else <see cref="AvailableBytes"/>.
    /// </summary>
    public long BudgetBytes { get; }

    /// <summary>Whether <see cref="TotalBytes"/> fits in <see cref="BudgetBytes"/>.</summary>
    public bool Fits => TotalBytes <= BudgetBytes;

    /// <summary>
    /// For rows streamed from a <see cref="RowSource"/>: whether its rows are read in place from the mapped cache, all of them
    /// shuffled each epoch, because the cache fits the budget (else they stream through two windows of
    /// <see cref="StreamWindowBytes"/>, blocks in a random order and the rows of a window shuffled). False for a dataset.
    /// </summary>
    public bool StreamResident => Plan?.Resident == true;

    /// <summary>The bytes of each of the two windows rows stream through (0 when the rows are read in place, or for a dataset): the shuffle buffer.</summary>
    public long StreamWindowBytes => Plan is { Resident: false } plan ? plan.WindowBytes : 0;

    /// <summary>How rows from a row source are read: in place, or through windows of what size (null for a dataset).</summary>
    internal StreamPlan? Plan { get; }

    /// <summary>
    /// The memory training a model of <paramref name="shape"/> with <paramref name="optimizer"/> and
    /// <paramref name="options"/> on <paramref name="training"/> (and <paramref name="validation"/>) needs, before the model is built.
    /// </summary>
    public static TrainingMemory Estimate(ModelShape shape, Optimizer optimizer, TrainerOptions options, Dataset training, Dataset? validation = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        return Compute(shape, optimizer, options, training, validation);
    }

    /// <summary>
    /// The memory training a model of <paramref name="shape"/> on rows streamed from <paramref name="training"/> (and
    /// measured on <paramref name="validation"/>) needs, and how the rows will stream within
    /// <see cref="TrainerOptions.MemoryBudget"/>: read in place from the mapped cache when it fits beside everything else,
    /// else through two windows as large as the rest of the budget allows (at least two blocks each).
    /// </summary>
    public static TrainingMemory Estimate(ModelShape shape, Optimizer optimizer, TrainerOptions options, RowSource training, RowSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(training);
        TrainingMemory core = Compute(shape, optimizer, options, null, null);
        long budget = Budget(options);

        // Beside the rows: the staging batch (floats, labels, weights, its order), each view's bitmap, a measuring batch.
        int stride = Dataset.RowStride(training.Features);
        long batch = Math.Min(options.BatchSize, training.Count);
        long fixedData = (batch * ((4L * stride) + 12)) + (2 * training.Layout.Rows / 8) + (StreamedRows.MeasureRows * ((4L * stride) + 8));
        long rest = budget - core.TotalBytes - fixedData;

        // In place: the mapped cache and the epoch's order (4 bytes a row), when both fit.
        long mapped = training.Layout.TrailerOffset;
        long resident = mapped + (4L * training.Count);
        bool canResident = training.Count <= int.MaxValue && training.Layout.Rows <= int.MaxValue;
        StreamPlan plan;
        long data;
        if (canResident && resident <= rest)
        {
            plan = new StreamPlan(Resident: true, 0, 0);
            data = fixedData + resident;
        }
        else
        {
            // Two windows of rows in the form training reads (one filled while the other trains), each row with its label
            // and weight; the loader's permutation of a window and the block it reads. A window holds at least two blocks.
            WindowFormat format = WindowFormat.Of(training.Layout);
            long perRow = format.BytesPerRow(options.ClassWeights is not null);
            long largestBlock = 0;
            for (int b = 0; b < training.Layout.Blocks.Length; b++)
            {
                largestBlock = Math.Max(largestBlock, training.Layout.BlockLength(b));
            }

            long rows = Math.Max((rest - largestBlock) * 9 / 10 / ((2 * perRow) + 4), 2L * training.Layout.BlockRows);
            rows = Math.Min(rows, Math.Max(training.Count, 2L * training.Layout.BlockRows));
            rows = Math.Min(rows, ((((long)Array.MaxLength - BlockCodecAlignment) * sizeof(float) / format.RowBytes) - batch) / 2);
            plan = new StreamPlan(Resident: false, rows * format.RowBytes, (int)rows);
            data = fixedData + (2 * rows * perRow) + (4L * rows) + largestBlock;
        }

        return new TrainingMemory(core.Parameters, core.ModelBytes, core.TrainingBytes, core.WorkspaceBytes, data, budget, plan);
    }

    /// <summary>The alignment slack of a window's buffer.</summary>
    private const int BlockCodecAlignment = 64;

    /// <summary>The memory a run may use under <paramref name="options"/>.</summary>
    internal static long Budget(TrainerOptions options) => options.MemoryBudget > 0 ? Math.Min(options.MemoryBudget, AvailableBytes) : AvailableBytes;

    /// <summary>
    /// Throws an <see cref="InsufficientMemoryException"/> with one line — what the run needs, what is available, what to
    /// change — when it does not fit.
    /// </summary>
    public void ThrowIfTooLarge()
    {
        long available = BudgetBytes;
        if (TotalBytes > available)
        {
            string may = available < AvailableBytes ? $"the memory budget is {Size(available)}" : $"this process may use {Size(available)}";
            string data = Plan is { Resident: false } plan ? $"streamed data: {Size(DataBytes)}, two windows of {Size(plan.WindowBytes)} at the least" : $"data: {Size(DataBytes)}";
            throw new InsufficientMemoryException(string.Create(CultureInfo.InvariantCulture, $"Training needs about {Size(TotalBytes)} (a model of {Parameters:N0} parameters: {Size(ModelBytes)}; gradients, copies and optimizer state: {Size(TrainingBytes)}; scratch: {Size(WorkspaceBytes)}; {data}), but {may}; use a smaller model, fewer threads, or an optimizer that keeps less (plain gradient descent keeps nothing, momentum one copy of the parameters, Adam two)."));
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Size(TotalBytes)}: model {Size(ModelBytes)}, training state {Size(TrainingBytes)}, scratch {Size(WorkspaceBytes)}, data {Size(DataBytes)}");

    private static TrainingMemory Compute(ModelShape shape, Optimizer optimizer, TrainerOptions options, Dataset? training, Dataset? validation)
    {
        long parameters = shape.ParameterCount;
        long copy = 4 * (parameters + AlignedBuffer.FloatsPerLine);

        // Beside the model: the gradient and the last finite parameters always; the best epoch's and the epoch's
        // summed gradient when asked for; the optimizer's state; a gradient per extra thread; and, for a batch of
        // several chunks stepped in place, the thread's gradient.
        long copies = 2 + (options.Patience > 0 ? 1 : 0) + (options.GradientTolerance > 0f ? 1 : 0) + StateCopies(optimizer) + (options.Parallelism - 1);
        if (options.Parallelism == 1 && Math.Min(options.BatchSize, training?.Count ?? int.MaxValue) > ParameterLayout.ChunkRows)
        {
            copies++;
        }

        // Each thread's scratch: a chunk of rows' values and errors through every layer (ParameterLayout), and room for the
        // chunk's rows standardized.
        long chunk = shape.Layout.ChunkWorkspaceTotal + (ParameterLayout.ChunkRows * ParameterLayout.PaddedWidth(shape.Features));
        long workspace = 4 * chunk * options.Parallelism;

        // The data: each dataset's rows (storage shared by two datasets counted once), the row order, the row weights.
        long data = training is null ? 0 : training.MemoryBytes + (4L * training.Count) + (options.ClassWeights is null && training.SampleWeights.IsEmpty ? 0 : 4L * training.Count);
        if (validation is not null)
        {
            data += validation.SharesRowsWith(training!) ? validation.ViewBytes : validation.MemoryBytes;
        }

        return new TrainingMemory(parameters, copy, copies * copy, workspace, data, Budget(options));
    }

    /// <summary>Copies of the parameters an optimizer keeps: velocity, or Adam's two moments.</summary>
    private static int StateCopies(Optimizer optimizer) => optimizer switch
    {
        Adam => 2,
        Momentum => 1,
        _ => 0,
    };

    private static string Size(long bytes) => bytes switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.0} GB"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
    };
}
