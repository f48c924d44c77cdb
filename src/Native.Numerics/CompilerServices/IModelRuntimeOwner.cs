using System.ComponentModel;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// A model that runs on a <see cref="ModelRuntime"/>: every run-time-shaped and every generated model. Not for direct
/// use: it lets the library's tests run any model at every vector width in one process.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IModelRuntimeOwner
{
    /// <summary>The engine the model's operations run on.</summary>
    ModelRuntime Runtime { get; }
}
