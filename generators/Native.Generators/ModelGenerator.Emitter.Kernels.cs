using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Native.Generators.Emitter;
using Native.Generators.Model;

namespace Native.Generators;

// The kernels of a dense layer, written once against Width and emitted at each width a path needs. Every size
// is a literal: trip counts, row offsets and tails are resolved here, at generation time.
public sealed partial class ModelGenerator
{
    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
    private const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";
    private const string MathF = "global::System.MathF";
    private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

    // The loops of each width are compiled fully optimized at their first call, as the run-time kernels are:
    // under tiered compilation they would run unoptimized code for their first hundred milliseconds or so,
    // which made a short training run several times slower. They read no static state the JIT would fold.
    internal const string Optimize = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    private static readonly string[] RowLetters = ["a", "b", "c", "d"];

    /// <summary>Emits the kernels of <paramref name="layer"/>, each at every width some path needs, with their dispatchers.</summary>
    private static void EmitLayerKernels(SourceWriter w, ModelPlan plan, LayerPlan layer, HashSet<Width> sums)
    {
        // Over the inputs: forward, gradient and backward kernels take the widest vector a row of inputs fills.
        Width[] overInputs = Distinct(path => Width.Fit(path, layer.Inputs));
        Func<Width, Width> fitInputs = path => Width.Fit(path, layer.Inputs);
        string shape = "W is (" + Lit(layer.Outputs) + ", " + Lit(layer.Inputs) + ") row-major";
        bool single = layer.IsSingleOutput;

        EmitDispatch(
            w,
            "z = W·x + b for one row: " + shape + " at parameters[" + Lit(layer.WeightOffset) + "], b at parameters[" + Lit(layer.BiasOffset) + "].",
            single ? "float" : "void",
            "Forward" + layer.Name,
            single ? "ref float parameters, ref float x" : "ref float parameters, ref float x, ref float z",
            single ? "ref parameters, ref x" : "ref parameters, ref x, ref z",
            fitInputs);
        EmitDispatch(
            w,
            "z_i = W·x_i + b for n rows: " + shape + "; row i of x starts rows[i] bytes after x; row i of z starts " + Lit(layer.Stride) + "·i floats after z.",
            "void",
            "ForwardRows" + layer.Name,
            "ref float parameters, ref float x, ref nint rows, int n, ref float z",
            "ref parameters, ref x, ref rows, n, ref z",
            fitInputs);
        EmitDispatch(
            w,
            "G += scale · Σ_i e_i x_iᵀ over n rows, where G has W's shape, " + shape + ": the layer's weights (scale −η, a step in place) or their gradient (scale 1).",
            "void",
            "Gradient" + layer.Name,
            "ref float destination, ref float x, ref nint rows, ref float e, int n, float scale",
            "ref destination, ref x, ref rows, ref e, n, scale",
            fitInputs);
        if (!single)
        {
            EmitDispatch(
                w,
                "g_b += scale · Σ_i e_i over n rows of errors: b is (" + Lit(layer.Outputs) + ").",
                "void",
                "BiasGradient" + layer.Name,
                "ref float destination, ref float e, int n, float scale",
                "ref destination, ref e, n, scale",
                path => path);
        }

        if (layer.Index > 0)
        {
            EmitDispatch(
                w,
                "D = E·W for n rows: the errors one layer down, before the activation's derivative; " + shape + ".",
                "void",
                "Backpropagate" + layer.Name,
                "ref float parameters, ref float e, ref float d, int n",
                "ref parameters, ref e, ref d, n",
                fitInputs);
        }

        if (!layer.IsOutput)
        {
            EmitDispatch(w, "a ← " + ActivationName(layer.Activation) + "(a), in place, for n rows.", "void", "Activate" + layer.Name, "ref float a, int n", "ref a, n", path => path);
            EmitDispatch(w, "e ← e ⊙ " + ActivationName(layer.Activation) + "'(a), from the activation's output a, for n rows.", "void", "Derivative" + layer.Name, "ref float a, ref float e, int n", "ref a, ref e, n", path => path);
        }

        foreach (Width width in overInputs)
        {
            EmitForward(w, layer, width, sums);
            EmitForwardRows(w, layer, width, sums);
            EmitGradient(w, layer, width);
            if (layer.Index > 0)
            {
                EmitBackpropagate(w, plan, layer, width);
            }
        }

        if (single)
        {
            EmitSingleBiasGradient(w, layer);
        }
        else
        {
            foreach (Width width in Width.Paths)
            {
                EmitBiasGradient(w, layer, width);
            }
        }

        if (!layer.IsOutput)
        {
            foreach (Width width in Width.Paths)
            {
                EmitActivate(w, layer, width);
                EmitDerivative(w, layer, width);
            }
        }
    }

