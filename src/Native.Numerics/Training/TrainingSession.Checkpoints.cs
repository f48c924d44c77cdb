using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Native.Numerics.Serialization;

namespace Native.Numerics;

// Checkpoints: the whole state of a run — parameters, the optimizer's state, the losses the divergence guard and the
// epoch's report keep, early stopping's best epoch, and where in the epoch the run is — saved atomically and restored so
// that a resumed run ends bit for bit as an uninterrupted one: every row order is drawn from the seed's stream for its
// epoch (and window), so nothing drawn before the checkpoint needs replaying.
public sealed partial class TrainingSession
{
    private const string FormatKey = "native.checkpoint";
    private const string FormatVersion = "1";

    /// <summary>When checkpoints are due during <see cref="Trainer.Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/>; null for none.</summary>
    internal CheckpointSchedule? Checkpoints { get; set; }

    /// <summary>What the run is (model, optimizer, data, settings): a checkpoint of another run is refused.</summary>
    internal string Fingerprint { get; set; } = "";

    /// <summary>Where a resumed epoch starts: the batches done, the sums so far; null when the next epoch starts afresh.</summary>
    private ResumePoint? _resume;

    /// <summary>
    /// Saves the whole state of the run after its last completed epoch to <paramref name="path"/> (a safetensors file,
    /// written to a temporary name, flushed to the disk and renamed): the parameters, the optimizer's state, the losses
    /// the divergence guard keeps and early stopping's best epoch. <see cref="Trainer.Resume(string, Dataset, Dataset?)"/>
    /// continues from it. Call it between epochs.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void SaveCheckpoint(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(path);
        WriteCheckpoint(path, Epoch, 0, 0, 0);
    }

    /// <summary>Saves the state after <paramref name="batches"/> batches of epoch <paramref name="completed"/> + 1 (0: at the boundary).</summary>
    internal void WriteCheckpoint(string path, int completed, long batches, double lossSum, double weightSum)
    {
        var tensors = new List<(string Name, float[] Values)> { ("parameters", _model.Parameters.ToArray()) };
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = FormatVersion,
            ["fingerprint"] = Fingerprint,
            ["epoch"] = Text(completed),
            ["batches"] = Text(batches),
            ["loss_sum"] = Text(lossSum),
            ["weight_sum"] = Text(weightSum),
            ["starting_loss"] = Text(_startingLoss),
            ["best_loss"] = Text(_bestLoss),
            ["optimizer"] = _optimizer.GetType().FullName ?? _optimizer.GetType().Name,
        };
        if (batches > 0)
        {
            tensors.Add(("last_finite", (float[])_lastFinite.Clone()));
            if (_epochGradient is not null)
            {
                tensors.Add(("epoch_gradient", (float[])_epochGradient.Clone()));
            }
        }

        if (Best is not null)
        {
            tensors.Add(("best.parameters", (float[])Best.Parameters.Clone()));
            metadata["best.epoch"] = Text(Best.Epoch);
            metadata["best.loss"] = Text(Best.Loss);
            metadata["best.without_improvement"] = Text(Best.WithoutImprovement);
        }

        OptimizerState state = _optimizer.SaveStateForCheckpoint();
        foreach ((string name, float[] values) in state.Vectors)
        {
            tensors.Add(("optimizer." + name, values));
        }

        foreach ((string name, double value) in state.Numbers)
        {
            metadata["optimizer." + name] = Text(value);
        }

        float[] data = [.. tensors.SelectMany(t => t.Values)];
        Safetensors.TensorLayout[] layouts = [.. tensors.Select(t => new Safetensors.TensorLayout(t.Name, [t.Values.Length]))];
        string full = Path.GetFullPath(path);
        SaveTarget.Replace(full, path, stream => Safetensors.Write(stream, layouts, metadata, data), null, flushToDisk: true, "the checkpoint", CancellationToken.None);
    }

    /// <summary>Restores the state a checkpoint at <paramref name="path"/> saved, refusing one of another run.</summary>
    /// <exception cref="FileFormatException">The file is not a checkpoint, or is damaged.</exception>
    /// <exception cref="ArgumentException">The checkpoint is of another run (model, optimizer, data or settings), named.</exception>
    internal void Restore(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Safetensors.Contents contents = Safetensors.ReadHeader(stream, path);
        Dictionary<string, string> metadata = contents.Metadata ?? [];
        if (!metadata.TryGetValue(FormatKey, out string? version))
        {
            throw FileFormatException.InFile(path, "it is a safetensors file but not a training checkpoint (no native.checkpoint key).");
        }

        if (version != FormatVersion)
        {
            throw FileFormatException.InFile(path, $"the checkpoint is version {version}; this library reads version {FormatVersion}.");
        }

        string saved = Value(metadata, "fingerprint", path);
        if (saved != Fingerprint)
        {
            throw new ArgumentException($"The checkpoint '{path}' is of another run: {Difference(saved, Fingerprint)}. Resume with the settings it was saved with, or start afresh.", nameof(path));
        }

        byte[] data = contents.ReadDataBuffered(stream);
        float[] Tensor(string name, int length)
        {
            Safetensors.TensorEntry entry = contents.Find(name) ?? throw FileFormatException.InFile(path, $"the checkpoint has no tensor '{name}'.");
            float[] values = MemoryMarshal.Cast<byte, float>(data.AsSpan((int)entry.Begin, (int)(entry.End - entry.Begin))).ToArray();
            return length < 0 || values.Length == length ? values : throw FileFormatException.InFile(path, $"the checkpoint's '{name}' has {values.Length} values; this run keeps {length}.");
        }

        int parameters = _model.Parameters.Length;
        float[] restored = Tensor("parameters", parameters);
        if (restored.AsSpan().IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) >= 0)
        {
            throw FileFormatException.InFile(path, "the checkpoint's parameters are not all finite: it is damaged.");
        }

        // The optimizer's state first (a mismatch refuses the checkpoint before anything of this run changes).
        var state = new OptimizerState();
        foreach (Safetensors.TensorEntry entry in contents.Tensors.Where(t => t.Name.StartsWith("optimizer.", StringComparison.Ordinal)))
        {
            state.Add(entry.Name["optimizer.".Length..], Tensor(entry.Name, -1));
        }

        foreach ((string key, string value) in metadata.Where(pair => pair.Key.StartsWith("optimizer.", StringComparison.Ordinal)))
        {
            state.Add(key["optimizer.".Length..], Number(value, key, path));
        }

        _optimizer.LoadStateFromCheckpoint(parameters, state);
        restored.CopyTo(_model.Parameters);
        Epoch = (int)Number(Value(metadata, "epoch", path), "epoch", path);
        _startingLoss = Number(Value(metadata, "starting_loss", path), "starting_loss", path);
        _bestLoss = Number(Value(metadata, "best_loss", path), "best_loss", path);
        if (Best is not null)
        {
            Tensor("best.parameters", parameters).CopyTo(Best.Parameters, 0);
            Best.Epoch = (int)Number(Value(metadata, "best.epoch", path), "best.epoch", path);
            Best.Loss = (float)Number(Value(metadata, "best.loss", path), "best.loss", path);
            Best.WithoutImprovement = (int)Number(Value(metadata, "best.without_improvement", path), "best.without_improvement", path);
        }

        long batches = (long)Number(Value(metadata, "batches", path), "batches", path);
        if (batches > 0)
        {
            _resume = new ResumePoint(
                batches,
                Number(Value(metadata, "loss_sum", path), "loss_sum", path),
                Number(Value(metadata, "weight_sum", path), "weight_sum", path),
                Tensor("last_finite", parameters),
                _epochGradient is null ? null : Tensor("epoch_gradient", parameters));
        }
    }

    /// <summary>
    /// Where the next epoch starts: at its first batch (the parameters noted as the last finite ones, the epoch's gradient
    /// cleared), or where a checkpoint taken within it left off.
    /// </summary>
    private (long Skip, double LossSum, double WeightSum) TakeResumePoint(Span<float> parameters)
    {
        if (_resume is not { } resume)
        {
            parameters.CopyTo(_lastFinite);
            _epochGradient?.AsSpan().Clear();
            return (0, 0, 0);
        }

        _resume = null;
        resume.LastFinite.CopyTo(_lastFinite, 0);
        resume.EpochGradient?.CopyTo(_epochGradient!, 0);
        return (resume.Batches, resume.LossSum, resume.WeightSum);
    }

    /// <summary>The first setting two fingerprints differ in, in words.</summary>
    private static string Difference(string saved, string now)
    {
        List<string> a = Settings(saved), b = Settings(now);
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            if (a[i] != b[i])
            {
                return $"it was saved with {a[i]}, this run has {b[i]}";
            }
        }

        return $"it was saved for '{saved}', this run is '{now}'";
    }

    /// <summary>
    /// A fingerprint's settings: split at each "; " outside parentheses, so that a setting whose own text has one (the
    /// data's description, "csv; label …") stays whole.
    /// </summary>
    private static List<string> Settings(string fingerprint)
    {
        var settings = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < fingerprint.Length; i++)
        {
            char c = fingerprint[i];
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
            else if (c == ';' && depth == 0 && i + 1 < fingerprint.Length && fingerprint[i + 1] == ' ')
            {
                settings.Add(fingerprint[start..i]);
                start = i + 2;
                i++;
            }
        }

        settings.Add(fingerprint[start..]);
        return settings;
    }

    private static string Value(Dictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out string? value) ? value : throw FileFormatException.InFile(path, $"the checkpoint has no '{key}'.");

    private static double Number(string text, string key, string path) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw FileFormatException.InFile(path, $"the checkpoint's '{key}' is '{text}', not a number.");

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Where a run resumed within an epoch picks it up.</summary>
    private sealed record ResumePoint(long Batches, double LossSum, double WeightSum, float[] LastFinite, float[]? EpochGradient);
}

