using Native.Generators.Emitter;
using Native.Generators.Model;

namespace Native.Generators;

// The public members of the one-layer models: softmax, logistic and linear regression.
public sealed partial class ModelGenerator
{
    private static void EmitRegressionMembers(SourceWriter w, ModelPlan plan)
    {
        switch (plan.Kind)
        {
            case ModelKind.SoftmaxRegression:
                EmitSoftmaxPrediction(w, plan);
                break;
            case ModelKind.LogisticRegression:
                EmitLogisticPrediction(w, plan);
                break;
            default:
                EmitLinearPrediction(w, plan);
                break;
        }

        EmitRegressionTraining(w, plan);
    }

    private static void EmitSoftmaxPrediction(SourceWriter w, ModelPlan plan)
    {
        int stride = plan.Output.Stride;
        w.Line();
        w.Summary("Writes the probabilities of the " + Lit(plan.Outputs) + " classes for one row.");
        w.Line("/// <param name=\"features\">The row: " + Lit(plan.Features) + " floats.</param>");
        w.Line("/// <param name=\"outputs\">Receives the " + Lit(plan.Outputs) + " class probabilities, which sum to 1.</param>");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">A span's length is not " + Lit(plan.Features) + " or " + Lit(plan.Outputs) + ".</exception>");
        w.Open("public void Forward(" + ReadOnlySpan + " features, " + Span + " outputs)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("CheckLength(outputs.Length, Classes, nameof(outputs));");
        w.Line("ref float z = ref Scratch(" + Lit(stride) + ").Origin;");
        w.Line();
        w.Comment("The logits, then their softmax in place, copied out.");
        w.Line("ForwardLayer0(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features), ref z);");
        w.Line("Softmax(ref z, out _);");
        w.Line("CopyClasses(ref z, ref " + MemoryMarshal + ".GetReference(outputs));");
        w.Close();

        EmitForwardBatchHead(w, "Writes the class probabilities of each row: <paramref name=\"rows\"/> holds n rows of " + Lit(plan.Features) + " floats, <paramref name=\"outputs\"/> receives n rows of " + Lit(plan.Outputs) + ".", "ForwardBatch", Span + " outputs", "Classes", "outputs");
        EmitChunksOfRows(w, plan, "The chunk's logits, then each row's softmax, copied out.", null, () => EmitSoftmaxRows(w, plan));
        w.Close();

        w.Line();
        w.Summary("The most probable class of one row: the class with the largest logit (softmax is monotonic, so it is not computed); ties go to the lower class.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The row's length is not " + Lit(plan.Features) + ".</exception>");
        w.Open("public int Predict(" + ReadOnlySpan + " features)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("ref float z = ref Scratch(" + Lit(stride) + ").Origin;");
        w.Line("ForwardLayer0(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features), ref z);");
        w.Line("return ArgMax(ref z);");
        w.Close();

        EmitClassPredictions(w, plan, () => w.Line("classes[start + i] = ArgMax(ref zi);"));
        EmitPredictProbabilities(w);
    }

    /// <summary>Predict(rows, classes): the class of each row, a chunk at a time.</summary>
    private static void EmitClassPredictions(SourceWriter w, ModelPlan plan, System.Action perRow)
    {
        EmitForwardBatchHead(w, "The most probable class of each row of <paramref name=\"rows\"/> (n rows of " + Lit(plan.Features) + " floats), written to <paramref name=\"classes\"/>.", "Predict", "global::System.Span<int> classes", "1", "classes");
        EmitChunksOfRows(w, plan, plan.Kind == ModelKind.MultilayerPerceptron ? "The chunk's forward pass, then each row's class." : "The chunk's logits, then each row's class.", perRow);
        w.Close();
    }

    private static void EmitPredictProbabilities(SourceWriter w)
    {
        w.Line();
        w.Summary("The probability of each class for each of n rows (one row or many): n × " + "<see cref=\"Classes\"/> values, each row summing to 1.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The lengths do not describe the same number of rows.</exception>");
        w.Open("public void PredictProbabilities(" + ReadOnlySpan + " rows, " + Span + " probabilities)");
        w.Open("if (rows.Length == Features && probabilities.Length == Classes)");
        w.Line("Forward(rows, probabilities);");
        w.Close();
        w.Line("else");
        w.Open();
        w.Line("ForwardBatch(rows, probabilities);");
        w.Close();
        w.Close();
    }

    private static void EmitLogisticPrediction(SourceWriter w, ModelPlan plan)
    {
        w.Line();
        w.Summary("Writes P(y = 1) for one row.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">A span's length is not " + Lit(plan.Features) + " or 1.</exception>");
        w.Open("public void Forward(" + ReadOnlySpan + " features, " + Span + " outputs)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("CheckLength(outputs.Length, 1, nameof(outputs));");
        w.Line("outputs[0] = Sigmoid(ForwardLayer0(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features)));");
        w.Close();

        EmitForwardBatchHead(w, "Writes P(y = 1) for each row: <paramref name=\"rows\"/> holds n rows of " + Lit(plan.Features) + " floats, <paramref name=\"outputs\"/> receives n values.", "ForwardBatch", Span + " outputs", "1", "outputs");
        EmitChunksOfRows(w, plan, "The chunk's logits, then their probabilities, copied out.", () => w.Line("outputs[start + i] = zi;"), sigmoids: true);
        w.Close();

        w.Line();
        w.Summary("P(y = 1) for one row.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The row's length is not " + Lit(plan.Features) + ".</exception>");
        w.Open("public float PredictProbability(" + ReadOnlySpan + " features)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("return Sigmoid(ForwardLayer0(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features)));");
        w.Close();

        w.Line();
        w.Summary("Class 1 where P(y = 1) ≥ 0.5, that is, where the logit is at least 0.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The row's length is not " + Lit(plan.Features) + ".</exception>");
        w.Open("public int Predict(" + ReadOnlySpan + " features)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("return ForwardLayer0(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features)) >= 0f ? 1 : 0;");
        w.Close();

        EmitClassPredictions(w, plan, () => w.Line("classes[start + i] = zi >= 0f ? 1 : 0;"));

        EmitForwardBatchHead(w, "Writes [1 − p, p], p = P(y = 1), for each of n rows, row-major (n × 2).", "PredictProbabilities", Span + " probabilities", "2", "probabilities");
        EmitChunksOfRows(w, plan, "The chunk's logits, then their probabilities, copied out with their complements.", () =>
        {
            w.Line("float p = zi;");
            w.Line("probabilities[2 * (start + i)] = 1f - p;");
            w.Line("probabilities[(2 * (start + i)) + 1] = p;");
        }, sigmoids: true);
        w.Close();
    }

    private static void EmitLinearPrediction(SourceWriter w, ModelPlan plan)
    {
        w.Line();
        w.Summary("Writes the predicted value of one row.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">A span's length is not " + Lit(plan.Features) + " or 1.</exception>");
        w.Open("public void Forward(" + ReadOnlySpan + " features, " + Span + " outputs)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("CheckLength(outputs.Length, 1, nameof(outputs));");
        w.Line("outputs[0] = ForwardLayer0(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features));");
        w.Close();

        EmitForwardBatchHead(w, "Writes the predicted value of each row: <paramref name=\"rows\"/> holds n rows of " + Lit(plan.Features) + " floats, <paramref name=\"outputs\"/> receives n values.", "ForwardBatch", Span + " outputs", "1", "outputs");
        EmitChunksOfRows(w, plan, "The chunk's predictions, copied out.", () => w.Line("outputs[start + i] = zi;"));
        w.Close();

        w.Line();
        w.Summary("The predicted value of one row.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The row's length is not " + Lit(plan.Features) + ".</exception>");
        w.Open("public float Predict(" + ReadOnlySpan + " features)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("return ForwardLayer0(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features));");
        w.Close();

        w.Line();
        w.Summary("The predicted value of each row of <paramref name=\"rows\"/> (n rows of " + Lit(plan.Features) + " floats), written to <paramref name=\"values\"/>.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The lengths do not describe the same number of rows.</exception>");
        w.Line("public void Predict(" + ReadOnlySpan + " rows, " + Span + " values) => ForwardBatch(rows, values);");
    }

    /// <summary>Opens a batch prediction method and checks its lengths, leaving <c>count</c> in scope.</summary>
    private static void EmitForwardBatchHead(SourceWriter w, string summary, string name, string output, string perRow, string outputName)
    {
        w.Line();
        w.Summary(summary);
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The lengths do not describe the same number of rows.</exception>");
        w.Open("public void " + name + "(" + ReadOnlySpan + " rows, " + output + ")");
        w.Line("int count = CheckRows(rows.Length, " + outputName + ".Length, " + perRow + ", nameof(" + outputName + "));");
    }

    /// <summary>
    /// The body of a batch prediction: contiguous rows a chunk at a time through the batch forward kernel, then
    /// <paramref name="perRow"/> for each row, with <c>zi</c> its last layer's values (a reference, or the value itself
    /// for a single output).
    /// </summary>
    private static void EmitChunksOfRows(SourceWriter w, ModelPlan plan, string comment, System.Action? perRow, System.Action? rows = null, bool sigmoids = false)
    {
        int stride = plan.Output.Stride;
        bool perceptron = plan.Kind == ModelKind.MultilayerPerceptron;
        w.Line("ref float parameters = ref _parameters.Origin;");
        w.Line(perceptron
            ? "ref float scratch = ref Scratch(ScratchLength).Origin;"
            : "ref float z = ref Scratch(" + Times("ChunkRows", stride) + ").Origin;");
        if (perceptron)
        {
            w.Line("ref float z = ref " + Unsafe + ".Add(ref scratch, Logits);");
        }

        w.Line("global::System.Span<nint> offsets = stackalloc nint[ChunkRows];");
        w.Line("StridedRows(offsets, Features);");
        w.Open("for (int start = 0; start < count; start += ChunkRows)");
        w.Line("int n = global::System.Math.Min(ChunkRows, count - start);");
        w.Line();
        w.Comment(comment);
        string x = "ref " + Unsafe + ".Add(ref " + MemoryMarshal + ".GetReference(rows), (nint)start * Features)";
        w.Line(perceptron
            ? "ForwardChunk(ref parameters, " + x + ", ref " + MemoryMarshal + ".GetReference(offsets), n, ref scratch);"
            : "ForwardRowsLayer0(ref parameters, " + x + ", ref " + MemoryMarshal + ".GetReference(offsets), n, ref z);");
        if (sigmoids)
        {
            w.Line("Sigmoids(ref z, n);");
        }

        if (rows is not null)
        {
            rows();
        }
        else
        {
            w.Open("for (int i = 0; i < n; i++)");
            w.Line(stride == 1
                ? "float zi = " + Unsafe + ".Add(ref z, i);"
                : "ref float zi = ref " + Unsafe + ".Add(ref z, i * " + Lit(stride) + ");");
            perRow!();
            w.Close();
        }

        w.Close();
    }

    /// <summary>The rows of a chunk's logits through softmax, two at a time, and out to the caller's span.</summary>
    private static void EmitSoftmaxRows(SourceWriter w, ModelPlan plan)
    {
        int stride = plan.Output.Stride;
        string Output(string row) => "ref " + Unsafe + ".Add(ref " + MemoryMarshal + ".GetReference(outputs), (nint)(" + row + ") * Classes)";
        w.Line("int i = 0;");
        w.Open("for (; i + 2 <= n; i += 2)");
        w.Line("ref float zi = ref " + Unsafe + ".Add(ref z, i * " + Lit(stride) + ");");
        w.Line("ref float zj = ref " + Unsafe + ".Add(ref zi, " + Lit(stride) + ");");
        w.Line("SoftmaxPair(ref zi, ref zj);");
        w.Line("CopyClasses(ref zi, " + Output("start + i") + ");");
        w.Line("CopyClasses(ref zj, " + Output("start + i + 1") + ");");
        w.Close();
        w.Line();
        w.Open("if (i < n)");
        w.Line("ref float zi = ref " + Unsafe + ".Add(ref z, i * " + Lit(stride) + ");");
        w.Line("Softmax(ref zi, out _);");
        w.Line("CopyClasses(ref zi, " + Output("start + i") + ");");
        w.Close();
    }

    /// <summary>Loss, AccumulateGradient and StepInPlace of a one-layer model.</summary>
    private static void EmitRegressionTraining(SourceWriter w, ModelPlan plan)
    {
        int stride = plan.Output.Stride;
        string zi = Unsafe + ".Add(ref z, " + Times("i", stride) + ")";
        string target = plan.Kind == ModelKind.LinearRegression ? "batch.Target(start + i)" : "batch.Label(start + i)";
        string Loss(string value) => plan.Kind switch
        {
            ModelKind.SoftmaxRegression => "SoftmaxLoss(ref " + value + ", " + target + ", batch.Weight(start + i))",
            _ => "SquaredLoss(" + value + ", " + target + ", batch.Weight(start + i))",
        };
        string Errors(string value) => plan.Kind switch
        {
            ModelKind.SoftmaxRegression => "SoftmaxErrors(ref " + value + ", " + target + ", batch.Weight(start + i))",
            ModelKind.LogisticRegression => "LogisticError(ref " + value + ", " + target + ", batch.Weight(start + i))",
            _ => "SquaredError(ref " + value + ", " + target + ", batch.Weight(start + i))",
        };

        bool logistic = plan.Kind == ModelKind.LogisticRegression;
        void Gather()
        {
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("labels[i] = batch.Label(start + i);");
            w.Line("weights[i] = batch.Weight(start + i);");
            w.Close();
        }

        void Buffers()
        {
            if (logistic)
            {
                w.Line("global::System.Span<float> labels = stackalloc float[ChunkRows];");
                w.Line("global::System.Span<float> weights = stackalloc float[ChunkRows];");
            }
        }

        string VectorHead(string z) => "LogisticErrors(ref " + z + ", ref " + MemoryMarshal + ".GetReference(labels), ref " + MemoryMarshal + ".GetReference(weights), n)";

        // Loss.
        w.Line();
        w.Summary("The summed (sample-weighted) loss of the batch: " + LossName(plan) + ".");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The batch does not fit the model (features, " + (plan.Kind == ModelKind.LinearRegression ? "targets" : "labels") + ").</exception>");
        w.Open("public float Loss(in " + Numerics + ".Batch batch)");
        w.Line(Numerics + ".Batch.Validate(in batch, s_shape);");
        w.Line("ref float parameters = ref _parameters.Origin;");
        w.Line("ref float z = ref Scratch(" + Times("ChunkRows", stride) + ").Origin;");
        w.Line("global::System.Span<nint> offsets = stackalloc nint[ChunkRows];");
        Buffers();
        w.Line("double total = 0;");
        w.Open("for (int start = 0; start < batch.Count; start += ChunkRows)");
        w.Line("int n = global::System.Math.Min(ChunkRows, batch.Count - start);");
        w.Line("ref float x = ref LocateRows(in batch, start, offsets.Slice(0, n));");
        w.Line("ForwardRowsLayer0(ref parameters, ref x, ref " + MemoryMarshal + ".GetReference(offsets), n, ref z);");
        if (logistic)
        {
            Gather();
            w.Line("total += " + VectorHead("z") + ";");
        }
        else
        {
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("total += " + Loss(zi) + ";");
            w.Close();
        }

        w.Close();
        w.Line();
        w.Line("return (float)total;");
        w.Close();

        // AccumulateGradient.
        w.Line();
        w.Summary(
            "Adds the gradient of the batch's summed (sample-weighted) loss to <paramref name=\"gradient\"/> and returns that loss.",
            "A chunk at a time: the forward pass of its rows, each row's errors, then the blocked gradient, dW += Σ e_i x_iᵀ and db += Σ e_i.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The batch does not fit the model, or the gradient is not " + Lit(plan.ParameterCount) + " floats.</exception>");
        w.Open("public float AccumulateGradient(in " + Numerics + ".Batch batch, " + Span + " gradient)");
        w.Line(Numerics + ".Batch.Validate(in batch, s_shape);");
        w.Line("CheckLength(gradient.Length, ParameterCount, nameof(gradient));");
        w.Line("ref float parameters = ref _parameters.Origin;");
        w.Line("ref float g = ref " + MemoryMarshal + ".GetReference(gradient);");
        w.Line("ref float z = ref Scratch(" + Times("ChunkRows", stride) + ").Origin;");
        w.Line("global::System.Span<nint> offsets = stackalloc nint[ChunkRows];");
        Buffers();
        w.Line("double total = 0;");
        w.Open("for (int start = 0; start < batch.Count; start += ChunkRows)");
        w.Line("int n = global::System.Math.Min(ChunkRows, batch.Count - start);");
        w.Line("ref float x = ref LocateRows(in batch, start, offsets.Slice(0, n));");
        w.Line("ref nint rows = ref " + MemoryMarshal + ".GetReference(offsets);");
        w.Line();
        w.Comment("The forward pass, then each row's errors and loss.");
        w.Line("ForwardRowsLayer0(ref parameters, ref x, ref rows, n, ref z);");
        if (logistic)
        {
            Gather();
            w.Line("total += " + VectorHead("z") + ";");
        }
        else
        {
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("total += " + Errors(zi) + ";");
            w.Close();
        }
        w.Line();
        w.Comment("The gradient, added once per chunk.");
        w.Line("GradientLayer0(ref " + Unsafe + ".Add(ref g, Layer0Weights), ref x, ref rows, ref z, n, 1f);");
        w.Line("BiasGradientLayer0(ref " + Unsafe + ".Add(ref g, Layer0Biases), ref z, n, 1f);");
        w.Close();
        w.Line();
        w.Line("return (float)total;");
        w.Close();

        // StepInPlace.
        w.Line();
        w.Summary(
            "θ ← θ − <paramref name=\"stepSize\"/> · ∇(summed loss of <paramref name=\"batch\"/>), the gradient taken at the parameters before",
            "the step; returns that summed loss. The forward pass of every row comes first, keeping each row's errors; then, a",
            "chunk of rows at a time, W is updated in place from gradient rows held in registers: no gradient buffer is written.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The batch does not fit the model.</exception>");
        w.Open("public float StepInPlace(in " + Numerics + ".Batch batch, float stepSize)");
        w.Line(Numerics + ".Batch.Validate(in batch, s_shape);");
        w.Line("int count = batch.Count;");
        w.Line("ref float parameters = ref _parameters.Origin;");
        w.Line(stride == 1
            ? "ref float errors = ref Scratch(count + ChunkRows).Origin;"
            : "ref float errors = ref Scratch(" + Times("global::System.Math.Max(count, ChunkRows)", stride) + ").Origin;");
        w.Line("global::System.Span<nint> offsets = stackalloc nint[ChunkRows];");
        Buffers();
        w.Line();
        w.Comment("Every row's errors and loss, at the parameters before the step.");
        w.Line("double total = 0;");
        w.Open("for (int start = 0; start < count; start += ChunkRows)");
        w.Line("int n = global::System.Math.Min(ChunkRows, count - start);");
        w.Line("ref float z = ref " + Unsafe + ".Add(ref errors, " + Times("start", stride) + ");");
        w.Line("ForwardRowsLayer0(ref parameters, ref LocateRows(in batch, start, offsets.Slice(0, n)), ref " + MemoryMarshal + ".GetReference(offsets), n, ref z);");
        if (logistic)
        {
            Gather();
            w.Line("total += " + VectorHead("z") + ";");
        }
        else
        {
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("total += " + Errors(zi) + ";");
            w.Close();
        }

        w.Close();
        w.Line();
        w.Comment("Then the step: W −= stepSize · Σ e_i x_iᵀ and b −= stepSize · Σ e_i, a chunk of rows at a time.");
        w.Open("for (int start = 0; start < count; start += ChunkRows)");
        w.Line("int n = global::System.Math.Min(ChunkRows, count - start);");
        w.Line("ref float x = ref LocateRows(in batch, start, offsets.Slice(0, n));");
        w.Line("ref float z = ref " + Unsafe + ".Add(ref errors, " + Times("start", stride) + ");");
        w.Line("GradientLayer0(ref " + Unsafe + ".Add(ref parameters, Layer0Weights), ref x, ref " + MemoryMarshal + ".GetReference(offsets), ref z, n, -stepSize);");
        w.Line("BiasGradientLayer0(ref " + Unsafe + ".Add(ref parameters, Layer0Biases), ref z, n, -stepSize);");
        w.Close();
        w.Line();
        w.Line("return (float)total;");
        w.Close();
    }

    /// <summary><paramref name="variable"/> × <paramref name="factor"/>, without "× 1".</summary>
    private static string Times(string variable, int factor) => factor == 1 ? variable : variable + " * " + Lit(factor);

    private static string LossName(ModelPlan plan) => plan.Kind switch
    {
        ModelKind.LinearRegression => "Σ w·(ŷ − y)²",
        ModelKind.LogisticRegression => "binary cross-entropy from the logits, Σ w·(softplus(z) − y·z)",
        _ => "cross-entropy from the logits, Σ w·(log Σ e^z − z_y)",
    };
}
