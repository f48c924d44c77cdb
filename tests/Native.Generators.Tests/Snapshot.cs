using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Native.Generators.Tests;

/// <summary>
/// Full-output baselines: the emitted source is compared to a committed file, to notice changes in
/// formatting and readability as well as in behavior. On a mismatch the new text is written beside the
/// baseline as <c>Name.received.cs</c> (ignored by git) and the test fails; set <c>NATIVE_ACCEPT_SNAPSHOTS=1</c>
/// to overwrite the baselines with what the generator now emits.
/// </summary>
internal static partial class Snapshot
{
    /// <summary>Compares <paramref name="text"/>, its generator version scrubbed, to Snapshots/<paramref name="name"/>.verified.cs.</summary>
    public static void Verify(string name, string text, [CallerFilePath] string caller = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(caller)!, "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        string scrubbed = Scrub(text);
        if (Environment.GetEnvironmentVariable("NATIVE_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, scrubbed);
            File.Delete(received);
            return;
        }

        string? expected = File.Exists(verified) ? File.ReadAllText(verified).ReplaceLineEndings("\n") : null;
        if (expected == scrubbed)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, scrubbed);
        Assert.Fail(expected is null
            ? $"No baseline {verified}; the output is in {received}. Review it, then rename it or rerun with NATIVE_ACCEPT_SNAPSHOTS=1."
            : $"The output differs from {verified} (first difference at line {FirstDifference(expected, scrubbed)}); it is in {received}. Compare with: diff {verified} {received}");
    }

    /// <summary>Replaces the generator's version, which changes with every release, by a placeholder.</summary>
    public static string Scrub(string text) => Version().Replace(text, "GeneratedCode(\"Native.Generators\", \"{version}\")");

    private static int FirstDifference(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        int line = 0;
        while (line < a.Length && line < b.Length && a[line] == b[line])
        {
            line++;
        }

        return line + 1;
    }

    [GeneratedRegex("GeneratedCode\\(\"Native\\.Generators\", \"[^\"]*\"\\)")]
    private static partial Regex Version();
}
