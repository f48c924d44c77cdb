using System.Text.RegularExpressions;

namespace Native.Cli.Tests;

/// <summary>README's instructions for packing and publishing, held to what issue 20 found a new user meets.</summary>
public partial class ReadmeTests
{
    private static string Read(string path) => File.ReadAllText(Path.Combine(Cli.RepositoryRoot(), path));

    [Fact]
    public void EveryLocalPackGetsAVersionOfItsOwn()
    {
        // The issue: re-packing after a change kept serving the first 0.1.0 from NuGet's cache.
        string[] packs = [.. PackCommand().Matches(Read("README.md")).Select(m => m.Value)];
        Assert.NotEmpty(packs);
        Assert.All(packs, pack => Assert.Contains("--version-suffix local.$(date", pack, StringComparison.Ordinal));
        Assert.Contains("dotnet add package Native.Numerics --prerelease", Read("README.md"), StringComparison.Ordinal);
        Assert.Contains("dotnet tool install --global native --prerelease", Read("README.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void WhatReadmesCommandsWriteIsIgnoredByGit()
    {
        // The issue: README's commands left out/ and native-demo-plots/ untracked and unignored.
        Assert.Contains("dotnet publish src/Native.Cli -c Release -r linux-x64 -o out", Read("README.md"), StringComparison.Ordinal);
        string[] ignored = Read(".gitignore").Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("/out/", ignored);
        Assert.Contains("/native-demo-plots/", ignored);
        Assert.Contains("\"native-demo-plots\"", Read("src/Native.Cli/Commands/DemoCommand.cs"), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"dotnet pack [^\n`]*")]
    private static partial Regex PackCommand();
}
