using System.Diagnostics.CodeAnalysis;

namespace Native.Numerics.Hosting;

/// <summary>
/// Hands out the current version of each registered model. Take one <see cref="NativeModel"/> per request and predict
/// with it: a reload swaps in a new one with one reference assignment, never a half-loaded model, and never a moment
/// without one.
/// </summary>
public interface INativeModelProvider
{
    /// <summary>The registered models' names, in the order they were registered.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>The current version of the model named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No model of that name is registered; the message lists those that are.</exception>
    NativeModel GetModel(string name);

    /// <summary>The current version of the model named <paramref name="name"/>, or false when there is none of that name.</summary>
    bool TryGetModel(string name, [NotNullWhen(true)] out NativeModel? model);

    /// <summary>The model's current version and the last refused version of its file, if any.</summary>
    /// <exception cref="KeyNotFoundException">No model of that name is registered.</exception>
    NativeModelStatus GetStatus(string name);
}
