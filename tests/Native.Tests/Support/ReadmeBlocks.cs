using System.Text.RegularExpressions;

namespace Native.Tests.Support;

/// <summary>
/// Keeps the code a README shows equal to the code a test runs: the README's C# block follows a comment naming
/// the test class; the test's code lies between the lines <c>// example:start</c> and <c>// example:end</c>.
/// </summary>
internal static partial class ReadmeBlocks
{
    /// <summary>The first C# block after a line of <paramref name="readme"/> that names <paramref name="testClass"/>, normalized; null if there is none.</summary>
    public static string? Shown(string readme, string testClass)
    {
        Match shown = Regex.Match(readme, Regex.Escape(testClass) + @"[^\n]*\n```csharp\n(.*?)```", RegexOptions.Singleline);
        return shown.Success ? Normalize(shown.Groups[1].Value) : null;
    }

    /// <summary>The code between <c>// example:start</c> and <c>// example:end</c> in a test's source, normalized.</summary>
    public static string Run(string testSource)
    {
        Match run = TestBlock().Match(testSource);
        Assert.True(run.Success, "The test's source has no // example:start ... // example:end block.");
        return Normalize(run.Groups[1].Value);
    }

    /// <summary>The repository file at <paramref name="relativePath"/>, read as text.</summary>
    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Mnist.RepositoryRoot(), relativePath));

    /// <summary>The code's non-empty lines, trimmed, with Unix line ends: indentation and blank lines do not count.</summary>
    private static string Normalize(string code) =>
        string.Join('\n', code.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));

    [GeneratedRegex(@"// example:start\n(.*?)// example:end", RegexOptions.Singleline)]
    private static partial Regex TestBlock();
}
