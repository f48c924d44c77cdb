using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Native.Numerics.Hosting;

/// <summary>A model registered by <c>AddNativeModel</c>: its name, which names its options too.</summary>
internal sealed record NativeModelRegistration(string Name);

/// <summary>
/// The registered models, each loaded when the provider is created (a file that cannot be loaded then stops the host from
/// starting, with the reader's message) and, with <see cref="NativeModelOptions.ReloadOnChange"/>, kept current.
/// </summary>
internal sealed class NativeModelProvider : INativeModelProvider, IDisposable
{
    private readonly Dictionary<string, ModelSlot> _slots = new(StringComparer.Ordinal);
    private readonly string[] _names;

    public NativeModelProvider(IEnumerable<NativeModelRegistration> registrations, IOptionsMonitor<NativeModelOptions> options, NativeModelMetrics metrics, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ILogger logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Native.Numerics.Hosting.NativeModelProvider");
        try
        {
            foreach (NativeModelRegistration registration in registrations)
            {
                _slots.Add(registration.Name, new ModelSlot(registration.Name, options.Get(registration.Name), logger, metrics, time ?? TimeProvider.System));
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        _names = [.. _slots.Keys];
    }

    public IReadOnlyList<string> Names => _names;

    public NativeModel GetModel(string name) => Slot(name).Current;

    public bool TryGetModel(string name, [NotNullWhen(true)] out NativeModel? model)
    {
        ArgumentNullException.ThrowIfNull(name);
        model = _slots.TryGetValue(name, out ModelSlot? slot) ? slot.Current : null;
        return model is not null;
    }

    public NativeModelStatus GetStatus(string name) => Slot(name).Status;

    /// <summary>The slot behind a name, for the tests (and for reloading by hand).</summary>
    internal ModelSlot Slot(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _slots.TryGetValue(name, out ModelSlot? slot)
            ? slot
            : throw new KeyNotFoundException(_slots.Count == 0
                ? $"No model named '{name}' is registered: none is (services.AddNativeModel)."
                : $"No model named '{name}' is registered; the models are {string.Join(", ", _slots.Keys)}.");
    }

    public void Dispose()
    {
        foreach (ModelSlot slot in _slots.Values)
        {
            slot.Dispose();
        }
    }
}
