using System;
using System.Collections.Generic;
using System.Linq;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// Reads an ONNX model file into a <see cref="ModelDescription"/>: parses the protobuf, then reads the graph as
/// one chain of operators from the input to the output — input preparation, the standardizer, dense layers
/// with their activations (or int8 layers in the QDQ form Native writes: <c>OnnxGraphReader.Quantized.cs</c>), the output
/// head — and refuses, naming the node, its op type and why, any graph
/// that the model kinds cannot express exactly.
/// </summary>
/// <remarks>
/// <para>
/// The walk starts at the graph's one input and follows each value to the node that consumes it. A value that
/// feeds two nodes of the chain is a branch (a skip connection, say) and is refused. Beside the chain, only
/// label branches are allowed — <c>ArgMax</c>, or a threshold on the logistic output, then casts, reshapes and a
/// lookup of the class names (<c>Gather</c>, <c>ArrayFeatureExtractor</c>), or a <c>ZipMap</c> — since they
/// compute what the model's <c>Predict</c> computes; they give the class names when they hold them. Nodes not
/// reachable from the input cannot change the outputs and are not read. Every graph output must be the chain's
/// end or a label branch's.
/// </para>
/// <para>
/// This file and the rest of <c>Serialization/Onnx/Reading</c> compile for netstandard2.0 too: the source generator
/// links them to read <c>[GeneratedModel("m.onnx")]</c> with the same checks.
/// </para>
/// </remarks>
internal sealed partial class OnnxGraphReader
{
    public const long MinOpset = 7;
    public const long MaxOpset = 23;
    public const long MaxMlOpset = 5;

    private const string MlDomain = "ai.onnx.ml";

    private readonly byte[] _bytes;
    private readonly string? _name;
    private readonly OnnxModelProto _model;
    private readonly OnnxGraphProto _graph;
    private readonly Dictionary<string, Constant> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxNodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<OnnxNodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _labelValues = new(StringComparer.Ordinal);
    private readonly long _opset;
    private string _end = string.Empty;
    private long _decoded;
    private int _quantizedAt;

    private OnnxGraphReader(byte[] bytes, string? name, OnnxModelProto model)
    {
        _bytes = bytes;
        _name = name;
        _model = model;
        if (model.IrVersion < 3)
        {
            throw Error(0, FormattableString.Invariant($"the ModelProto's ir_version is {model.IrVersion}; ONNX files with opsets (IR version 3 and later) are read."));
        }

        _graph = model.Graph ?? throw Error(0, "the ModelProto has no graph (field 7).");
        long? opset = null;
        foreach (KeyValuePair<string, long> import in model.Opsets)
        {
            if (import.Key is "" or "ai.onnx")
            {
                opset = import.Value;
            }
            else if (import.Key == MlDomain && (import.Value < 1 || import.Value > MaxMlOpset))
            {
                throw Error(0, FormattableString.Invariant($"the model imports {MlDomain} opset {import.Value}; this reader knows versions 1 to {MaxMlOpset}."));
            }
        }

        _opset = opset ?? throw Error(0, "the model imports no opset of the default ONNX domain (opset_import with domain \"\"), so its operators have no defined meaning.");
        if (_opset < MinOpset || _opset > MaxOpset)
        {
            throw Error(0, FormattableString.Invariant($"the model imports ONNX opset {_opset}; this reader knows opsets {MinOpset} to {MaxOpset}."));
        }
    }

    /// <summary>Reads the ONNX model in <paramref name="bytes"/> (the whole file).</summary>
    /// <param name="bytes">The file's content.</param>
    /// <param name="name">The file's name, for error messages, or null.</param>
    /// <param name="quantizedAllowed">
    /// Whether a quantized (int8, QDQ) graph is read, into <see cref="ModelDescription.Quantization"/>; otherwise it is
    /// refused in one line, for a reader that would use only the float weights (a typed load, a compiled-in model).
    /// </param>
    /// <exception cref="FileFormatException">The file is not a well-formed ONNX model, or not one of the model kinds; the message says what and where.</exception>
    public static ModelDescription Read(byte[] bytes, string? name, bool quantizedAllowed = false)
    {
        OnnxModelProto model = OnnxProtoParser.Parse(bytes, name);
        var reader = new OnnxGraphReader(bytes, name, model);
        ModelDescription description = reader.Interpret();
        if (description.Quantization is not null && !quantizedAllowed)
        {
            throw reader.Error(reader._quantizedAt, "the graph holds a quantized model (int8 weights through DequantizeLinear), which only ModelFile.Load reads, into a quantized TrainedModel; a typed load or a compiled-in model needs a float file.");
        }

        return description;
    }

    private ModelDescription Interpret()
    {
        IndexValues();
        OnnxValueInfoProto input;
        PipelineDescription? pipeline = null;
        if (PipelineConcat() is { } concat)
        {
            // Native's feature pipeline: the model's input is the row its Concat writes.
            pipeline = ReadPipeline(concat, out input);
        }
        else
        {
            input = FindInput();
        }

        var chain = new List<Step>();
        var labels = new List<LabelStart>();
        Walk(input.Name, chain, labels);
        if (_graph.SparseInitializer >= 0)
        {
            throw Error(_graph.SparseInitializer, "the graph has sparse initializers, which this reader does not read; store the weights as dense tensors.");
        }

        // A pipeline may stand before float layers or int8 (QDQ) ones: it writes the encoded row either takes.
        ModelDescription description = Build(input, chain, labels);
        description.Pipeline = pipeline;
        return description;
    }