    /// <summary>
    /// Emits a dispatcher: it calls the kernel of the widest path the hardware runs. Each test is a JIT-time
    /// constant, so the JIT keeps one call and drops the rest; paths that share a kernel share a branch.
    /// </summary>
    private static void EmitDispatch(SourceWriter w, string summary, string returns, string name, string parameters, string arguments, Func<Width, Width> kernelFor)
    {
        var groups = new List<(List<Width> Paths, Width Kernel)>();
        foreach (Width path in Width.Paths)
        {
            Width kernel = kernelFor(path);
            if (groups.Count > 0 && groups[groups.Count - 1].Kernel == kernel)
            {
                groups[groups.Count - 1].Paths.Add(path);
            }
            else
            {
                groups.Add(([path], kernel));
            }
        }

        string call = (returns == "void" ? string.Empty : "return ") + name;
        w.Line();
        w.Summary(summary);
        w.Line(Inline);
        w.Open("private static " + returns + " " + name + "(" + parameters + ")");
        if (groups.Count == 1)
        {
            w.Line(call + groups[0].Kernel.Name + "(" + arguments + ");");
        }
        else
        {
            for (int g = 0; g < groups.Count; g++)
            {
                if (g == groups.Count - 1)
                {
                    w.Line("else");
                }
                else
                {
                    w.Line((g == 0 ? "if (" : "else if (") + string.Join(" || ", groups[g].Paths.Select(p => p.Condition)) + ")");
                }

                w.Open();
                w.Line(call + groups[g].Kernel.Name + "(" + arguments + ");");
                w.Close();
            }
        }

        w.Close();
    }

    // z = W·x + b for one row.
    private static void EmitForward(SourceWriter w, LayerPlan layer, Width width, HashSet<Width> sums)
    {
        sums.Add(width);
        string name = "Forward" + layer.Name + width.Name;
        w.Line();
        w.Summary(
            "z = W·x + b for one row" + Pace(width) + ". W is (" + Lit(layer.Outputs) + ", " + Lit(layer.Inputs) + ") row-major at parameters[" + Lit(layer.WeightOffset)
            + "], b is (" + Lit(layer.Outputs) + ") at parameters[" + Lit(layer.BiasOffset) + "], x is (" + Lit(layer.Inputs) + ")" + (layer.IsSingleOutput ? ", z is returned." : ", z is (" + Lit(layer.Outputs) + ")."),
            Tail(layer.Inputs, width, "features"));
        w.Line(Optimize);
        w.Open(layer.IsSingleOutput
            ? "private static float " + name + "(ref float parameters, ref float x)"
            : "private static void " + name + "(ref float parameters, ref float x, ref float z)");
        EmitForwardOutputs(w, layer, width, ["x"], [layer.IsSingleOutput ? "return" : "z"]);
        w.Close();
    }

    // z_i = W·x_i + b for n rows, several rows per pass where the registers allow.
    private static void EmitForwardRows(SourceWriter w, LayerPlan layer, Width width, HashSet<Width> sums)
    {
        int rows = RowsPerPass(width, layer.Block);
        string name = "ForwardRows" + layer.Name + width.Name;
        w.Line();
        w.Summary(
            "z_i = W·x_i + b for n rows" + Pace(width) + (rows > 1 ? ", " + Lit(rows) + " rows per pass: each vector of W, loaded once, serves " + Lit(rows) + " rows." : ", one row at a time.")
                + " W is (" + Lit(layer.Outputs) + ", " + Lit(layer.Inputs) + ") row-major at parameters[" + Lit(layer.WeightOffset) + "], b at parameters[" + Lit(layer.BiasOffset) + "];",
            "row i of x starts rows[i] bytes after x; row i of z starts " + Lit(layer.Stride) + "·i floats after z.");
        w.Line(Optimize);
        w.Open("private static void " + name + "(ref float parameters, ref float x, ref nint rows, int n, ref float z)");
        if (rows > 1 && layer.Outputs > 12)
        {
            sums.Add(width);
            EmitForwardRowBlocks(w, layer, width, rows);
            w.Close();
            return;
        }

        if (rows > 1)
        {
            sums.Add(width);
            w.Line("int i = 0;");
            w.Open("for (; i + " + Lit(rows) + " <= n; i += " + Lit(rows) + ")");
            for (int r = 0; r < rows; r++)
            {
                w.Line("ref float x" + Lit(r) + " = ref " + Unsafe + ".AddByteOffset(ref x, " + Unsafe + ".Add(ref rows, " + Plus("i", r) + "));");
            }

            for (int r = 0; r < rows; r++)
            {
                w.Line("ref float z" + Lit(r) + " = ref " + Unsafe + ".Add(ref z, " + (r == 0 ? "i" : "(i + " + Lit(r) + ")") + " * " + Lit(layer.Stride) + ");");
            }

            w.Line();
            EmitForwardOutputs(w, layer, width, RowNames("x", rows), RowNames("z", rows));
            w.Close();
            w.Line();
            w.Comment("The rows left over, one at a time.");
            w.Open("for (; i < n; i++)");
        }
        else
        {
            w.Open("for (int i = 0; i < n; i++)");
        }

        string x = "ref " + Unsafe + ".AddByteOffset(ref x, " + Unsafe + ".Add(ref rows, i))";
        string z = Unsafe + ".Add(ref z, i * " + Lit(layer.Stride) + ")";
        w.Line(layer.IsSingleOutput
            ? z + " = Forward" + layer.Name + width.Name + "(ref parameters, " + x + ");"
            : "Forward" + layer.Name + width.Name + "(ref parameters, " + x + ", ref " + z + ");");
        w.Close();
        w.Close();
    }

