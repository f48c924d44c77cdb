using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

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
        string directory = Cli.TemporaryDirectory();
        try
        {
            string[] commands = FirstBashBlock(Read("README.md"), section);
            Assert.NotEmpty(commands);
            RunAll(commands, directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Serving's walkthrough after the Tables one, as a new user follows them: its commands make the files it serves (it
    /// named an iris.safetensors and a loans.onnx that nothing in README made), and each of the section's curl lines is
    /// answered 200 with a prediction by the server it starts.
    /// </summary>
    [Fact]
    public async Task TheServingWalkthroughAnswersItsCurls()
    {
        string readme = Read("README.md"), directory = Cli.TemporaryDirectory();
        using var stop = new CancellationTokenSource();
        Task<Cli.Result>? server = null;
        try
        {
            RunAll(FirstBashBlock(readme, "## Tables"), directory);
            string[] serving = FirstBashBlock(readme, "## Serving", includeServe: true);
            RunAll([.. serving.Where(line => !line.StartsWith("native serve", StringComparison.Ordinal))], directory);

            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            string[] serve = [.. Arguments(serving.Single(line => line.StartsWith("native serve", StringComparison.Ordinal)), directory).Select(word => word == "8080" ? port.ToString(System.Globalization.CultureInfo.InvariantCulture) : word)];
            server = Task.Run(() =>
            {
                using var output = new StringWriter();
                using var error = new StringWriter();
                int code = CommandLine.Run(serve, new CliContext(TextWriter.Synchronized(output), TextWriter.Synchronized(error), Terminal: false, stop.Token));
                return new Cli.Result(code, output.ToString(), error.ToString());
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var root = new Uri($"http://127.0.0.1:{port}");
            for (int i = 0; ; i++)
            {
                if (server.IsCompleted)
                {
                    Assert.Fail((await server).ToString());
                }

                try
                {
                    if ((await http.GetAsync(new Uri(root, "/health"))).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (i < 300)
                {
                }

                await Task.Delay(50);
            }

            string section = readme[readme.IndexOf("\n## Serving\n", StringComparison.Ordinal)..];
            section = section[..section.IndexOf("\n## ", 1, StringComparison.Ordinal)];
            Match[] curls = [.. CurlLine().Matches(section).Cast<Match>()];
            Assert.Equal(2, curls.Length);
            foreach (Match curl in curls)
            {
                using var content = new StringContent(curl.Groups["body"].Value, Encoding.UTF8, "application/json");
                using HttpResponseMessage response = await http.PostAsync(new Uri(root, curl.Groups["path"].Value), content);
                string body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{curl.Value}\n{body}");
                Assert.Contains("\"predictions\":[{\"class\":", body, StringComparison.Ordinal);
            }
        }
        finally
        {
            await stop.CancelAsync();
            if (server is not null)
            {
                await server;
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Runs each command line in process, paths as a clone's: the repository's data, and the files written in <paramref name="directory"/>.</summary>
    private static void RunAll(IEnumerable<string> commands, string directory)
    {
        foreach (string command in commands)
        {
            Cli.Result result = Cli.Run(Arguments(command, directory));
            Assert.True(result.ExitCode == 0, $"{command}\n{result}");
        }
    }

    private static string[] Arguments(string command, string directory)
    {
        string root = Cli.RepositoryRoot();
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("native", words[0]);
        // name=file (serve's --model) keeps its name; a bare file name is the clone's, here the directory's.
        return [.. words[1..].Select(word => word.StartsWith("tests/", StringComparison.Ordinal) ? Path.Combine(root, word)
            : word.Contains('=', StringComparison.Ordinal) ? word[..(word.IndexOf('=', StringComparison.Ordinal) + 1)] + Path.Combine(directory, word[(word.IndexOf('=', StringComparison.Ordinal) + 1)..])
            : Path.GetExtension(word) is ".safetensors" or ".onnx" or ".csv" && !word.Contains('/', StringComparison.Ordinal) ? Path.Combine(directory, word)
            : word)];
    }

    /// <summary>A README curl line: its JSON body and the path it posts to.</summary>
    [GeneratedRegex(@"curl -s -H 'Content-Type: application/json' -d '(?<body>[^']+)' http://127\.0\.0\.1:8080(?<path>/\S+)")]
    private static partial Regex CurlLine();

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
    private static string[] FirstBashBlock(string readme, string section, bool includeServe = false)
    {
        int heading = readme.IndexOf("\n" + section + "\n", StringComparison.Ordinal);
        Assert.True(heading >= 0, $"README has no section '{section}'.");
        int start = readme.IndexOf("```bash\n", heading, StringComparison.Ordinal) + "```bash\n".Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return [.. readme[start..end].Split('\n')
            .Select(line => line.Contains(" #", StringComparison.Ordinal) ? line[..line.IndexOf(" #", StringComparison.Ordinal)] : line)
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("native ", StringComparison.Ordinal) && (includeServe || !line.StartsWith("native serve", StringComparison.Ordinal)))];
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
