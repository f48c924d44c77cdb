namespace Native.Tests.Support;

/// <summary>Measures what an action allocates on the calling thread, after warming it up.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="warmups"/> times (so tiered compilation, static
    /// constructors and per-thread buffers are done), then returns the bytes allocated on this thread by
    /// <paramref name="repeats"/> more runs.
    /// </summary>
    public static long Measure(Action action, int warmups = 3, int repeats = 10)
    {
        for (int i = 0; i < warmups; i++)
        {
            action();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < repeats; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
