using System.Diagnostics;
using System.Globalization;
using System.Text;
using Native.Numerics;
using Xunit.Abstractions;

namespace Native.Tests.Fuzzing;

/// <summary>One hostile input: its bytes, how it was made (to replay it), and whether to read it through a stream that cannot seek.</summary>
/// <param name="Bytes">The input.</param>
/// <param name="Description">How it was made from which valid file.</param>
/// <param name="Seekable">Whether to read it through a seekable stream (else one that cannot seek or say its length).</param>
/// <param name="EffectiveSize">The size the allocation bound is proportional to: the length, or for gzip the decompressed length.</param>
/// <param name="Tag">What the format's loader needs to know about the mutant (which valid file it came from, say).</param>
internal sealed record Mutant(byte[] Bytes, string Description, bool Seekable, long EffectiveSize, int Tag = 0)
{
    public Stream Open() => Seekable ? new MemoryStream(Bytes, writable: false) : new Support.ForwardOnlyStream(Bytes);
}

/// <summary>
/// Runs a reader over many mutants of valid files and holds it to its contract: every input either loads or
/// throws <see cref="FileFormatException"/> — never another exception, never a hang, never an allocation
/// out of proportion to the input.
/// </summary>
/// <remarks>
/// <para>
/// The cases run on a worker thread while the test's thread watches: a case that runs longer than
/// <see cref="CaseTimeout"/> fails the test at once, naming the case, even if it never returns (the worker is a
/// background thread, so a true hang cannot keep the process alive). A slow case that does return fails too.
/// </para>
/// <para>
/// Each case's allocations are measured on the worker thread with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> and held to
/// <see cref="AllocationFactor"/> (unless the format says otherwise) × the input's effective size (its length, or for gzip its decompressed
/// length) + <see cref="AllocationAllowance"/> (exception objects, messages, the readers' first buffers).
/// </para>
/// <para>
/// The number of mutants per format is <see cref="DefaultMutants"/>, or <c>NATIVE_FUZZ_MUTANTS</c>; the seed is
/// fixed, or <c>NATIVE_FUZZ_SEED</c>. Case i of seed s is always the same mutant, so a failure names the seed
/// and the case to replay it, and prints the mutant's bytes.
/// </para>
/// </remarks>
internal static class Fuzzer
{
    public const int DefaultMutants = 50_000;

    public const long AllocationFactor = 16;

    public const long AllocationAllowance = 512 * 1024;

    private const int DefaultSeed = 20261122;

    private const int MaxFailures = 5;

    public static readonly int Mutants = Variable("NATIVE_FUZZ_MUTANTS", DefaultMutants);

    public static readonly int Seed = Variable("NATIVE_FUZZ_SEED", DefaultSeed);

    public static readonly TimeSpan CaseTimeout = TimeSpan.FromMilliseconds(Variable("NATIVE_FUZZ_CASE_TIMEOUT_MS", 1000));

    /// <summary>The random source of case <paramref name="index"/>: the same for the same seed, on every machine.</summary>
    public static Random CaseRandom(int index) => new(unchecked((Seed * 1_000_003) + index));

    /// <summary>
    /// Runs <see cref="Mutants"/> cases: <paramref name="mutate"/> makes case i's mutant, <paramref name="load"/>
    /// reads it (returning normally if it loaded), <paramref name="verify"/> checks what loaded.
    /// </summary>
    public static void Run<T>(string format, ITestOutputHelper output, Func<int, Mutant> mutate, Func<Mutant, T> load, Action<T> verify, long allocationFactor = AllocationFactor, int? mutants = null, TimeSpan? caseTimeout = null)
    {
        int count = mutants ?? Mutants;
        TimeSpan timeout = caseTimeout ?? CaseTimeout;
        var watch = new Watch();
        var failures = new List<string>();
        int loaded = 0, refused = 0, ran = 0;
        long worstAllocation = 0;
        double worstShare = 0;
        TimeSpan slowest = TimeSpan.Zero;
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal);

