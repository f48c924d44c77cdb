using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Native.Cli.Commands;

/// <summary>
/// <c>native serve</c>: model files served over HTTP on Kestrel, each reloaded when its file changes. This class holds
/// only the options and their checks, so that <c>native --help</c> and every other command touch nothing of ASP.NET Core;
/// <see cref="ServeHost"/> builds the server when the command runs.
/// </summary>
internal static partial class ServeCommand
{
    /// <summary>The largest API key file read.</summary>
    private const int MaxKeyFileBytes = 4096;

    /// <summary>A model's name: what a request's path carries (<c>/models/{name}/predict</c>).</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex ModelName();

    public static Command Create(CliContext context)
    {
        var models = new Option<string[]>("--model") { HelpName = "NAME=FILE", Description = "A model to serve, as NAME=FILE (iris=iris.safetensors; .onnx for ONNX); repeat for more. A FILE alone is named after the file.", Required = true, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };
        var port = new Option<int?>("--port") { Description = "The port to listen on, at 127.0.0.1 (default 8080)." };
        var urls = new Option<string?>("--urls") { Description = "Where to listen instead, as ASP.NET Core takes it: http://0.0.0.0:8080 to accept other machines (put a proxy or --api-key-file in front), several separated by ';'." };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "A file holding the key every request but GET /health must send in the X-API-Key header (or set NATIVE_API_KEY)." };
        var maxRows = new Option<int?>("--max-rows") { Description = "The most rows one request may carry (default 1,000); more is refused with 413." };
        var maxBody = new Option<int?>("--max-body-bytes") { Description = "The largest request body, in bytes (default 1,048,576); larger is refused with 413." };
        var reloadDelay = new Option<int?>("--reload-delay") { Description = "Milliseconds a changed model file must be quiet before it is loaded (default 250)." };
        var noReload = new Option<bool>("--no-reload") { Description = "Load each model once; do not watch the files." };
        var command = new Command("serve", "Serve models over HTTP: POST /models/NAME/predict with {\"rows\": [[…], …]}; GET /models; GET /health. A changed file is loaded and checked before it replaces the model; a bad one is refused and the model serves on.")
        {
            models, port, urls, apiKeyFile, maxRows, maxBody, reloadDelay, noReload,
        };
        command.SetAction((parse, cancellation) => ServeHost.Run(context, new ServeSettings
        {
            Models = Models(parse.GetValue(models) ?? []),
            Urls = Urls(parse.GetValue(port), parse.GetValue(urls)),
            ApiKey = ApiKey(parse.GetValue(apiKeyFile)),
            Limits = new RequestLimits(
                Positive("--max-rows", parse.GetValue(maxRows) ?? 1000, 1_000_000),
                Positive("--max-body-bytes", parse.GetValue(maxBody) ?? (1 << 20), 1 << 30)),
            ReloadDelay = TimeSpan.FromMilliseconds(Positive("--reload-delay", parse.GetValue(reloadDelay) ?? 250, 60_000)),
            Reload = !parse.GetValue(noReload),
        }, cancellation));
        return command;
    }

    /// <summary>NAME=FILE pairs: names checked and distinct, files that exist and are files (their contents are the loader's to check).</summary>
    private static (string Name, string Path)[] Models(string[] specs)
    {
        var models = new List<(string, string)>();
        foreach (string spec in specs)
        {
            int equals = spec.IndexOf('=', StringComparison.Ordinal);
            string path = equals < 0 ? spec : spec[(equals + 1)..];
            string name = equals < 0 ? System.IO.Path.GetFileNameWithoutExtension(spec) : spec[..equals];
            if (!ModelName().IsMatch(name))
            {
                throw new UsageException($"--model '{Output.Printable.Text(spec)}': the name '{Output.Printable.Text(name)}' must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit (it is part of the URL).");
            }

            if (path.Length == 0)
            {
                throw new UsageException($"--model '{Output.Printable.Text(spec)}' names no file: give NAME=FILE.");
            }

            if (models.Exists(m => m.Item1 == name))
            {
                throw new UsageException($"--model: two models are named '{name}'; give each its own name (NAME=FILE).");
            }

            ModelFiles.CheckModelPath(path);
            models.Add((name, path));
        }

        return [.. models];
    }

    private static string Urls(int? port, string? urls)
    {
        if (port is not null && urls is not null)
        {
            throw new UsageException("--port and --urls both say where to listen; give one (--urls http://127.0.0.1:PORT).");
        }

        if (urls is not null)
        {
            return CheckUrls(urls);
        }

        int chosen = port ?? 8080;
        if (chosen is < 1 or > 65535)
        {
            throw new UsageException($"--port must be from 1 to 65535; got {chosen}.");
        }

        return string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{chosen}");
    }

    /// <summary>
    /// Refuses, before any work, an address Kestrel would misread: Kestrel listens on every network interface for a host
    /// that is not an IP address nor localhost (a typo, http://127.0.0.l:8080, or a port it cannot read,
    /// http://127.0.0.1:abc, which it also moves to port 80), and fails late with its own words on https (no
    /// certificate here), a path, or another scheme. Accepted: http://HOST[:PORT], HOST an IP address (0.0.0.0, [::]),
    /// localhost, * or +; http://unix:/PATH; several separated by ';'.
    /// </summary>
    internal static string CheckUrls(string urls)
    {
        string[] addresses = urls.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (addresses.Length == 0)
        {
            throw new UsageException($"--urls '{Output.Printable.Text(urls)}' names no address; give one, like http://127.0.0.1:8080.");
        }

        foreach (string address in addresses)
        {
            string refused = UrlProblem(address) is string problem ? $"--urls '{Output.Printable.Text(address)}': {problem}" : "";
            if (refused.Length > 0)
            {
                throw new UsageException(refused);
            }
        }

        return string.Join(';', addresses);
    }

    private static string? UrlProblem(string address)
    {
        const string Form = "expected http://HOST:PORT, HOST an IP address (127.0.0.1, 0.0.0.0 for every interface), localhost or *";
        if (address.AsSpan().IndexOfAny(", \t") >= 0)
        {
            return "several addresses are separated by ';' (http://127.0.0.1:8080;http://[::1]:8080), not by commas or spaces.";
        }

        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !address[..scheme].Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            return scheme >= 0 && address[..scheme].Equals("https", StringComparison.OrdinalIgnoreCase)
                ? "native serve speaks plain http (it has no certificate to offer); put a TLS proxy in front and give it http://127.0.0.1:PORT."
                : $"{Form}.";
        }

        string rest = address[(scheme + 3)..];
        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return rest.Length > "unix:".Length ? null : "a Unix socket needs its path, like http://unix:/run/native.sock.";
        }

        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0 && slash < rest.Length - 1)
        {
            return $"a path ('{Output.Printable.Text(rest[slash..])}') after the port; the server answers at its root (/models/NAME/predict): leave it out.";
        }

        string authority = slash >= 0 ? rest[..slash] : rest;
        string host = authority, port = "";
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            host = close < 0 ? authority : authority[..(close + 1)];
            port = close < 0 ? "" : authority[(close + 1)..];
            if (port.Length > 0 && port[0] != ':')
            {
                return $"{Form}.";
            }
        }
        else if (authority.LastIndexOf(':') is int colon and >= 0)
        {
            host = authority[..colon];
            port = authority[colon..];
        }

        if (port.Length > 0 && !(int.TryParse(port.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number <= 65535))
        {
            return $"the port '{Output.Printable.Text(port[1..])}' is not a number from 0 to 65535.";
        }

        bool known = host is "*" or "+" || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (host.StartsWith('[') && host.EndsWith(']') && System.Net.IPAddress.TryParse(host[1..^1], out System.Net.IPAddress? v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            || (!host.StartsWith('[') && System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        return known ? null : host.Length == 0
            ? $"{Form}."
            : System.Net.IPAddress.TryParse(host, out _) ? $"an IPv6 address goes in brackets, like http://[::1]:8080."
            : $"the host '{Output.Printable.Text(host)}' is not an IP address nor localhost, and the server would listen on every network interface for it; give the address to listen on (127.0.0.1), or 0.0.0.0 (or *) to accept other machines on purpose.";
    }

    private static string? ApiKey(string? file)
    {
        string? key = file is null ? Environment.GetEnvironmentVariable("NATIVE_API_KEY") : ReadKey(file);
        if (key is not null && key.Length < 16)
        {
            throw new UsageException($"The API key ({(file is null ? "NATIVE_API_KEY" : $"--api-key-file '{file}'")}) has {key.Length} characters; use at least 16 (openssl rand -hex 32 makes one).");
        }

        return key;
    }

    /// <summary>
    /// The key in <paramref name="file"/>, trimmed: a file, or a pipe (<c>--api-key-file &lt;(pass show native)</c>), of at
    /// most <see cref="MaxKeyFileBytes"/> bytes — /dev/zero or a large file named by mistake is refused after that many,
    /// never read whole.
    /// </summary>
    private static string ReadKey(string file)
    {
        switch (Platform.FileStatus.Of(file).Kind)
        {
            case Platform.FileKind.Missing:
                throw new UsageException($"--api-key-file '{Output.Printable.Text(file)}' does not exist.");
            case Platform.FileKind.Directory:
                throw new UsageException($"--api-key-file '{Output.Printable.Text(file)}' is a directory; it names the file holding the key.");
        }

        byte[] bytes = new byte[MaxKeyFileBytes + 1];
        int length = 0;
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1))
        {
            int read;
            while (length < bytes.Length && (read = stream.Read(bytes, length, bytes.Length - length)) > 0)
            {
                length += read;
            }
        }

        if (length > MaxKeyFileBytes)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--api-key-file '{Output.Printable.Text(file)}' holds more than {MaxKeyFileBytes:N0} bytes; it holds one key (openssl rand -hex 32 makes one)."));
        }

        return System.Text.Encoding.UTF8.GetString(bytes, 0, length).Trim();
    }

    private static int Positive(string option, int value, int most) =>
        value >= 1 && value <= most ? value : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be from 1 to {most:N0}; got {value:N0}."));
}

/// <summary>What <c>native serve</c> was told, checked.</summary>
internal sealed class ServeSettings
{
    public required (string Name, string Path)[] Models { get; init; }

    public required string Urls { get; init; }

    public string? ApiKey { get; init; }

    public RequestLimits Limits { get; init; }

    public TimeSpan ReloadDelay { get; init; }

    public bool Reload { get; init; }
}
