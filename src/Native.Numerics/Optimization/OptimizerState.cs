namespace Native.Numerics;

/// <summary>
/// An optimizer's state by name — vectors (a velocity, Adam's moments) and numbers (a step count) — as a training checkpoint
/// saves and restores it: an optimizer with state writes it in <see cref="Optimizer.SaveState"/> and reads it back in
/// <see cref="Optimizer.LoadState"/>, so a resumed run steps exactly as an uninterrupted one would have.
/// </summary>
public sealed class OptimizerState
{
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _numbers = new(StringComparer.Ordinal);

    /// <summary>The vectors, by name.</summary>
    internal IReadOnlyDictionary<string, float[]> Vectors => _vectors;

    /// <summary>The numbers, by name.</summary>
    internal IReadOnlyDictionary<string, double> Numbers => _numbers;

    /// <summary>Keeps a copy of <paramref name="values"/> as the vector <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or already used.</exception>
    public void Write(string name, ReadOnlySpan<float> values)
    {
        CheckNew(name);
        _vectors.Add(name, values.ToArray());
    }

    /// <summary>Keeps <paramref name="value"/> as the number <paramref name="name"/> (exactly: doubles are saved to the bit).</summary>
    /// <exception cref="ArgumentException">The name is empty or already used.</exception>
    public void Write(string name, double value)
    {
        CheckNew(name);
        _numbers.Add(name, value);
    }

    /// <summary>Copies the vector <paramref name="name"/> into <paramref name="destination"/>, which must be its length.</summary>
    /// <exception cref="ArgumentException">There is no such vector, or its length is not the destination's: the checkpoint is not this optimizer's.</exception>
    public void Read(string name, Span<float> destination)
    {
        if (!_vectors.TryGetValue(name, out float[]? values))
        {
            throw new ArgumentException($"The checkpoint has no optimizer state '{name}': it was written by another optimizer.", nameof(name));
        }

        if (values.Length != destination.Length)
        {
            throw new ArgumentException($"The checkpoint's optimizer state '{name}' has {values.Length} values; this optimizer keeps {destination.Length}.", nameof(name));
        }

        values.CopyTo(destination);
    }

    /// <summary>The number <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">There is no such number: the checkpoint was written by another optimizer.</exception>
    public double ReadNumber(string name) =>
        _numbers.TryGetValue(name, out double value) ? value : throw new ArgumentException($"The checkpoint has no optimizer state '{name}': it was written by another optimizer.", nameof(name));

    /// <summary>Adds a vector read from a checkpoint.</summary>
    internal void Add(string name, float[] values) => _vectors[name] = values;

    /// <summary>Adds a number read from a checkpoint.</summary>
    internal void Add(string name, double value) => _numbers[name] = value;

    private void CheckNew(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_vectors.ContainsKey(name) || _numbers.ContainsKey(name))
        {
            throw new ArgumentException($"The optimizer state '{name}' is written twice.", nameof(name));
        }
    }
}