        var worker = new Thread(() =>
        {
            for (int i = 0; i < count && failures.Count < MaxFailures; i++)
            {
                Mutant mutant = mutate(i);
                ran++;
                watch.Begin(i, mutant);
                long before = GC.GetAllocatedBytesForCurrentThread();
                long started = Stopwatch.GetTimestamp();
                T result = default!;
                Exception? error = null;
                try
                {
                    result = load(mutant);
                }
#pragma warning disable CA1031 // Catching everything is the point: anything but FileFormatException is a finding.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    error = e;
                }

                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                watch.End();

                slowest = elapsed > slowest ? elapsed : slowest;
                long bound = (allocationFactor * mutant.EffectiveSize) + AllocationAllowance;
                worstAllocation = Math.Max(worstAllocation, allocated);
                worstShare = Math.Max(worstShare, allocated / (double)bound);
                if (error is null)
                {
                    loaded++;
                    try
                    {
                        verify(result);
                    }
#pragma warning disable CA1031
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        failures.Add(Describe(format, i, mutant, $"loaded, but what loaded is wrong: {e}"));
                    }
                }
                else if (error is FileFormatException refusal)
                {
                    refused++;
                    string kind = Kind(refusal.Message);
                    refusals[kind] = refusals.GetValueOrDefault(kind) + 1;
                }
                else
                {
                    failures.Add(Describe(format, i, mutant, $"threw {error.GetType().FullName}, not FileFormatException: {error}"));
                }

                if (elapsed > timeout)
                {
                    failures.Add(Describe(format, i, mutant, $"took {elapsed.TotalMilliseconds:F0} ms, above the {timeout.TotalMilliseconds:F0} ms limit"));
                }

                if (allocated > bound)
                {
                    failures.Add(Describe(format, i, mutant, $"allocated {allocated:N0} bytes, above the bound {bound:N0} ({allocationFactor} × {mutant.EffectiveSize:N0} + {AllocationAllowance:N0})"));
                }
            }
        })
        {
            IsBackground = true,
            Name = $"fuzz {format}",
        };

        long start = Stopwatch.GetTimestamp();
        worker.Start();
        while (!worker.Join(50))
        {
            if (watch.Overdue(timeout) is string hung)
            {
                Assert.Fail($"{format}: {hung}");
            }
        }

        TimeSpan total = Stopwatch.GetElapsedTime(start);
        output.WriteLine(Invariant($"{format}: {ran:N0} mutants in {total.TotalSeconds:F2} s ({ran / total.TotalSeconds:N0}/s), seed {Seed}: {loaded:N0} loaded, {refused:N0} refused with FileFormatException; slowest case {slowest.TotalMilliseconds:F1} ms; most allocated {worstAllocation:N0} bytes; closest to the bound ({allocationFactor} × input + {AllocationAllowance / 1024} KiB): {100 * worstShare:F0}% of it."));
        foreach ((string kind, int times) in refusals.OrderByDescending(r => r.Value).Take(25))
        {
            output.WriteLine(Invariant($"  {times,6} {kind}"));
        }

        if (failures.Count > 0)
        {
            Assert.Fail(string.Join("\n\n", failures));
        }

        Assert.True(loaded + refused >= count, Invariant($"{format}: only {loaded + refused} of {count} cases ran."));
    }

    /// <summary>The message of a refusal without the numbers and quoted text, to count refusals by kind.</summary>
    private static string Kind(string message)
    {
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        string text = colon >= 0 ? message[(colon + 2)..] : message;
        var kind = new StringBuilder();
        bool quoted = false;
        foreach (char c in text.Length > 70 ? text[..70] : text)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                kind.Append(c);
            }
            else if (!quoted)
            {
                kind.Append(char.IsDigit(c) ? '#' : c);
            }
        }

        return kind.ToString();
    }

    private static string Describe(string format, int index, Mutant mutant, string what) =>
        Invariant($"{format}, seed {Seed}, case {index} ({mutant.Description}; {(mutant.Seekable ? "seekable" : "forward-only")} stream, {mutant.Bytes.Length} bytes) {what}\nMutant (base64): {Convert.ToBase64String(mutant.Bytes)}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static int Variable(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : fallback;

    /// <summary>What the worker is doing, for the watching thread.</summary>
    private sealed class Watch
    {
        private readonly Lock _gate = new();
        private long _started;
        private int _index;
        private Mutant? _mutant;

        public void Begin(int index, Mutant mutant)
        {
            lock (_gate)
            {
                (_index, _mutant, _started) = (index, mutant, Stopwatch.GetTimestamp());
            }
        }

        public void End()
        {
            lock (_gate)
            {
                _started = 0;
            }
        }

        /// <summary>A description of the running case if it has run longer than <paramref name="limit"/>, else null.</summary>
        public string? Overdue(TimeSpan limit)
        {
            lock (_gate)
            {
                if (_started == 0 || Stopwatch.GetElapsedTime(_started) <= limit)
                {
                    return null;
                }

                // Allow the GC or the machine a pause: only a case three times over the limit and still running is a hang.
                return Stopwatch.GetElapsedTime(_started) > 3 * limit
                    ? Invariant($"seed {Seed}, case {_index} ({_mutant!.Description}) has run for {Stopwatch.GetElapsedTime(_started).TotalSeconds:F1} s without returning: a hang.\nMutant (base64): {Convert.ToBase64String(_mutant.Bytes)}")
                    : null;
            }
        }
    }
}
