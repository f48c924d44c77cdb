using Native.Generators.Emitter;

namespace Native.Generators;

// The public members of a multilayer perceptron, and its forward and backward passes through the layers.
public sealed partial class ModelGenerator
{
    private static void EmitPerceptronMembers(SourceWriter w, ModelPlan plan)
    {
        LayerPlan output = plan.Output;

        w.Line();
        w.Summary("Draws fresh weights from <paramref name=\"seed\"/> and zeroes the biases, exactly as the run-time perceptron does.");
        w.Line("public void Initialize(int seed) => " + Numerics + ".MultilayerPerceptron.InitializeParameters(s_shape, Parameters, seed);");
        w.Line();
        w.Summary("The parameters of a new model: drawn from seed 0, as a run-time perceptron's are.");
        w.Open("private static " + Numerics + ".AlignedBuffer CreateParameters()");
        w.Line("var parameters = new " + Numerics + ".AlignedBuffer(ParameterCount);");
        w.Line(Numerics + ".MultilayerPerceptron.InitializeParameters(s_shape, parameters.Span, seed: 0);");
        w.Line("return parameters;");
        w.Close();

        // Prediction.
        w.Line();
        w.Summary("Writes the probabilities of the " + Lit(plan.Outputs) + " classes for one row.");
        w.Line("/// <param name=\"features\">The row: " + Lit(plan.Features) + " floats.</param>");
        w.Line("/// <param name=\"outputs\">Receives the " + Lit(plan.Outputs) + " class probabilities, which sum to 1.</param>");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">A span's length is not " + Lit(plan.Features) + " or " + Lit(plan.Outputs) + ".</exception>");
        w.Open("public void Forward(" + ReadOnlySpan + " features, " + Span + " outputs)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("CheckLength(outputs.Length, Classes, nameof(outputs));");
        w.Line("ref float z = ref ForwardRow(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features), ref Scratch(ScratchLength).Origin);");
        w.Line("Softmax(ref z, out _);");
        w.Line("CopyClasses(ref z, ref " + MemoryMarshal + ".GetReference(outputs));");
        w.Close();

        EmitForwardBatchHead(w, "Writes the class probabilities of each row: <paramref name=\"rows\"/> holds n rows of " + Lit(plan.Features) + " floats, <paramref name=\"outputs\"/> receives n rows of " + Lit(plan.Outputs) + ".", "ForwardBatch", Span + " outputs", "Classes", "outputs");
        EmitChunksOfRows(w, plan, "The chunk's forward pass, then each row's softmax, copied out.", null, () => EmitSoftmaxRows(w, plan));
        w.Close();

        w.Line();
        w.Summary("The most probable class of one row: the class with the largest logit (softmax is monotonic, so it is not computed); ties go to the lower class.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The row's length is not " + Lit(plan.Features) + ".</exception>");
        w.Open("public int Predict(" + ReadOnlySpan + " features)");
        w.Line("CheckLength(features.Length, Features, nameof(features));");
        w.Line("return ArgMax(ref ForwardRow(ref _parameters.Origin, ref " + MemoryMarshal + ".GetReference(features), ref Scratch(ScratchLength).Origin));");
        w.Close();

        EmitClassPredictions(w, plan, () => w.Line("classes[start + i] = ArgMax(ref zi);"));
        EmitPredictProbabilities(w);

        // Training.
        w.Line();
        w.Summary("The summed (sample-weighted) loss of the batch: cross-entropy from the logits, Σ w·(log Σ e^z − z_y).");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The batch does not fit the model (features, labels).</exception>");
        w.Open("public float Loss(in " + Numerics + ".Batch batch)");
        w.Line(Numerics + ".Batch.Validate(in batch, s_shape);");
        w.Line("ref float parameters = ref _parameters.Origin;");
        w.Line("ref float scratch = ref Scratch(ScratchLength).Origin;");
        w.Line("ref float z = ref " + Unsafe + ".Add(ref scratch, Logits);");
        w.Line("global::System.Span<nint> offsets = stackalloc nint[ChunkRows];");
        w.Line("double total = 0;");
        w.Open("for (int start = 0; start < batch.Count; start += ChunkRows)");
        w.Line("int n = global::System.Math.Min(ChunkRows, batch.Count - start);");
        w.Line("ForwardChunk(ref parameters, ref LocateRows(in batch, start, offsets.Slice(0, n)), ref " + MemoryMarshal + ".GetReference(offsets), n, ref scratch);");
        w.Open("for (int i = 0; i < n; i++)");
        w.Line("total += SoftmaxLoss(ref " + Unsafe + ".Add(ref z, i * " + Lit(output.Stride) + "), batch.Label(start + i), batch.Weight(start + i));");
        w.Close();
        w.Close();
        w.Line();
        w.Line("return (float)total;");
        w.Close();

        w.Line();
        w.Summary(
            "Adds the gradient of the batch's summed (sample-weighted) loss to <paramref name=\"gradient\"/> and returns that loss.",
            "A chunk at a time: the forward pass keeping every layer's outputs, each row's errors at the top, then back-propagation.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The batch does not fit the model, or the gradient is not " + Lit(plan.ParameterCount) + " floats.</exception>");
        w.Open("public float AccumulateGradient(in " + Numerics + ".Batch batch, " + Span + " gradient)");
        w.Line(Numerics + ".Batch.Validate(in batch, s_shape);");
        w.Line("CheckLength(gradient.Length, ParameterCount, nameof(gradient));");
        w.Line("ref float parameters = ref _parameters.Origin;");
        w.Line("ref float scratch = ref Scratch(ScratchLength).Origin;");
        w.Line("global::System.Span<nint> offsets = stackalloc nint[ChunkRows];");
        w.Line("double total = 0;");
        w.Open("for (int start = 0; start < batch.Count; start += ChunkRows)");
        w.Line("int n = global::System.Math.Min(ChunkRows, batch.Count - start);");
        w.Line("total += ForwardBackwardChunk(in batch, start, n, offsets, ref parameters, ref scratch, ref " + MemoryMarshal + ".GetReference(gradient), 1f);");
        w.Close();
        w.Line();
        w.Line("return (float)total;");
        w.Close();

        w.Line();
        w.Summary(
            "θ ← θ − <paramref name=\"stepSize\"/> · ∇(summed loss of <paramref name=\"batch\"/>), the gradient taken at the parameters before",
            "the step; returns that summed loss. A batch of one chunk (" + Lit(ModelPlan.ChunkRows) + " rows or fewer) steps in place: each layer's errors are",
            "carried down before its weights move, and its weights are updated from gradient rows held in registers. A larger",
            "batch sums its gradient first (in this thread's gradient buffer), since later chunks must see the parameters before the step.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">The batch does not fit the model.</exception>");
        w.Open("public float StepInPlace(in " + Numerics + ".Batch batch, float stepSize)");
        w.Line(Numerics + ".Batch.Validate(in batch, s_shape);");
        w.Open("if (batch.Count <= ChunkRows)");
        w.Line("global::System.Span<nint> offsets = stackalloc nint[ChunkRows];");
        w.Line("ref float parameters = ref _parameters.Origin;");
        w.Line("return (float)ForwardBackwardChunk(in batch, 0, batch.Count, offsets, ref parameters, ref Scratch(ScratchLength).Origin, ref parameters, -stepSize);");
        w.Close();
        w.Line();
        w.Line(Numerics + ".AlignedBuffer? buffer = t_gradient;");
        w.Open("if (buffer is null)");
        w.Line("t_gradient = buffer = new " + Numerics + ".AlignedBuffer(ParameterCount);");
        w.Close();
        w.Line();
        w.Line(Span + " gradient = buffer.Span;");
        w.Line("gradient.Clear();");
        w.Line("float loss = AccumulateGradient(in batch, gradient);");
        w.Line("global::System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, -stepSize, Parameters, Parameters);");
        w.Line("return loss;");
        w.Close();

        EmitPerceptronPasses(w, plan);
    }

    /// <summary>The forward pass of a row and of a chunk, and the forward-backward pass of a chunk.</summary>
    private static void EmitPerceptronPasses(SourceWriter w, ModelPlan plan)
    {
        LayerPlan output = plan.Output;
        string At(string offset) => "ref " + Unsafe + ".Add(ref scratch, " + offset + ");";
        string Activations(int l) => plan.Layers[l].IsOutput ? "z" : "a" + Lit(l);
        string Errors(int l) => plan.Layers[l].IsOutput ? "z" : "e" + Lit(l);

        // One row.
        w.Line();
        w.Summary("The forward pass of one row, layer by layer through the scratch memory; returns a reference to its logits.");
        w.Open("private static ref float ForwardRow(ref float parameters, ref float x, ref float scratch)");
        foreach (LayerPlan layer in plan.Layers)
        {
            string input = layer.Index == 0 ? "ref x" : "ref a" + Lit(layer.Index - 1);
            w.Comment(LayerComment(layer) + ".");
            w.Line("ref float " + Activations(layer.Index) + " = " + At(ScratchName(layer, errors: false)));
            w.Line("Forward" + layer.Name + "(ref parameters, " + input + ", ref " + Activations(layer.Index) + ");");
            if (layer.IsOutput)
            {
                w.Line("return ref z;");
            }
            else
            {
                w.Line("Activate" + layer.Name + "(ref a" + Lit(layer.Index) + ", 1);");
                w.Line();
            }
        }

        w.Close();

        // A chunk, forward.
        w.Line();
        w.Summary("The forward pass of n ≤ " + Lit(ModelPlan.ChunkRows) + " rows, layer by layer, keeping every layer's outputs in the scratch memory.");
        w.Open("private static void ForwardChunk(ref float parameters, ref float x, ref nint rows, int n, ref float scratch)");
        foreach (LayerPlan layer in plan.Layers)
        {
            w.Line("ref float " + Activations(layer.Index) + " = " + At(ScratchName(layer, errors: false)));
        }

        w.Line("global::System.Span<nint> hidden = stackalloc nint[ChunkRows];");
        foreach (LayerPlan layer in plan.Layers)
        {
            w.Line();
            w.Comment(LayerComment(layer) + (layer.Index == 0 ? "." : "; its inputs are layer " + Lit(layer.Index - 1) + "'s rows, " + Lit(plan.Layers[layer.Index - 1].Stride) + " floats apart."));
            string input = "ref x, ref rows";
            if (layer.Index > 0)
            {
                w.Line("StridedRows(hidden, " + Lit(plan.Layers[layer.Index - 1].Stride) + ");");
                input = "ref " + Activations(layer.Index - 1) + ", ref " + MemoryMarshal + ".GetReference(hidden)";
            }

            w.Line("ForwardRows" + layer.Name + "(ref parameters, " + input + ", n, ref " + Activations(layer.Index) + ");");
            if (!layer.IsOutput)
            {
                w.Line("Activate" + layer.Name + "(ref " + Activations(layer.Index) + ", n);");
            }
        }

        w.Close();

        // A chunk, forward and backward.
        w.Line();
        w.Summary(
            "The forward and backward pass of rows <paramref name=\"start\"/> to <paramref name=\"start\"/> + <paramref name=\"n\"/> of the batch:",
            "adds scale · their gradient to <paramref name=\"destination\"/> (the gradient, scale 1; or the parameters themselves, scale −η)",
            "and returns their summed loss. From the top layer down, each layer's errors are carried down before its own weights",
            "are written, so a step in place back-propagates through the weights the forward pass used.");
        w.Open("private static double ForwardBackwardChunk(in " + Numerics + ".Batch batch, int start, int n, global::System.Span<nint> offsets, ref float parameters, ref float scratch, ref float destination, float scale)");
        w.Line("ref float x = ref LocateRows(in batch, start, offsets.Slice(0, n));");
        w.Line("ref nint rows = ref " + MemoryMarshal + ".GetReference(offsets);");
        w.Line("ForwardChunk(ref parameters, ref x, ref rows, n, ref scratch);");
        foreach (LayerPlan layer in plan.Layers)
        {
            if (layer.IsOutput)
            {
                w.Line("ref float z = " + At("Logits"));
            }
            else
            {
                w.Line("ref float a" + Lit(layer.Index) + " = " + At(ScratchName(layer, errors: false)));
                w.Line("ref float e" + Lit(layer.Index) + " = " + At(ScratchName(layer, errors: true)));
            }
        }

        w.Line();
        w.Comment("The errors at the top, in place of the logits: w·(p − onehot(y)) for each row, and its loss.");
        w.Line("double total = 0;");
        w.Open("for (int i = 0; i < n; i++)");
        w.Line("total += SoftmaxErrors(ref " + Unsafe + ".Add(ref z, i * " + Lit(output.Stride) + "), batch.Label(start + i), batch.Weight(start + i));");
        w.Close();
        w.Line();
        w.Line("global::System.Span<nint> hidden = stackalloc nint[ChunkRows];");
        for (int l = plan.Layers.Count - 1; l >= 0; l--)
        {
            LayerPlan layer = plan.Layers[l];
            w.Line();
            w.Comment(LayerComment(layer) + (l > 0 ? ": its errors carried down, e" + Lit(l - 1) + " = (" + Errors(l) + "·W" + Lit(l) + ") ⊙ " + ActivationName(plan.Layers[l - 1].Activation) + "'(a" + Lit(l - 1) + "), then its gradient." : ": its gradient."));
            string inputs = "ref x, ref rows";
            if (l > 0)
            {
                LayerPlan below = plan.Layers[l - 1];
                w.Line("Backpropagate" + layer.Name + "(ref parameters, ref " + Errors(l) + ", ref e" + Lit(l - 1) + ", n);");
                w.Line("Derivative" + below.Name + "(ref a" + Lit(l - 1) + ", ref e" + Lit(l - 1) + ", n);");
                w.Line("StridedRows(hidden, " + Lit(below.Stride) + ");");
                inputs = "ref a" + Lit(l - 1) + ", ref " + MemoryMarshal + ".GetReference(hidden)";
            }

            w.Line("Gradient" + layer.Name + "(ref " + Unsafe + ".Add(ref destination, " + layer.Name + "Weights), " + inputs + ", ref " + Errors(l) + ", n, scale);");
            w.Line("BiasGradient" + layer.Name + "(ref " + Unsafe + ".Add(ref destination, " + layer.Name + "Biases), ref " + Errors(l) + ", n, scale);");
        }

        w.Line();
        w.Line("return total;");
        w.Close();
    }

    /// <summary>The name of the constant where a layer's chunk of outputs (or errors) starts in the scratch memory.</summary>
    private static string ScratchName(LayerPlan layer, bool errors) =>
        layer.IsOutput ? "Logits" : layer.Name + (errors ? "Errors" : "Activations");

    private static string LayerComment(LayerPlan layer) =>
        "Layer " + Lit(layer.Index) + ": " + Lit(layer.Inputs) + " → " + Lit(layer.Outputs) + (layer.IsOutput ? ", the logits" : ", then " + ActivationName(layer.Activation));
}
