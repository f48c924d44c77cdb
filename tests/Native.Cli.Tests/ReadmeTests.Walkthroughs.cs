namespace Native.Cli.Tests;

/// <summary>
/// README's walkthroughs run as a new user runs them, from a clone: each <c>native</c> line of a section's first bash
/// block, in order, with the repository's paths as written and the files they write in a folder of their own. The int8
/// walkthrough named <c>train.csv</c>, <c>test.csv</c> and a <c>digits.safetensors</c> nothing had made.
/// </summary>
public partial class ReadmeTests
{
    [Theory]
    [InlineData("## Tables")]
    [InlineData("## Quantized (int8) models")]
    public void AWalkthroughRunsAsWritten(string section)
    {
        string root = Cli.RepositoryRoot(), directory = Cli.TemporaryDirectory();
        try
        {
            string[] commands = FirstBashBlock(Read("README.md"), section);
            Assert.NotEmpty(commands);
            foreach (string command in commands)
            {
                string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("native", words[0]);
                string[] args = [.. words[1..].Select(word => word.StartsWith("tests/", StringComparison.Ordinal) ? Path.Combine(root, word)
                    : Path.GetExtension(word) is ".safetensors" or ".onnx" or ".csv" && !word.Contains('/', StringComparison.Ordinal) ? Path.Combine(directory, word)
                    : word)];
                Cli.Result result = Cli.Run(args);
                Assert.True(result.ExitCode == 0, $"{command}\n{result}");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// What README's walkthroughs write in the clone they are run from — model files by <c>--out</c>, pictures by
    /// <c>--plots</c> — is ignored by git, as <c>out/</c> and <c>native-demo-plots/</c> are: following them left
    /// <c>git status</c> listing <c>loans.safetensors</c>, <c>digits-int8.onnx</c> and the rest as untracked.
    /// </summary>
    [Fact]
    public void WhatReadmesWalkthroughsWriteIsIgnoredByGit()
    {
        string[] ignored = [.. Read(".gitignore").Split('\n', StringSplitOptions.TrimEntries).Where(line => line.StartsWith('/'))];
        string[] written = [.. Read("README.md").Split('\n')
            .Where(line => line.StartsWith("native ", StringComparison.Ordinal))
            .SelectMany(line => OutputsOf(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)))];
        Assert.Contains("loans.safetensors", written);
        Assert.Contains("digits-int8.onnx", written);
        Assert.All(written, path => Assert.True(IsIgnored(ignored, path), $"README writes '{path}', which .gitignore does not ignore."));
    }

    /// <summary>The <c>native</c> lines of the first bash block after <paramref name="section"/>'s heading, comments removed.</summary>
    private static string[] FirstBashBlock(string readme, string section)
    {
        int heading = readme.IndexOf("\n" + section + "\n", StringComparison.Ordinal);
        Assert.True(heading >= 0, $"README has no section '{section}'.");
        int start = readme.IndexOf("```bash\n", heading, StringComparison.Ordinal) + "```bash\n".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return [.. readme[start..end].Split('\n')
            .Select(line => line.Contains(" #", StringComparison.Ordinal) ? line[..line.IndexOf(" #", StringComparison.Ordinal)] : line)
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("native ", StringComparison.Ordinal) && !line.StartsWith("native serve", StringComparison.Ordinal))];
    }

    /// <summary>The paths a command line writes in the folder it runs in: <c>--out</c> and <c>--plots</c> (relative, in the clone).</summary>
    private static IEnumerable<string> OutputsOf(string[] words)
    {
        for (int i = 0; i + 1 < words.Length; i++)
        {
            if (words[i] is "--out" or "--plots" && !words[i + 1].StartsWith('/') && !words[i + 1].StartsWith('~') && !words[i + 1].StartsWith('$'))
            {
                yield return words[i + 1];
            }
        }
    }

    /// <summary>Whether a root pattern of .gitignore (<c>/dir/</c>, <c>/*.ext</c>) ignores <paramref name="path"/>, relative to the root.</summary>
    private static bool IsIgnored(string[] patterns, string path) => patterns.Any(pattern =>
        pattern.EndsWith('/') ? path.StartsWith(pattern[1..], StringComparison.Ordinal) || path + "/" == pattern[1..]
        : pattern.StartsWith("/*.", StringComparison.Ordinal) ? !path.Contains('/', StringComparison.Ordinal) && path.EndsWith(pattern[2..], StringComparison.Ordinal)
        : path == pattern[1..]);
}