    /// <summary>Indexes the constants (initializers and Constant nodes), which node produces each value and which consume it.</summary>
    private void IndexValues()
    {
        foreach (OnnxTensorProto tensor in _graph.Initializers)
        {
            if (_constants.ContainsKey(tensor.Name))
            {
                throw Error(tensor.Message.Start, $"two initializers are named '{OnnxText.Quote(tensor.Name)}'; names in a graph are unique.");
            }

            _constants.Add(tensor.Name, new Constant(tensor, $"initializer '{OnnxText.Quote(tensor.Name)}'"));
        }

        foreach (OnnxValueInfoProto output in _graph.Outputs)
        {
            _outputs.Add(output.Name);
        }

        foreach (OnnxNodeProto node in _graph.Nodes)
        {
            foreach (string output in node.Outputs)
            {
                if (output.Length == 0)
                {
                    continue;
                }

                if (_producers.ContainsKey(output) || _constants.ContainsKey(output))
                {
                    throw Error(node.Offset, $"{node.Label} writes the value '{OnnxText.Quote(output)}', which another node or an initializer also defines; every value in a graph has one source.");
                }

                _producers.Add(output, node);
            }

            if (node.OpType == "Constant" && IsDefaultDomain(node) && node.Outputs.Count == 1)
            {
                _constants.Add(node.Outputs[0], ConstantNode(node));
            }

            foreach (string input in node.Inputs)
            {
                if (input.Length == 0)
                {
                    continue;
                }

                if (!_consumers.TryGetValue(input, out List<OnnxNodeProto>? list))
                {
                    list = [];
                    _consumers.Add(input, list);
                }

                if (!list.Contains(node))
                {
                    list.Add(node);
                }
            }
        }

        ResolveConstants();
    }

    /// <summary>
    /// Makes the output of an <c>Identity</c> over a constant a constant too, down any chain of them: PyTorch (1.13 on)
    /// stores equal initializers once — the zero biases and the BatchNorm defaults of several layers — and gives each
    /// use its own name through an Identity, so a layer's bias is "computed" by a node that only renames a weight. So
    /// too the output of a <c>DequantizeLinear</c> over constants (a quantized layer's int8 weights, their scales and
    /// zero points): a constant the layer that takes it reads as its weights, and checks then (<c>OnnxGraphReader.Quantized.cs</c>).
    /// </summary>
    private void ResolveConstants()
    {
        bool resolved = true;
        while (resolved)
        {
            // A pass per link of the longest chain: graphs list nodes in order, so one pass usually settles all.
            resolved = false;
            foreach (OnnxNodeProto node in _graph.Nodes)
            {
                if (!IsDefaultDomain(node) || node.Outputs.Count != 1 || node.Outputs[0].Length == 0 || _constants.ContainsKey(node.Outputs[0]))
                {
                    continue;
                }

                if (node.OpType == "Identity" && node.Inputs.Count == 1 && _constants.TryGetValue(node.Inputs[0], out Constant? source))
                {
                    _constants.Add(node.Outputs[0], source.Renamed($"{source.Origin} (through {node.Label})"));
                    resolved = true;
                }
                else if (node.OpType == "DequantizeLinear" && DequantizedConstant(node) is { } dequantized)
                {
                    _constants.Add(node.Outputs[0], dequantized);
                    resolved = true;
                }
            }
        }
    }

    /// <summary>The one graph input that is not an initializer: a float tensor of rank 2 or more, the batch first.</summary>
    private OnnxValueInfoProto FindInput()
    {
        List<OnnxValueInfoProto> inputs = [.. _graph.Inputs.Where(input => !_constants.ContainsKey(input.Name))];
        if (inputs.Count != 1)
        {
            throw Error(inputs.Count == 0 ? 0 : inputs[1].Offset, inputs.Count == 0
                ? "the graph has no input (other than initializers); a model takes rows of features."
                : FormattableString.Invariant($"the graph has {inputs.Count} inputs ({string.Join(", ", inputs.Take(4).Select(i => "'" + OnnxText.Quote(i.Name) + "'"))}); Native's models take one tensor of features."));
        }

        OnnxValueInfoProto input = inputs[0];
        if (input.Name.Length == 0)
        {
            throw Error(input.Offset, "the graph input has no name, so no node can take it.");
        }

        string what = $"the graph input '{OnnxText.Quote(input.Name)}'";
        if (!input.IsTensor)
        {
            throw Error(input.Offset, $"{what} is not a tensor (a sequence or a map); Native's models take a tensor of float features.");
        }

        if (input.ElementType is not (0 or OnnxTensors.Float))
        {
            throw Error(input.Offset, $"{what} has element type {OnnxTensors.TypeName(input.ElementType)}; Native's models take FLOAT (float32) features.");
        }

        if (input.Dimensions is { } dimensions)
        {
            if (dimensions.Count < 2)
            {
                throw Error(input.Offset, $"{what} has shape {OnnxTensors.Shape(dimensions)}; expected [batch, features] or [batch, …] flattened by the first node.");
            }

            for (int i = 1; i < dimensions.Count; i++)
            {
                // A named dimension (-1 here) is left to the first layer's weights to fix; a zero is no row at all.
                if (dimensions[i] == 0)
                {
                    throw Error(input.Offset, FormattableString.Invariant($"{what} has shape {OnnxTensors.Shape(dimensions)}: dimension {i} is 0, so a row holds no features."));
                }
            }
        }

        return input;
    }

