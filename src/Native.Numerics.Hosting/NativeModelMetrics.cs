using System.Diagnostics.Metrics;

namespace Native.Numerics.Hosting;

/// <summary>
/// The models' metrics through <see cref="System.Diagnostics.Metrics"/>, on a <see cref="Meter"/> named
/// <see cref="MeterName"/>: rows predicted, prediction time, reloads and refusals, each tagged with the model's name
/// (<c>native.model</c>). OpenTelemetry, <c>dotnet-counters</c> or a <see cref="MeterListener"/> collect them; nothing
/// is recorded anywhere unless one listens, and then a record costs a few nanoseconds and allocates nothing.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>native.model.predictions</c> (counter, rows): rows the model answered. <see cref="RecordPredictions"/>.</item>
/// <item><c>native.model.prediction.duration</c> (histogram, seconds): the time of one call that predicted them.</item>
/// <item><c>native.model.refusals</c> (counter, rows): rows refused, tagged <c>reason</c> (a bad row, outputs not finite…). <see cref="RecordRefusal"/>.</item>
/// <item><c>native.model.reloads</c> (counter): loads of a changed file, tagged <c>outcome</c>: <c>loaded</c> or <c>refused</c>. Recorded by the provider.</item>
/// </list>
/// </remarks>
public sealed class NativeModelMetrics : IDisposable
{
    /// <summary>The meter's name: the package's.</summary>
    public const string MeterName = "Native.Numerics.Hosting";

    private const string ModelTag = "native.model";

    // Prediction times of these models run from about a microsecond to milliseconds: buckets where they fall.
    private static readonly double[] s_durationBuckets = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 0.1, 1];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _predictions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _reloads;

    /// <summary>The meter the instruments are on (a listener tells this host's from another's by it).</summary>
    internal Meter Meter => _meter;

    /// <summary>The instruments, on a meter from <paramref name="meterFactory"/> (the host's), or on a meter of their own when null.</summary>
    public NativeModelMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _predictions = _meter.CreateCounter<long>("native.model.predictions", "{row}", "Rows the model answered.");
        _duration = _meter.CreateHistogram<double>("native.model.prediction.duration", "s", "The time of one call that predicted rows.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBuckets });
        _refusals = _meter.CreateCounter<long>("native.model.refusals", "{row}", "Rows refused: a bad row, or outputs that are not finite.");
        _reloads = _meter.CreateCounter<long>("native.model.reloads", "{reload}", "Loads of a changed model file: loaded, or refused (the previous model serving on).");
    }

    /// <summary>Records that <paramref name="model"/> answered <paramref name="rows"/> rows in one call that took <paramref name="elapsed"/>.</summary>
    public void RecordPredictions(NativeModel model, int rows, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tag = new KeyValuePair<string, object?>(ModelTag, model.Name);
        _predictions.Add(rows, tag);
        _duration.Record(elapsed.TotalSeconds, tag);
    }

    /// <summary>Records that <paramref name="rows"/> rows sent to <paramref name="model"/> were refused, and why (a short word: <c>bad_row</c>, <c>not_finite</c>…).</summary>
    public void RecordRefusal(NativeModel model, int rows, string reason)
    {
        ArgumentNullException.ThrowIfNull(model);
        _refusals.Add(rows, new KeyValuePair<string, object?>(ModelTag, model.Name), new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>Records a load of a changed file: <paramref name="loaded"/> true if swapped in, false if refused.</summary>
    internal void RecordReload(string model, bool loaded) =>
        _reloads.Add(1, new KeyValuePair<string, object?>(ModelTag, model), new KeyValuePair<string, object?>("outcome", loaded ? "loaded" : "refused"));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