/// <summary>Early stopping's best epoch so far: its parameters, its validation loss, and the epochs since it.</summary>
internal sealed class BestEpoch(int parameters)
{
    public float[] Parameters { get; } = new float[parameters];

    public float Loss { get; set; } = float.PositiveInfinity;

    public int Epoch { get; set; }

    public int WithoutImprovement { get; set; }
}

/// <summary>
/// When <see cref="Trainer.Fit(Dataset, Dataset?, ITrainingCallback?, CancellationToken)"/> writes a checkpoint: after every
/// <see cref="TrainerOptions.CheckpointEveryEpochs"/> epochs, and after the step at which
/// <see cref="TrainerOptions.CheckpointInterval"/> has passed since the last one (within an epoch too, so a process killed
/// outright loses at most one interval of work).
/// </summary>
internal sealed class CheckpointSchedule(string path, int everyEpochs, TimeSpan interval)
{
    private long _last = Stopwatch.GetTimestamp();

    /// <summary>For tests: called after each checkpoint this thread writes.</summary>
    [ThreadStatic]
    internal static Action? Written;

    public string Path { get; } = path;

    /// <summary>After a step: a checkpoint when the interval has passed.</summary>
    public void AfterStep(TrainingSession session, int completed, long batches, double lossSum, double weightSum)
    {
        if (interval > TimeSpan.Zero && Stopwatch.GetElapsedTime(_last) >= interval)
        {
            session.WriteCheckpoint(Path, completed, batches, lossSum, weightSum);
            _last = Stopwatch.GetTimestamp();
            Written?.Invoke();
        }
    }

    /// <summary>After an epoch (and its early-stopping bookkeeping): a checkpoint when due by epochs or by time.</summary>
    public void AfterEpoch(TrainingSession session)
    {
        bool byEpochs = everyEpochs > 0 && session.Epoch % everyEpochs == 0;
        bool byTime = interval > TimeSpan.Zero && Stopwatch.GetElapsedTime(_last) >= interval;
        if (byEpochs || byTime)
        {
            session.WriteCheckpoint(Path, session.Epoch, 0, 0, 0);
            _last = Stopwatch.GetTimestamp();
            Written?.Invoke();
        }
    }
}