    // Many rows through a layer of many outputs: the blocks of 8 outputs are the outer loop, so a block's rows of W
    // (8 × inputs floats) stay in L1 while the n rows of x stream past, and W is read from memory once per call.
    private static void EmitForwardRowBlocks(SourceWriter w, LayerPlan layer, Width width, int rows)
    {
        int whole = layer.Outputs / 8 * 8;
        w.Comment("The outputs in blocks of 8, the outer loop: a block's 8 rows of W stay in L1 while all n rows of x stream past.");
        w.Open("for (nuint j = 0; j < " + Lit(whole) + "; j += 8)");
        w.Line("ref float wj = ref " + Unsafe + ".Add(ref parameters, " + Plus(Lit(layer.WeightOffset), "(j * " + Lit(layer.Inputs) + ")") + ");");
        EmitRowGroups(w, layer, width, rows, 0, "j", 8);
        w.Close();
        if (whole < layer.Outputs)
        {
            w.Line();
            w.Comment("The last " + Lit(layer.Outputs - whole) + " outputs.");
            w.Open();
            EmitRowGroups(w, layer, width, rows, whole, null, layer.Outputs - whole);
            w.Close();
        }
    }

    // One block of outputs for all n rows: several rows per pass, then the rows left over one at a time.
    private static void EmitRowGroups(SourceWriter w, LayerPlan layer, Width width, int rows, int first, string? blockVariable, int count)
    {
        w.Line("int i = 0;");
        w.Open("for (; i + " + Lit(rows) + " <= n; i += " + Lit(rows) + ")");
        for (int r = 0; r < rows; r++)
        {
            w.Line("ref float x" + Lit(r) + " = ref " + Unsafe + ".AddByteOffset(ref x, " + Unsafe + ".Add(ref rows, " + Plus("i", r) + "));");
        }

        for (int r = 0; r < rows; r++)
        {
            w.Line("ref float z" + Lit(r) + " = ref " + Unsafe + ".Add(ref z, " + (r == 0 ? "i" : "(i + " + Lit(r) + ")") + " * " + Lit(layer.Stride) + ");");
        }

        EmitForwardBlock(w, layer, width, RowNames("x", rows), RowNames("z", rows), first, blockVariable, count);
        w.Close();
        w.Line();
        w.Comment("The rows left over, one at a time.");
        w.Open("for (; i < n; i++)");
        w.Line("ref float xi = ref " + Unsafe + ".AddByteOffset(ref x, " + Unsafe + ".Add(ref rows, i));");
        w.Line("ref float zi = ref " + Unsafe + ".Add(ref z, i * " + Lit(layer.Stride) + ");");
        EmitForwardBlock(w, layer, width, ["xi"], ["zi"], first, blockVariable, count);
        w.Close();
    }

    private static string[] RowNames(string prefix, int rows) => [.. Enumerable.Range(0, rows).Select(r => prefix + Lit(r))];

    // The output blocks of a forward kernel: one block of every output up to 12, else a loop over blocks of 8
    // and a last, shorter block.
    private static void EmitForwardOutputs(SourceWriter w, LayerPlan layer, Width width, string[] xs, string[] zs)
    {
        if (layer.Outputs <= 12)
        {
            EmitForwardBlock(w, layer, width, xs, zs, 0, null, layer.Outputs);
            return;
        }

        int whole = layer.Outputs / 8 * 8;
        w.Comment("The outputs in blocks of 8: each block's rows of W are read in one pass over x, which stays in L1.");
        w.Open("for (nuint j = 0; j < " + Lit(whole) + "; j += 8)");
        w.Line("ref float wj = ref " + Unsafe + ".Add(ref parameters, " + Plus(Lit(layer.WeightOffset), "(j * " + Lit(layer.Inputs) + ")") + ");");
        EmitForwardBlock(w, layer, width, xs, zs, 0, "j", 8);
        w.Close();
        if (whole < layer.Outputs)
        {
            w.Line();
            w.Comment("The last " + Lit(layer.Outputs - whole) + " outputs.");
            w.Open();
            EmitForwardBlock(w, layer, width, xs, zs, whole, null, layer.Outputs - whole);
            w.Close();
        }
    }

