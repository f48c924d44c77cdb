using Native.Numerics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Native.Tests.Fuzzing;

/// <summary>The fuzz harness catches what it claims to: a wrong exception type, an allocation out of bounds, a wrong result, a hang.</summary>
public sealed class FuzzerTests(ITestOutputHelper output)
{
    private static Mutant Small(int index) => new([(byte)index], $"byte {index}", Seekable: true, EffectiveSize: 1);

    [Fact]
    public void FileFormatExceptionsAndLoadsPass() =>
        Fuzzer.Run("test", output, Small, m => m.Bytes[0] % 2 == 0 ? m.Bytes[0] : throw FileFormatException.AtOffset("x", 0, "odd"), _ => { }, mutants: 100);

    [Fact]
    public void AnyOtherExceptionFailsWithTheCaseAndItsBytes()
    {
        var error = Assert.ThrowsAny<XunitException>(() => Fuzzer.Run("test", output, Small, m => m.Bytes[0] == 7 ? throw new InvalidOperationException("boom") : 0, _ => { }, mutants: 100));
        Assert.Contains("case 7 (byte 7;", error.Message, StringComparison.Ordinal);
        Assert.Contains("threw System.InvalidOperationException", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mutant (base64): Bw==", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAllocationAboveTheBoundFails()
    {
        var error = Assert.ThrowsAny<XunitException>(() => Fuzzer.Run("test", output, Small, m => m.Bytes[0] == 3 ? new byte[Fuzzer.AllocationAllowance + 1000].Length : 0, _ => { }, mutants: 10));
        Assert.Contains("case 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("above the bound", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWrongResultFails()
    {
        var error = Assert.ThrowsAny<XunitException>(() => Fuzzer.Run("test", output, Small, m => m.Bytes[0], value => Assert.NotEqual(5, value), mutants: 10));
        Assert.Contains("case 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("what loaded is wrong", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHangFailsWithoutWaitingForIt()
    {
        using var release = new ManualResetEventSlim();
        try
        {
            var error = Assert.ThrowsAny<XunitException>(() => Fuzzer.Run("test", output, Small, m => m.Bytes[0] == 2 ? release.Wait(Timeout.Infinite) : false, _ => { }, mutants: 10, caseTimeout: TimeSpan.FromMilliseconds(100)));
            Assert.Contains("case 2 (byte 2) has run for", error.Message, StringComparison.Ordinal);
            Assert.Contains("a hang", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            release.Set(); // let the abandoned worker finish
        }
    }

    [Fact]
    public void ASlowCaseFails()
    {
        var error = Assert.ThrowsAny<XunitException>(() => Fuzzer.Run("test", output, Small, m =>
        {
            if (m.Bytes[0] == 1)
            {
                Thread.Sleep(150);
            }

            return 0;
        }, _ => { }, mutants: 3, caseTimeout: TimeSpan.FromMilliseconds(100)));
        Assert.Contains("case 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("above the 100 ms limit", error.Message, StringComparison.Ordinal);
    }
}
