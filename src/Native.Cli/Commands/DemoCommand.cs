using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// <c>native demo</c>: the course's worked examples on built-in data, each printed beside the answer it
/// should reach: logistic regression on the 20-student table, softmax by hand and softmax regression on
/// three seeded clusters, a perceptron learning XOR, the minimizer with and without momentum, and with
/// <c>--mnist DIR</c> the digit model and the pictures of its weights.
/// </summary>
internal static class DemoCommand
{
    // The course's table: hours studied, and whether each student passed.
    internal static readonly float[] Hours = [0.5f, 0.75f, 1f, 1.25f, 1.5f, 1.75f, 1.75f, 2f, 2.25f, 2.5f, 2.75f, 3f, 3.25f, 3.5f, 4f, 4.25f, 4.5f, 4.75f, 5f, 5.5f];
    internal static readonly int[] Passed = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1];

    public static Command Create(CliContext context)
    {
        var mnist = new Option<DirectoryInfo?>("--mnist") { Description = "A directory holding MNIST's IDX files (raw or gzip): also train the digit model and draw its weights." };
        var plots = new Option<DirectoryInfo?>("--plots") { Description = "Where to write the digit model's weight images (default: ./native-demo-plots)." };
        var command = new Command("demo", "Run the course's worked examples on built-in data; no files needed.") { mnist, plots };
        command.SetAction(parse => Run(context, parse.GetValue(mnist), parse.GetValue(plots)));
        return command;
    }

    public static int Run(CliContext context, DirectoryInfo? mnist, DirectoryInfo? plots)
    {
        // --mnist and --plots checked before the first example runs, so a mistake costs no time.
        plots ??= new DirectoryInfo("native-demo-plots");
        if (mnist is not null)
        {
            if (!mnist.Exists)
            {
                throw new UsageException($"--mnist '{mnist}' is not a directory; it names the directory holding MNIST's IDX files (tests/data/mnist in the repository).");
            }

            new Destinations().ReadBy("--mnist", mnist.FullName, DataFormat.Idx).WritesInto("--plots", plots.FullName, Plots.IsPlotName).Check();
            if (File.Exists(plots.FullName))
            {
                throw new UsageException($"--plots names a directory for the pictures, but '{plots}' is a file.");
            }
        }

        TextWriter output = context.Out;
        output.WriteLine("Native demo: the worked examples, each beside the answer it should reach.");
        output.WriteLine();
        StudentTable(output);
        SoftmaxByHand(output);
        Clusters(output);
        ExclusiveOr(output);
        Minimizer(output);
        if (mnist is not null)
        {
            Digits(context, mnist, plots);
        }
        else
        {
            output.WriteLine("(Run 'native demo --mnist DIR' with MNIST's IDX files to train the digit model and draw its weights.)");
        }

        return ExitCodes.Success;
    }

    private static void StudentTable(TextWriter output)
    {
        output.WriteLine("1. Logistic regression: hours studied → pass, 20 students");
        var model = new LogisticRegression(1);
        var trainer = new Trainer(model, new Momentum(0.1f, 0.9f), new TrainerOptions { BatchSize = Hours.Length, Epochs = 100_000, GradientTolerance = 1e-6f });
        TrainingResult result = trainer.Fit(Dataset.FromLabels(Hours, 1, Passed));
        output.WriteLine(Invariant($"   full-batch gradient descent with momentum: {result.Epochs:N0} steps, {result.Elapsed.TotalMilliseconds:F1} ms, stopped by {result.StopReason}"));
        output.WriteLine(Invariant($"   intercept {model.Parameters[1],8:F4}   (maximum likelihood -4.0777)"));
        output.WriteLine(Invariant($"   slope     {model.Parameters[0],8:F4}   (maximum likelihood  1.5046)"));
        output.Write("   P(pass | hours): ");
        float[] probabilities = new float[2];
        foreach (float hours in new[] { 1f, 2f, 3f, 4f, 5f })
        {
            model.PredictProbabilities([hours], probabilities); // [1 − p, p]
            output.Write(Invariant($"{hours:F0} h {probabilities[1]:F4}   "));
        }

        output.WriteLine();
        output.WriteLine("   (the course: 2 h 0.2557, 4 h 0.8744)");
        output.WriteLine();
    }

    private static void SoftmaxByHand(TextWriter output)
    {
        output.WriteLine("2. Softmax by hand");
        float[] z = [2f, 4f, 2f, 1f];
        float[] a = new float[4];
        Activations.Softmax(z, a);
        output.WriteLine($"   softmax([2, 4, 2, 1])         = {Vector(a)}   (0.1025, 0.7573, 0.1025, 0.0377)");
        Activations.Softmax(z, a, logBase: 2f);
        output.WriteLine($"   softmax in base 2             = {Vector(a)}   (0.1538, 0.6154, 0.1538, 0.0769)");

        // z = Wx + b for the course's three-class example, then a = softmax(z).
        float[,] w = { { 0.31f, 3.95f }, { 7.07f, -0.23f }, { -6.27f, -2.35f } };
        float[] b = [1.2f, 2.93f, -4.14f];
        float[] x = [-0.1f, 1.4f];
        float[] logits = new float[3];
        for (int j = 0; j < 3; j++)
        {
            logits[j] = (w[j, 0] * x[0]) + (w[j, 1] * x[1]) + b[j];
        }

        float[] p = new float[3];
        Activations.Softmax(logits, p);
        output.WriteLine($"   W·(−0.1, 1.4) + b = z         = {Vector(logits, "F3")}   (6.699, 1.901, -6.803)");
        output.WriteLine($"   a = softmax(z)                = {Vector(p)}   (0.9918, 0.0082, 0.0000)");
        output.WriteLine();
    }

    private static void Clusters(TextWriter output)
    {
        output.WriteLine("3. Softmax regression: three seeded clusters in 2-D");
        Dataset data = Demos.Clusters(900, seed: 7);
        var (training, test) = data.Split(testFraction: 1.0 / 3, seed: 7);
        var model = new SoftmaxRegression(2, 3);
        TrainingResult result = new Trainer(model, new GradientDescent(0.5f), new TrainerOptions { Epochs = 20, BatchSize = 32, Seed = 7 })
            .Fit(training, test);
        ClassificationReport report = ClassificationReport.Evaluate(model, test);
        output.WriteLine(Invariant($"   600 training rows, 300 test rows; mini-batches of 32, η = 0.5, {result.Epochs} epochs, {result.Elapsed.TotalMilliseconds:F1} ms"));
        output.WriteLine(Invariant($"   test accuracy {report.Accuracy:0.0%}, log-loss {report.LogLoss:F4}"));
        Span<float> parameters = model.Parameters;
        for (int c = 0; c < 3; c++)
        {
            output.WriteLine(Invariant($"   class {c}: z = {parameters[c * 2],6:F3}·x₀ {Signed(parameters[(c * 2) + 1])}·x₁ {Signed(parameters[6 + c])}"));
        }

        output.WriteLine();
    }

    private static void ExclusiveOr(TextWriter output)
    {
        output.WriteLine("4. A perceptron learns XOR, which no linear model can");
        float[] inputs = [0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f];
        int[] labels = [0, 1, 1, 0];
        Dataset xor = Dataset.FromLabels(inputs, 2, labels);
        var linear = new SoftmaxRegression(2, 2);
        new Trainer(linear, new GradientDescent(0.5f), new TrainerOptions { Epochs = 2000, BatchSize = 4 }).Fit(xor);
        var network = new MultilayerPerceptron([2, 4, 2], Activation.Tanh, seed: 3);
        TrainingResult result = new Trainer(network, new Adam(0.05f), new TrainerOptions { Epochs = 500, BatchSize = 4 }).Fit(xor);
        output.WriteLine(Invariant($"   2-4-2 tanh perceptron, Adam η = 0.05, {result.Epochs} full-batch steps; softmax regression for comparison"));
        output.WriteLine("   x₀ x₁  XOR  perceptron P(1)  softmax regression P(1)");
        float[] p = new float[2];
        for (int i = 0; i < 4; i++)
        {
            ReadOnlySpan<float> row = inputs.AsSpan(2 * i, 2);
            network.PredictProbabilities(row, p);
            float networkP = p[1];
            linear.PredictProbabilities(row, p);
            output.WriteLine(Invariant($"    {row[0]:F0}  {row[1]:F0}    {labels[i]}       {networkP:F4}              {p[1]:F4}"));
        }

        output.WriteLine();
    }

    private static void Minimizer(TextWriter output)
    {
        output.WriteLine("5. Minimizing f(x) = x² + 10 sin x from x = 5 with η = 0.1");
        static float F(float x) => (x * x) + (10f * MathF.Sin(x));
        static float Derivative(float x) => (2f * x) + (10f * MathF.Cos(x));
        Minimum plain = Numerics.Minimizer.Minimize(F, Derivative, 5f, new GradientDescent(0.1f));
        Minimum momentum = Numerics.Minimizer.Minimize(F, Derivative, 5f, new Momentum(0.1f, 0.9f));
        output.WriteLine(Invariant($"   gradient descent: x = {plain.Point,8:F4}, f(x) = {plain.Value,8:F4}, {plain.Iterations,4} steps   (a local minimum, 3.8375)"));
        output.WriteLine(Invariant($"   momentum 0.9:     x = {momentum.Point,8:F4}, f(x) = {momentum.Value,8:F4}, {momentum.Iterations,4} steps   (the global minimum, -1.3064)"));
        output.WriteLine();
    }

    private static void Digits(CliContext context, DirectoryInfo mnist, DirectoryInfo plots)
    {
        TextWriter output = context.Out;
        output.WriteLine("6. Digits: softmax regression 784 → 10 on MNIST");
        Dataset all = Idx.LoadDirectory(mnist.FullName);

        // The MNIST-10k protocol: every fifth row is a test row.
        int[] testRows = Enumerable.Range(0, all.Count).Where(i => i % 5 == 0).ToArray();
        int[] trainingRows = Enumerable.Range(0, all.Count).Where(i => i % 5 != 0).ToArray();
        Dataset training = all.Select(trainingRows), test = all.Select(testRows);
        var model = new SoftmaxRegression(784, 10);
        var timer = Stopwatch.StartNew();
        new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 10, BatchSize = 64, Seed = 1 })
            .Fit(training, cancellationToken: context.Cancellation);
        timer.Stop();
        ClassificationReport report = ClassificationReport.Evaluate(model, test);
        output.WriteLine(Invariant($"   {training.Count:N0} training rows, {test.Count:N0} test rows; 10 epochs of mini-batch SGD in {timer.Elapsed.TotalMilliseconds:F0} ms"));
        output.WriteLine(Invariant($"   test accuracy {report.Accuracy:0.0%}   (PyTorch, same recipe: 89.8%)"));
        IReadOnlyList<string> files = WeightImages.Write(model.Parameters[..(784 * 10)], classes: 10, rows: 28, columns: 28, [], plots.FullName);
        output.WriteLine($"   the weights of each class, as pictures: weights.svg (every class, captioned, with a colour key) and weights-class-0.png to -{files.Count - 2}.png in {plots.FullName}");
        output.WriteLine();
    }

    private static string Vector(ReadOnlySpan<float> values, string format = "F4")
    {
        var parts = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            parts[i] = values[i].ToString(format, CultureInfo.InvariantCulture);
        }

        return "(" + string.Join(", ", parts) + ")";
    }

    // "+ 1.234" or "- 1.234", for terms after the first.
    private static string Signed(float value) => Invariant($"{(value < 0 ? '-' : '+')} {MathF.Abs(value):F3}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
