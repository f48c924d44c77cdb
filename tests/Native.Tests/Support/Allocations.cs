namespace Native.Tests.Support;

/// <summary>Measures what an action allocates on the calling thread, after warming it up.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="warmups"/> times (so static constructors and per-thread
    /// buffers are done), then returns the bytes allocated on this thread by <paramref name="repeats"/> more
    /// runs — the least of <paramref name="attempts"/> such measurements.
    /// </summary>
    /// <remarks>
    /// The runtime itself sometimes allocates on the calling thread while it swaps in recompiled code (tiered
    /// compilation finishes in the background, at a moment no warm-up can pin down). That happens once; an
    /// allocation made by the action happens in every attempt, so the least of a few attempts tells them apart.
    /// </remarks>
    public static long Measure(Action action, int warmups = 3, int repeats = 10, int attempts = 5)
    {
        for (int i = 0; i < warmups; i++)
        {
            action();
        }

        long least = long.MaxValue;
        for (int attempt = 0; attempt < attempts && least > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < repeats; i++)
            {
                action();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }

    /// <summary>
    /// Runs <paramref name="measure"/> (which returns bytes it saw allocated where none should be) up to
    /// <paramref name="attempts"/> times and returns the least, for scenarios too long to repeat inside
    /// <see cref="Measure"/>, such as whole training runs. See <see cref="Measure"/> for why.
    /// </summary>
    public static long Least(Func<long> measure, int attempts = 3)
    {
        long least = long.MaxValue;
        for (int attempt = 0; attempt < attempts && least > 0; attempt++)
        {
            least = Math.Min(least, measure());
        }

        return least;
    }
}