    // One block of outputs: an accumulator per row and output, one pass over the inputs, then the sums.
    private static void EmitForwardBlock(SourceWriter w, LayerPlan layer, Width width, string[] xs, string[] zs, int first, string? blockVariable, int count)
    {
        int inputs = layer.Inputs, lanes = width.Lanes, rows = xs.Length;
        int whole = inputs / lanes * lanes;
        string Accumulator(int r, int o) => (rows == 1 ? "s" : RowLetters[r]) + Lit(o);
        string XRef(int r) => xs[r];
        string XVector(int r) => rows == 1 ? "xk" : "x" + Lit(r) + "k";

        // Where row o of W's block starts, as a reference and a constant offset from it.
        string weights = blockVariable is null ? "parameters" : "wj";
        int WeightRow(int o) => blockVariable is null ? layer.WeightOffset + ((first + o) * inputs) : o * inputs;

        w.Comment(rows == 1
            ? "One accumulator per output: each vector of x is loaded once and meets the same columns of all " + Lit(count) + " rows of W."
            : "One accumulator per row and output: each vector of W is loaded once and meets the same columns of " + Lit(rows) + " rows of x.");
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < count; o++)
            {
                w.Line(width.Vector + " " + Accumulator(r, o) + " = " + width.Zero + ";");
            }
        }

        w.Open("for (nuint k = 0; k < " + Lit(whole) + "; " + Step(width, "k") + ")");
        for (int r = 0; r < rows; r++)
        {
            w.Line(width.Vector + " " + XVector(r) + " = " + width.Load(XRef(r), "k") + ";");
        }

        for (int o = 0; o < count; o++)
        {
            string load = width.Load(weights, Plus(WeightRow(o), "k"));
            if (rows == 1)
            {
                w.Line(width.Accumulate(Accumulator(0, o), load, XVector(0)));
            }
            else
            {
                w.Line(width.Vector + " w" + Lit(o) + " = " + load + ";");
                for (int r = 0; r < rows; r++)
                {
                    w.Line(width.Accumulate(Accumulator(r, o), "w" + Lit(o), XVector(r)));
                }
            }
        }

        w.Close();
        if (whole < inputs)
        {
            int tail = inputs - whole, start = inputs - lanes;
            w.Line();
            w.Comment("The last " + Lit(tail) + " " + Plural(tail, "feature") + ": the final vector of each row starts at " + Lit(start) + ", overlapping the loop's last one, so the mask keeps only its last " + Lit(tail) + " " + Plural(tail, "lane") + ".");
            w.Line(width.Vector + " mask = " + width.LanesFrom(lanes - tail) + ";");
            string XTail(int r) => rows == 1 ? "xt" : "x" + Lit(r) + "t";
            for (int r = 0; r < rows; r++)
            {
                w.Line(width.Vector + " " + XTail(r) + " = " + width.Load(XRef(r), Lit(start)) + " & mask;");
            }

            for (int o = 0; o < count; o++)
            {
                string load = width.Load(weights, Lit(WeightRow(o) + start));
                if (rows == 1)
                {
                    w.Line(width.Accumulate(Accumulator(0, o), load, XTail(0)));
                }
                else
                {
                    w.Line(width.Vector + " wt" + Lit(o) + " = " + load + ";");
                    for (int r = 0; r < rows; r++)
                    {
                        w.Line(width.Accumulate(Accumulator(r, o), "wt" + Lit(o), XTail(r)));
                    }
                }
            }
        }

        w.Line();
        w.Comment(width.IsScalar ? "Each output: its sum plus its bias." : "Each output: its accumulator's lanes summed, plus its bias.");
        for (int r = 0; r < rows; r++)
        {
            string z = zs[r];
            for (int o = 0; o < count; o++)
            {
                string bias = blockVariable is null
                    ? Unsafe + ".Add(ref parameters, " + Lit(layer.BiasOffset + first + o) + ")"
                    : Unsafe + ".Add(ref parameters, " + Plus(Lit(layer.BiasOffset + o), blockVariable) + ")";
                string value = width.Sum(Accumulator(r, o)) + " + " + bias;
                if (layer.IsSingleOutput && zs[0] == "return")
                {
                    w.Line("return " + value + ";");
                }
                else
                {
                    string target = blockVariable is null
                        ? (first + o == 0 ? z : Unsafe + ".Add(ref " + z + ", " + Lit(first + o) + ")")
                        : Unsafe + ".Add(ref " + z + ", " + Plus(blockVariable, o) + ")";
                    w.Line(target + " = " + value + ";");
                }
            }
        }
    }

    // G += scale · Σ_i e_i x_iᵀ: the blocked gradient, one register per (output, chunk) summed over the rows.
    private static void EmitGradient(SourceWriter w, LayerPlan layer, Width width)
    {
        string name = "Gradient" + layer.Name + width.Name;
        w.Line();
        w.Summary(
            "G += scale · Σ_i e_i x_iᵀ over n rows" + Pace(width) + ": G is (" + Lit(layer.Outputs) + ", " + Lit(layer.Inputs) + ") row-major, the layer's weights or their gradient;",
            "row i of x is (" + Lit(layer.Inputs) + "), starting rows[i] bytes after x; e is (n, " + Lit(layer.Outputs) + ") at a stride of " + Lit(layer.Stride) + ".",
            "With scale 1 this adds the gradient; with scale −η it takes a gradient-descent step on W in place.",
            Tail(layer.Inputs, width, "features"));
        w.Line(Optimize);
        w.Open("private static void " + name + "(ref float destination, ref float x, ref nint rows, ref float e, int n, float scale)");
        w.Line(width.Vector + " step = " + width.Broadcast("scale") + ";");
        if (layer.Outputs <= 12)
        {
            EmitGradientSections(w, layer, width, layer.Outputs, (columns, tail) => EmitGradientBlock(w, layer, width, 0, null, layer.Outputs, columns, tail));
        }
        else
        {
            // Sections of features outer, blocks of outputs inner: a section of every row of x (n rows × a few
            // vectors) stays in L1 while the blocks of G pass over it, so x is read from memory once.
            int whole = layer.Outputs / 8 * 8;
            EmitGradientSections(w, layer, width, 8, (columns, tail) =>
            {
                w.Comment("The outputs in blocks of 8.");
                w.Open("for (nuint j = 0; j < " + Lit(whole) + "; j += 8)");
                w.Line("ref float gj = ref " + Unsafe + ".Add(ref destination, j * " + Lit(layer.Inputs) + ");");
                EmitGradientBlock(w, layer, width, 0, "j", 8, columns, tail);
                w.Close();
                if (whole < layer.Outputs)
                {
                    w.Line();
                    w.Comment("The last " + Lit(layer.Outputs - whole) + " outputs.");
                    w.Open();
                    EmitGradientBlock(w, layer, width, whole, null, layer.Outputs - whole, columns, tail);
                    w.Close();
                }
            });
        }

        w.Close();
    }

    // The sections of features a gradient kernel walks: groups of whole vectors in a loop, the vectors left over,
    // then the tail as an overlapping, masked final vector. The body writes the blocks of outputs of a section.
    private static void EmitGradientSections(SourceWriter w, LayerPlan layer, Width width, int block, System.Action<string[], int> body)
    {
        int lanes = width.Lanes, inputs = layer.Inputs;
        int whole = inputs / lanes * lanes, chunks = whole / lanes;
        int group = ChunksPerPass(width, block);
        w.Comment("For each chunk of features, the chunk of each gradient row is held in a register while the n rows stream past, then added to G once: nothing is written per row.");
        if (group > 1 && chunks >= group)
        {
            int grouped = chunks / group * group;
            w.Open("for (nuint k = 0; k < " + Lit(grouped * lanes) + "; k += " + Lit(group * lanes) + ")");
            body([.. Enumerable.Range(0, group).Select(c => Plus("k", c * lanes))], 0);
            w.Close();
            if (grouped < chunks)
            {
                w.Line();
                w.Comment("Features " + Lit(grouped * lanes) + " to " + Lit(whole - 1) + ".");
                w.Open();
                body([.. Enumerable.Range(grouped, chunks - grouped).Select(c => Lit(c * lanes))], 0);
                w.Close();
            }
        }
        else
        {
            w.Open("for (nuint k = 0; k < " + Lit(whole) + "; " + Step(width, "k") + ")");
            body(["k"], 0);
            w.Close();
        }

        if (whole < inputs)
        {
            int tail = inputs - whole;
            w.Line();
            w.Comment("The last " + Lit(tail) + " " + Plural(tail, "feature") + ": the final vector of each row starts at " + Lit(inputs - lanes) + " and overlaps the last chunk; the mask zeroes its first " + Lit(lanes - tail) + " lanes, so they add nothing to G.");
            w.Open();
            body([Lit(inputs - lanes)], tail);
            w.Close();
        }
    }

    private static void EmitGradientBlock(SourceWriter w, LayerPlan layer, Width width, int first, string? blockVariable, int count, string[] columns, int tail)
    {
        string Accumulator(int o, int c) => "g" + Lit(o) + (columns.Length == 1 ? string.Empty : RowLetters[c]);
        string XVector(int c) => columns.Length == 1 ? "xk" : "x" + RowLetters[c];
        for (int o = 0; o < count; o++)
        {
            for (int c = 0; c < columns.Length; c++)
            {
                w.Line(width.Vector + " " + Accumulator(o, c) + " = " + width.Zero + ";");
            }
        }

        if (tail > 0)
        {
            w.Line(width.Vector + " mask = " + width.LanesFrom(width.Lanes - tail) + ";");
        }

        w.Open("for (int i = 0; i < n; i++)");
        w.Line("ref float xi = ref " + Unsafe + ".AddByteOffset(ref x, " + Unsafe + ".Add(ref rows, i));");
        for (int c = 0; c < columns.Length; c++)
        {
            w.Line(width.Vector + " " + XVector(c) + " = " + width.Load("xi", columns[c]) + (tail > 0 ? " & mask" : string.Empty) + ";");
        }

        string errorRow = blockVariable is null
            ? Plus("i * " + Lit(layer.Stride), first)
            : "(nuint)(i * " + Lit(layer.Stride) + ") + " + blockVariable;
        w.Line("ref float ei = ref " + Unsafe + ".Add(ref e, " + errorRow + ");");
        for (int o = 0; o < count; o++)
        {
            string error = width.Broadcast(o == 0 ? "ei" : Unsafe + ".Add(ref ei, " + Lit(o) + ")");
            if (columns.Length == 1)
            {
                w.Line(width.Accumulate(Accumulator(o, 0), error, XVector(0)));
            }
            else
            {
                w.Line(width.Vector + " e" + Lit(o) + " = " + error + ";");
                for (int c = 0; c < columns.Length; c++)
                {
                    w.Line(width.Accumulate(Accumulator(o, c), "e" + Lit(o), XVector(c)));
                }
            }
        }

        w.Close();
        w.Line();
        w.Comment("Each row of G += scale · its chunk's sum.");
        string destination = blockVariable is null ? "destination" : "gj";
        for (int o = 0; o < count; o++)
        {
            int row = (blockVariable is null ? first + o : o) * layer.Inputs;
            for (int c = 0; c < columns.Length; c++)
            {
                string offset = Plus(row, columns[c]);
                w.Line(width.Store(width.MultiplyAdd(Accumulator(o, c), "step", width.Load(destination, offset)), destination, offset));
            }
        }
    }

    // g_b += scale · Σ_i e_i, a vector of outputs at a time (rows of errors are padded to whole vectors).
    private static void EmitBiasGradient(SourceWriter w, LayerPlan layer, Width width)
    {
        int lanes = width.Lanes, outputs = layer.Outputs;
        int whole = outputs / lanes * lanes, partial = outputs - whole;
        string name = "BiasGradient" + layer.Name + width.Name;
        w.Line();
        w.Summary("g_b += scale · Σ_i e_i over n rows" + Pace(width) + ": b is (" + Lit(outputs) + "); e is (n, " + Lit(outputs) + ") at a stride of " + Lit(layer.Stride) + ".");
        w.Line(Optimize);
        w.Open("private static void " + name + "(ref float destination, ref float e, int n, float scale)");
        if (whole > 0)
        {
            w.Line(width.Vector + " step = " + width.Broadcast("scale") + ";");
            w.Open("for (nuint c = 0; c < " + Lit(whole) + "; " + Step(width, "c") + ")");
            w.Line(width.Vector + " sum = " + width.Zero + ";");
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("sum += " + width.Load("e", "(nuint)(i * " + Lit(layer.Stride) + ") + c") + ";");
            w.Close();
            w.Line();
            w.Line(width.Store(width.MultiplyAdd("sum", "step", width.Load("destination", "c")), "destination", "c"));
            w.Close();
        }

        if (partial > 0)
        {
            if (whole > 0)
            {
                w.Line();
            }

            w.Comment("The last " + Lit(partial) + " " + Plural(partial, "output") + ": a whole vector of each row is summed (its other lanes are padding), and only those lanes are added.");
            w.Line(width.Vector + " last = " + width.Zero + ";");
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("last += " + width.Load("e", Plus("(nuint)(i * " + Lit(layer.Stride) + ")", whole)) + ";");
            w.Close();
            w.Line();
            w.Open("for (int q = 0; q < " + Lit(partial) + "; q++)");
            w.Line(Unsafe + ".Add(ref destination, " + Plus(Lit(whole), "q") + ") += scale * last[q];");
            w.Close();
        }

        w.Close();
    }

    // The bias gradient of a single output: a plain sum.
    private static void EmitSingleBiasGradient(SourceWriter w, LayerPlan layer)
    {
        w.Line();
        w.Summary("g_b += scale · Σ_i e_i over n rows: b is one float; e is (n).");
        w.Open("private static void BiasGradient" + layer.Name + "(ref float destination, ref float e, int n, float scale)");
        w.Line("float sum = 0f;");
        w.Open("for (int i = 0; i < n; i++)");
        w.Line("sum += " + Unsafe + ".Add(ref e, i);");
        w.Close();
        w.Line();
        w.Line("destination += scale * sum;");
        w.Close();
    }

    // D = E·W: rows of D held in registers, a few rows and two vectors of columns at a time, while W's rows stream past.
    private static void EmitBackpropagate(SourceWriter w, ModelPlan plan, LayerPlan layer, Width width)
    {
        int below = plan.Layers[layer.Index - 1].Stride;
        string name = "Backpropagate" + layer.Name + width.Name;
        w.Line();
        w.Summary(
            "D = E·W for n rows" + Pace(width) + ": the errors one layer down, before the activation's derivative. E is (n, " + Lit(layer.Outputs) + ") at a stride of " + Lit(layer.Stride) + ";",
            "W is (" + Lit(layer.Outputs) + ", " + Lit(layer.Inputs) + ") row-major at parameters[" + Lit(layer.WeightOffset) + "]; D is (n, " + Lit(layer.Inputs) + ") at a stride of " + Lit(below) + ".",
            Tail(layer.Inputs, width, "columns"));
        w.Line(Optimize);
        w.Open("private static void " + name + "(ref float parameters, ref float e, ref float d, int n)");
        if (width.IsScalar)
        {
            w.Open("for (int i = 0; i < n; i++)");
            EmitBackpropagateRows(w, layer, width, below, 1);
            w.Close();
        }
        else
        {
            w.Line("int i = 0;");
            w.Comment("Four rows of D at a time: each row of W, loaded once, serves all four.");
            w.Open("for (; i + 4 <= n; i += 4)");
            EmitBackpropagateRows(w, layer, width, below, 4);
            w.Close();
            w.Line();
            w.Comment("The rows left over, one at a time.");
            w.Open("for (; i < n; i++)");
            EmitBackpropagateRows(w, layer, width, below, 1);
            w.Close();
        }

        w.Close();
    }

    private static void EmitBackpropagateRows(SourceWriter w, LayerPlan layer, Width width, int below, int rows)
    {
        int lanes = width.Lanes, inputs = layer.Inputs;
        int whole = inputs / lanes * lanes, chunks = whole / lanes;
        int group = width.IsScalar ? 1 : 2;
        for (int r = 0; r < rows; r++)
        {
            w.Line("ref float e" + Lit(r) + " = ref " + Unsafe + ".Add(ref e, " + (r == 0 ? "i" : "(i + " + Lit(r) + ")") + " * " + Lit(layer.Stride) + ");");
        }

        for (int r = 0; r < rows; r++)
        {
            w.Line("ref float d" + Lit(r) + " = ref " + Unsafe + ".Add(ref d, " + (r == 0 ? "i" : "(i + " + Lit(r) + ")") + " * " + Lit(below) + ");");
        }

        if (chunks >= group)
        {
            int grouped = chunks / group * group;
            w.Open("for (nuint k = 0; k < " + Lit(grouped * lanes) + "; k += " + Lit(group * lanes) + ")");
            EmitBackpropagateBlock(w, layer, width, rows, [.. Enumerable.Range(0, group).Select(c => Plus("k", c * lanes))]);
            w.Close();
            if (grouped < chunks)
            {
                w.Line();
                w.Comment("Columns " + Lit(grouped * lanes) + " to " + Lit(whole - 1) + ".");
                w.Open();
                EmitBackpropagateBlock(w, layer, width, rows, [.. Enumerable.Range(grouped, chunks - grouped).Select(c => Lit(c * lanes))]);
                w.Close();
            }
        }
        else
        {
            w.Comment("Columns 0 to " + Lit(whole - 1) + ".");
            w.Open();
            EmitBackpropagateBlock(w, layer, width, rows, [.. Enumerable.Range(0, chunks).Select(c => Lit(c * lanes))]);
            w.Close();
        }

        if (whole < inputs)
        {
            w.Line();
            w.Comment("The last " + Lit(inputs - whole) + " " + Plural(inputs - whole, "column") + ": the final vector starts at " + Lit(inputs - lanes) + " and overlaps the previous one, whose lanes it recomputes to the same values.");
            w.Open();
            EmitBackpropagateBlock(w, layer, width, rows, [Lit(inputs - lanes)]);
            w.Close();
        }
    }

    private static void EmitBackpropagateBlock(SourceWriter w, LayerPlan layer, Width width, int rows, string[] columns)
    {
        string Accumulator(int r, int c) => "s" + Lit(r) + (columns.Length == 1 ? string.Empty : RowLetters[c]);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns.Length; c++)
            {
                w.Line(width.Vector + " " + Accumulator(r, c) + " = " + width.Zero + ";");
            }
        }

        w.Open("for (nuint j = 0; j < " + Lit(layer.Outputs) + "; j++)");
        w.Line("ref float wj = ref " + Unsafe + ".Add(ref parameters, " + Plus(Lit(layer.WeightOffset), "(j * " + Lit(layer.Inputs) + ")") + ");");
        for (int c = 0; c < columns.Length; c++)
        {
            w.Line(width.Vector + " w" + Lit(c) + " = " + width.Load("wj", columns[c]) + ";");
        }

        for (int r = 0; r < rows; r++)
        {
            string error = width.Broadcast(Unsafe + ".Add(ref e" + Lit(r) + ", j)");
            if (columns.Length == 1)
            {
                w.Line(width.Accumulate(Accumulator(r, 0), error, "w0"));
            }
            else
            {
                w.Line(width.Vector + " v" + Lit(r) + " = " + error + ";");
                for (int c = 0; c < columns.Length; c++)
                {
                    w.Line(width.Accumulate(Accumulator(r, c), "v" + Lit(r), "w" + Lit(c)));
                }
            }
        }

        w.Close();
        w.Line();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns.Length; c++)
            {
                w.Line(width.Store(Accumulator(r, c), "d" + Lit(r), columns[c]));
            }
        }
    }

    // a ← f(a) over whole padded rows: no tail, since each row is a whole number of 16-float lines.
    private static void EmitActivate(SourceWriter w, LayerPlan layer, Width width)
    {
        w.Line();
        w.Summary("a ← " + ActivationName(layer.Activation) + "(a), in place, for n rows of " + Lit(layer.Stride) + " floats (the " + Lit(layer.Outputs) + " outputs and their padding)" + Pace(width) + ".");
        w.Line(Optimize);
        w.Open("private static void Activate" + layer.Name + width.Name + "(ref float a, int n)");
        w.Open("for (nuint k = 0; k < (nuint)(n * " + Lit(layer.Stride) + "); " + Step(width, "k") + ")");
        w.Line(width.Vector + " v = " + width.Load("a", "k") + ";");
        w.Line(width.Store(ActivationExpression(layer, width, "v"), "a", "k"));
        w.Close();
        w.Close();
    }

    private static void EmitDerivative(SourceWriter w, LayerPlan layer, Width width)
    {
        w.Line();
        w.Summary("e ← e ⊙ " + ActivationName(layer.Activation) + "'(a), the derivative taken from the activation's output a, for n rows of " + Lit(layer.Stride) + " floats" + Pace(width) + ".");
        w.Line(Optimize);
        w.Open("private static void Derivative" + layer.Name + width.Name + "(ref float a, ref float e, int n)");
        w.Open("for (nuint k = 0; k < (nuint)(n * " + Lit(layer.Stride) + "); " + Step(width, "k") + ")");
        w.Line(width.Vector + " y = " + width.Load("a", "k") + ";");
        w.Line(width.Vector + " g = " + width.Load("e", "k") + ";");
        w.Line(width.Store(DerivativeExpression(layer, width), "e", "k"));
        w.Close();
        w.Close();
    }

    private static string ActivationExpression(LayerPlan layer, Width width, string v)
    {
        return layer.Activation switch
        {
            HiddenActivation.Relu => width.IsScalar ? v + " > 0f ? " + v + " : 0f" : width.Api + ".MaxNative(" + v + ", " + width.Zero + ")",
            HiddenActivation.LeakyRelu => width.IsScalar
                ? v + " > 0f ? " + v + " : " + v + " * " + SlopeLiteral
                : width.Api + ".ConditionalSelect(" + width.Api + ".GreaterThan(" + v + ", " + width.Zero + "), " + v + ", " + v + " * " + width.Broadcast(SlopeLiteral) + ")",
            HiddenActivation.Sigmoid => width.IsScalar
                ? "1f / (1f + " + MathF + ".Exp(-" + v + "))"
                : width.One + " / (" + width.One + " + Exp(-" + v + "))",
            _ => width.IsScalar
                ? MathF + ".Tanh(" + v + ")"
                : "(" + width.Broadcast("2f") + " * (" + width.One + " / (" + width.One + " + Exp(-(" + v + " + " + v + "))))) - " + width.One,
        };
    }

    private static string DerivativeExpression(LayerPlan layer, Width width) => layer.Activation switch
    {
        HiddenActivation.Relu => width.IsScalar ? "y > 0f ? g : 0f" : width.Api + ".ConditionalSelect(" + width.Api + ".GreaterThan(y, " + width.Zero + "), g, " + width.Zero + ")",
        HiddenActivation.LeakyRelu => width.IsScalar
            ? "g * (y > 0f ? 1f : " + SlopeLiteral + ")"
            : "g * " + width.Api + ".ConditionalSelect(" + width.Api + ".GreaterThan(y, " + width.Zero + "), " + width.One + ", " + width.Broadcast(SlopeLiteral) + ")",
        HiddenActivation.Sigmoid => width.IsScalar ? "g * (y * (1f - y))" : "g * (y * (" + width.One + " - y))",
        _ => width.IsScalar ? "g * (1f - (y * y))" : "g * (" + width.One + " - (y * y))",
    };

    /// <summary>The leaky ReLU slope as the kernels spell it: a named constant of the model.</summary>
    private const string SlopeLiteral = "LeakyReluSlope";

    /// <summary>Rows of x per pass of a forward kernel: as many as keep the accumulators in registers (32 with AVX-512, else 16).</summary>
    private static int RowsPerPass(Width width, int block) =>
        width.IsScalar ? 1 : Math.Max(1, Math.Min(4, (width == Width.Vector512 ? 24 : 12) / block));

    /// <summary>Chunks of features per pass of a gradient kernel, on the same register budget.</summary>
    private static int ChunksPerPass(Width width, int block) =>
        width.IsScalar ? 1 : Math.Max(1, Math.Min(4, (width == Width.Vector512 ? 24 : 12) / block));

    private static Width[] Distinct(Func<Width, Width> kernelFor) => [.. Width.Paths.Select(kernelFor).Distinct()];

    private static string Pace(Width width) => width.IsScalar ? ", one float at a time" : ", " + Lit(width.Lanes) + " floats at a time";

    private static string Step(Width width, string variable) => width.IsScalar ? variable + "++" : variable + " += " + Lit(width.Lanes);

    /// <summary>How a dimension of <paramref name="length"/> divides into vectors: the shape comment's last line.</summary>
    private static string Tail(int length, Width width, string what)
    {
        if (width.IsScalar)
        {
            return Lit(length) + " " + what + ", one at a time: no tail.";
        }

        int vectors = length / width.Lanes, tail = length % width.Lanes;
        return Lit(length) + " " + what + " are " + Lit(vectors) + " " + Plural(vectors, "vector") + " of " + Lit(width.Lanes)
            + (tail == 0 ? ": no tail." : " and a tail of " + Lit(tail) + ", read as an overlapping final vector.");
    }

    private static string ActivationName(HiddenActivation activation) => activation switch
    {
        HiddenActivation.Relu => "relu",
        HiddenActivation.LeakyRelu => "leaky_relu",
        HiddenActivation.Sigmoid => "σ",
        _ => "tanh",
    };

    private static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";

    /// <summary><paramref name="variable"/> + <paramref name="constant"/>, without "+ 0".</summary>
    private static string Plus(string variable, int constant) => constant == 0 ? variable : variable + " + " + Lit(constant);

    private static string Plus(int constant, string variable) => constant == 0 ? variable : Lit(constant) + " + " + variable;

    private static string Plus(string left, string right) => left == "0" ? right : left + " + " + right;

    /// <summary>An int literal in invariant culture.</summary>
    private static string Lit(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float literal that reads back as exactly <paramref name="value"/>, in invariant culture.</summary>
    private static string FloatLiteral(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
