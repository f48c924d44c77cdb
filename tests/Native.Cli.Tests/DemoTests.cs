using System.Globalization;

namespace Native.Cli.Tests;

public class DemoTests
{
    [Fact]
    public void TheDemoReachesTheCoursesAnswers()
    {
        Cli.Result result = Cli.Run("demo");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);
        string output = result.Output;

        // Logistic regression on the student table: the maximum-likelihood fit and its probabilities.
        Assert.Contains("intercept  -4.0777", output, StringComparison.Ordinal);
        Assert.Contains("slope       1.5046", output, StringComparison.Ordinal);

        // The probabilities the model computed, read from their own line (the line after it prints the course's
        // answers as text, so searching the whole output for them could not fail).
        string line = output.Split('\n').Single(l => l.Contains("P(pass | hours):", StringComparison.Ordinal));
        var probabilities = System.Text.RegularExpressions.Regex.Matches(line, @"(\d) h (\d\.\d{4})")
            .ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal([1, 2, 3, 4, 5], probabilities.Keys);
        Assert.Equal(0.2557, probabilities[2], 4);
        Assert.Equal(0.8744, probabilities[4], 4);
        Assert.True(probabilities.Values.Zip(probabilities.Values.Skip(1)).All(pair => pair.First < pair.Second), line);

        // Softmax by hand, in base e and base 2, and the three-class example.
        Assert.Contains("= (0.1025, 0.7573, 0.1025, 0.0377)", output, StringComparison.Ordinal);
        Assert.Contains("= (0.1538, 0.6154, 0.1538, 0.0769)", output, StringComparison.Ordinal);
        Assert.Contains("= (6.699, 1.901, -6.803)", output, StringComparison.Ordinal);
        Assert.Contains("= (0.9918, 0.0082, 0.0000)", output, StringComparison.Ordinal);

        // The minimizer: a local minimum without momentum, the global one with it.
        Assert.Matches(@"gradient descent: x =\s+3\.837[45]", output);
        Assert.Matches(@"momentum 0\.9:\s+x =\s+-1\.306[34]", output);
    }

    [Fact]
    public void ThePerceptronLearnsExclusiveOr()
    {
        string output = Cli.Run("demo").Output;
        string[] rows = output.Split('\n').SkipWhile(line => !line.Contains("x₀ x₁", StringComparison.Ordinal)).Skip(1).Take(4).ToArray();
        Assert.Equal(4, rows.Length);
        foreach (string row in rows)
        {
            string[] columns = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int expected = int.Parse(columns[2], System.Globalization.CultureInfo.InvariantCulture);
            float probability = float.Parse(columns[3], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(expected == 1 ? probability > 0.9f : probability < 0.1f, row);
        }
    }

    [Fact]
    public void WithMnistTheDemoTrainsTheDigitModelAndDrawsItsWeights()
    {
        string plots = Cli.TemporaryDirectory();
        Cli.Result result = Cli.Run("demo", "--mnist", Cli.MnistDirectory(), "--plots", plots);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"test accuracy (8[89]|9\d)\.\d%", result.Output);
        Assert.Equal(10, Directory.GetFiles(plots, "weights-class-*.png").Length);
        Assert.Contains(">7</text>", File.ReadAllText(Path.Combine(plots, "weights.svg")), StringComparison.Ordinal); // each picture captioned with its class
        byte[] png = File.ReadAllBytes(Path.Combine(plots, "weights-class-0.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
    }
}
