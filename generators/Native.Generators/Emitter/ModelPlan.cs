using System.Collections.Generic;
using Native.Generators.Model;

namespace Native.Generators.Emitter;

/// <summary>One dense layer of a model to emit: its sizes, where its parameters lie, how its rows are laid out.</summary>
internal sealed class LayerPlan
{
    public LayerPlan(int index, int inputs, int outputs, int weightOffset, bool isOutput, HiddenActivation activation)
    {
        Index = index;
        Inputs = inputs;
        Outputs = outputs;
        WeightOffset = weightOffset;
        BiasOffset = weightOffset + (inputs * outputs);
        IsOutput = isOutput;
        Activation = activation;
    }

    public int Index { get; }

    public int Inputs { get; }

    public int Outputs { get; }

    /// <summary>Where W (outputs × inputs, row-major) starts in the parameter block.</summary>
    public int WeightOffset { get; }

    /// <summary>Where b (outputs) starts in the parameter block.</summary>
    public int BiasOffset { get; }

    public bool IsOutput { get; }

    /// <summary>The hidden layer's activation (unused for the output layer).</summary>
    public HiddenActivation Activation { get; }

    /// <summary>"Layer0", "Layer1": the kernel names' middle part.</summary>
    public string Name => "Layer" + Index;

    /// <summary>
    /// The distance between rows of this layer's outputs (and errors) in scratch memory: a whole number of
    /// cache lines, so each row starts 64-byte aligned and full vectors never cross into the next row; a
    /// single output (the regressions) is stored densely.
    /// </summary>
    public int Stride => Outputs == 1 && IsOutput ? 1 : ModelPlan.Pad(Outputs);

    /// <summary>Whether the layer is a regression's single output, which kernels return rather than store.</summary>
    public bool IsSingleOutput => Outputs == 1 && IsOutput;

    /// <summary>Outputs computed together, one register each: all of them up to 12, else blocks of 8.</summary>
    public int Block => Outputs <= 12 ? Outputs : 8;

    /// <summary>The parameters of this layer.</summary>
    public int ParameterCount => (Inputs * Outputs) + Outputs;
}

/// <summary>The derived numbers of a model to emit: its layers, parameter count and scratch layout.</summary>
internal sealed class ModelPlan
{
    /// <summary>Rows processed together by batch methods: one chunk's errors and activations stay in cache.</summary>
    public const int ChunkRows = 64;

    public ModelPlan(ModelSpec spec)
    {
        Spec = spec;
        var layers = new List<LayerPlan>();
        int offset = 0;
        for (int l = 0; l + 1 < spec.LayerSizes.Count; l++)
        {
            var layer = new LayerPlan(l, spec.LayerSizes[l], spec.LayerSizes[l + 1], offset, l + 2 == spec.LayerSizes.Count, spec.Activation);
            layers.Add(layer);
            offset += layer.ParameterCount;
        }

        Layers = layers;
        ParameterCount = offset;

        // Scratch: for each hidden layer, a chunk of activations then a chunk of errors; then a chunk of the
        // output layer's values (logits, probabilities, errors in turn).
        var activations = new int[layers.Count];
        var errors = new int[layers.Count];
        int scratch = 0;
        foreach (LayerPlan layer in layers)
        {
            activations[layer.Index] = scratch;
            scratch += ChunkRows * layer.Stride;
            if (!layer.IsOutput)
            {
                errors[layer.Index] = scratch;
                scratch += ChunkRows * layer.Stride;
            }
            else
            {
                errors[layer.Index] = activations[layer.Index];
            }
        }

        ActivationOffsets = activations;
        ErrorOffsets = errors;
        ScratchLength = scratch;
    }

    public ModelSpec Spec { get; }

    public ModelKind Kind => Spec.Kind;

    public IReadOnlyList<LayerPlan> Layers { get; }

    public LayerPlan Output => Layers[Layers.Count - 1];

    public int Features => Spec.LayerSizes[0];

    /// <summary>The classes of a softmax head (softmax regression, perceptron), or 1.</summary>
    public int Outputs => Output.Outputs;

    public int ParameterCount { get; }

    /// <summary>Where each layer's chunk of outputs starts in the scratch memory.</summary>
    public IReadOnlyList<int> ActivationOffsets { get; }

    /// <summary>Where each layer's chunk of errors starts (the output layer reuses its values' rows).</summary>
    public IReadOnlyList<int> ErrorOffsets { get; }

    /// <summary>The scratch a chunk of rows needs, in floats.</summary>
    public int ScratchLength { get; }

    public bool HasSoftmax => Kind is ModelKind.SoftmaxRegression or ModelKind.MultilayerPerceptron;

    /// <summary>Rounds up to a whole number of 64-byte cache lines (16 floats).</summary>
    public static int Pad(int length) => (length + 15) / 16 * 16;
}
