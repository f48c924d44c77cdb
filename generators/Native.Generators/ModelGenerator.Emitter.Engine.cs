using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Native.Generators.Emitter;
using Native.Generators.Model;
using Native.Numerics;

namespace Native.Generators;

// The engine a generated model runs on: the library's runtime over the model's layers and head, one struct per layer.
public sealed partial class ModelGenerator
{
    /// <summary>The engine: the library's runtime over this model's layers and head; then one struct per layer.</summary>
    private static void EmitEngine(SourceWriter w, ModelSpec spec)
    {
        int[] sizes = [.. spec.LayerSizes];
        int[] activations = Enumerable.Repeat((int)spec.Activation, sizes.Length - 2).ToArray();
        string initialize = spec.Kind == ModelKind.MultilayerPerceptron
            ? Numerics + ".MultilayerPerceptron.InitializeParameters(s_shape, Parameters, seed: 0);"
            : string.Empty;
        EmitEngine(w, spec.Kind, sizes, activations, "s_shape", initialize, spec.Kind == ModelKind.MultilayerPerceptron ? "parameters drawn from seed 0, as the run-time perceptron's are" : "zero parameters");
    }

    /// <summary>
    /// A private sealed <c>Engine</c> over the library's runtime for these layers and the kind's head, whose constructor
    /// passes <paramref name="baseArguments"/> and then runs <paramref name="body"/>; then one struct per layer.
    /// </summary>
    private static void EmitEngine(SourceWriter w, ModelKind kind, int[] sizes, int[] activations, string baseArguments, string body, string starts)
    {
        int layers = sizes.Length - 1;
        string head = kind switch
        {
            ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => "IdentityHead",
            ModelKind.LogisticRegression => "SigmoidHead",
            _ => "SoftmaxHead",
        };
        w.Line();
        w.Summary(
            "The library's model runtime over " + (layers == 1 ? "the dense layer <see cref=\"Layer0\"/>" : "the dense layers <see cref=\"Layer0\"/> to <see cref=\"Layer" + Lit(layers - 1) + "\"/>")
            + " and a " + head.Replace("Head", string.Empty).ToLowerInvariant() + " head:",
            "every kernel it runs is compiled for " + (layers == 1 ? "the layer's" : "the layers'") + " constant sizes.");
        w.Line("private sealed class Engine : " + CompilerServices + ".ModelRuntime<");
        for (int l = 0; l < layers - 1; l++)
        {
            w.Line(new string(' ', 4 * (l + 1)) + CompilerServices + ".HiddenLayer<Layer" + Lit(l) + ", " + CompilerServices + "." + (HiddenActivation)activations[l] + "Function,");
        }

        w.Line(new string(' ', 4 * layers) + CompilerServices + ".OutputLayer<Layer" + Lit(layers - 1) + ">" + new string('>', layers - 1) + ",");
        w.Line("    " + CompilerServices + "." + head + ">");
        w.Open();
        w.Summary("An engine with " + starts + ".");
        w.Line("public Engine()");
        w.Line("    : base(" + baseArguments + ")");
        w.Open();
        if (body.Length > 0)
        {
            w.Line(body);
        }

        w.Close();
        w.Close();

        var layout = new ParameterLayout(sizes);
        for (int l = 0; l < layers; l++)
        {
            int inputs = layout.LayerInputs(l), outputs = layout.LayerOutputs(l);
            string role = l == layers - 1 ? (layers == 1 ? "the model's one layer" : "the output layer") : "hidden, " + ActivationName((HiddenActivation)activations[l]);
            w.Line();
            w.Summary("Layer " + Lit(l) + " (" + role + "), " + Lit(inputs) + " → " + Lit(outputs) + ": W" + Lit(l) + " (" + Lit(outputs) + " × " + Lit(inputs) + ", row-major) at parameter "
                + Lit(layout.WeightOffset(l)) + ", b" + Lit(l) + " (" + Lit(outputs) + ") at " + Lit(layout.BiasOffset(l)) + ".");
            w.Open("private readonly struct Layer" + Lit(l) + " : " + CompilerServices + ".IDenseShape");
            w.Summary(Lit(inputs) + " " + Plural(inputs, "input") + (l == 0 ? ": the features." : ": the outputs of layer " + Lit(l - 1) + "."));
            w.Line("public int Inputs");
            w.Open();
            w.Line(AggressiveInlining);
            w.Line("get => " + Lit(inputs) + ";");
            w.Close();
            w.Line();
            w.Summary(Lit(outputs) + " " + Plural(outputs, "output") + (l == layers - 1 ? ": the values the head turns into " + (IsRegression(kind) ? "the prediction." : "probabilities.") : "."));
            w.Line("public int Outputs");
            w.Open();
            w.Line(AggressiveInlining);
            w.Line("get => " + Lit(outputs) + ";");
            w.Close();
            w.Close();
        }
    }
}