    /// <summary>
    /// Follows the chain from the input: at each value, the one consumer that continues the chain (any other
    /// must start a label branch), until a value nothing consumes.
    /// </summary>
    private void Walk(string input, List<Step> chain, List<LabelStart> labels)
    {
        string current = input;
        var visited = new HashSet<OnnxNodeProto>();
        while (true)
        {
            OnnxNodeProto? next = null;
            foreach (OnnxNodeProto consumer in _consumers.TryGetValue(current, out List<OnnxNodeProto>? list) ? list : [])
            {
                if (IsLabelStart(consumer))
                {
                    labels.Add(new LabelStart(consumer, chain.Count, current));
                    continue;
                }

                if (next is not null)
                {
                    throw Error(consumer.Offset, $"the value '{OnnxText.Quote(current)}' feeds both {next.Label} and {consumer.Label}: the graph branches (a skip connection?), and Native's models are one chain of layers.");
                }

                next = consumer;
            }

            if (next is null)
            {
                // The end: a graph output, or the probabilities a ZipMap pairs with the class labels (skl2onnx's default output).
                _end = current;
                if (!_outputs.Contains(current) && !labels.Exists(label => label.Value == current && label.Node.OpType == "ZipMap"))
                {
                    throw Error(chain.Count > 0 ? chain[chain.Count - 1].Node.Offset : 0, $"the value '{OnnxText.Quote(current)}' is computed but neither used nor a graph output.");
                }

                return;
            }

            if (!visited.Add(next))
            {
                throw Error(next.Offset, $"{next.Label} is reached twice along the chain: the graph has a cycle.");
            }

            // The chain's node takes the current value and constants only.
            int position = -1;
            for (int i = 0; i < next.Inputs.Count; i++)
            {
                string value = next.Inputs[i];
                if (value == current)
                {
                    position = position < 0 ? i : throw Error(next.Offset, $"{next.Label} takes the value '{OnnxText.Quote(current)}' twice; Native's layers take it once.");
                }
                else if (value.Length > 0 && !_constants.ContainsKey(value))
                {
                    throw Error(next.Offset, _producers.TryGetValue(value, out OnnxNodeProto? producer)
                        ? $"{next.Label} takes '{OnnxText.Quote(value)}', computed by {producer.Label}, besides '{OnnxText.Quote(current)}'; its other inputs must be initializers or Constant nodes (a skip connection or computed weights are not a model of the four kinds)."
                        : $"{next.Label} takes '{OnnxText.Quote(value)}', which is neither the graph's input, an initializer nor any node's output.");
                }
            }

            if (_outputs.Contains(current))
            {
                throw Error(next.Offset, $"the graph output '{OnnxText.Quote(current)}' is an intermediate value ({next.Label} goes on from it); Native's models give only the final output.");
            }

            // LinearClassifier's first output is the label, its second the scores; every other node's first output goes on.
            bool classifier = next.OpType == "LinearClassifier" && next.Domain == MlDomain;
            int onward = classifier ? 1 : 0;
            for (int i = 0; i < next.Outputs.Count; i++)
            {
                string output = next.Outputs[i];
                if (i == onward || output.Length == 0)
                {
                    continue;
                }

                if (classifier && i == 0)
                {
                    labels.Add(new LabelStart(next, chain.Count + 1, output));
                }
                else if (_outputs.Contains(output) || _consumers.ContainsKey(output))
                {
                    throw Error(next.Offset, FormattableString.Invariant($"{next.Label}'s output {i} ('{OnnxText.Quote(output)}') is used; Native reads only its first output."));
                }
            }

            if (next.Outputs.Count <= onward || next.Outputs[onward].Length == 0)
            {
                throw Error(next.Offset, FormattableString.Invariant($"{next.Label} has no output {onward}, so the chain stops there."));
            }

            chain.Add(new Step(next, position));
            current = next.Outputs[onward];
        }
    }

    private static bool IsLabelStart(OnnxNodeProto node) =>
        IsDefaultDomain(node) ? node.OpType is "ArgMax" or "Greater" or "GreaterOrEqual" : node.Domain == MlDomain && node.OpType == "ZipMap";

    private static bool IsDefaultDomain(OnnxNodeProto node) => node.Domain is "" or "ai.onnx";

    private FileFormatException Error(long offset, string message) => FileFormatException.AtOffset(_name, offset, message);
}
