using System.Collections.Generic;
using System.Linq;
using Native.Generators.Emitter;
using Native.Generators.Model;

namespace Native.Generators;

// The elementwise functions the kernels need: softmax over a row of logits, an inlined vector exp, and the
// horizontal sums and maxima that end a vector's work. Generated code cannot reach the library's internal
// kernels, so it carries its own, computed the same way (the tests hold both to the same bounds).
public sealed partial class ModelGenerator
{
    /// <summary>Emits softmax over the classes at every path, with its dispatcher.</summary>
    private static void EmitSoftmax(SourceWriter w, ModelPlan plan, HashSet<Width> sums, HashSet<Width> maxima, HashSet<Width> exps)
    {
        EmitDispatch(
            w,
            "Replaces the " + Lit(plan.Outputs) + " logits at z by their softmax; returns Σ e^(z − max) and the maximum, so log Σ e^z = max + log(sum).",
            "float",
            "Softmax",
            "ref float z, out float max",
            "ref z, out max",
            path => path);
        EmitDispatch(
            w,
            "Replaces two rows of " + Lit(plan.Outputs) + " logits by their softmax, the two computed together so their dependency chains overlap: the batch methods' path.",
            "void",
            "SoftmaxPair",
            "ref float z, ref float y",
            "ref z, ref y",
            path => path);
        w.Line();
        w.Summary("Copies the " + Lit(plan.Outputs) + " class probabilities of a scratch row to the caller's span: a copy of fixed size, which the JIT unrolls.");
        w.Line(Inline);
        w.Line("private static void CopyClasses(ref float source, ref float destination) =>");
        w.Line("    " + Unsafe + ".CopyBlockUnaligned(ref " + Unsafe + ".As<float, byte>(ref destination), ref " + Unsafe + ".As<float, byte>(ref source), Classes * sizeof(float));");
        foreach (Width width in Width.Paths)
        {
            if (!width.IsScalar)
            {
                sums.Add(width);
                maxima.Add(width);
                exps.Add(width);
            }

            EmitSoftmax(w, plan, width);
            EmitSoftmaxPair(w, plan, width);
        }
    }

    // Softmax of two rows at once: each step of one row beside the same step of the other, so that while one
    // waits on a result (the exp's polynomial, a horizontal reduction) the other's work fills the pipelines.
    private static void EmitSoftmaxPair(SourceWriter w, ModelPlan plan, Width width)
    {
        int classes = plan.Outputs, lanes = width.Lanes;
        int vectors = (classes + lanes - 1) / lanes, partial = classes % lanes;
        w.Line();
        w.Summary("Replaces the " + Lit(classes) + " logits of rows z and y by their softmax" + Pace(width) + ", the two rows' steps interleaved.");
        w.Line(Inline);
        w.Open("private static void SoftmaxPair" + width.Name + "(ref float z, ref float y)");
        if (width.IsScalar || vectors > 4)
        {
            w.Comment(width.IsScalar ? "One float at a time there is nothing to interleave: one row, then the other." : "Too many vectors to hold both rows in registers: one row, then the other.");
            w.Line("Softmax" + width.Name + "(ref z, out _);");
            w.Line("Softmax" + width.Name + "(ref y, out _);");
            w.Close();
            return;
        }

        string infinity = width.Broadcast("float.NegativeInfinity");
        w.Comment("The logits of both rows" + (partial == 0 ? "." : "; the padding lanes read as −∞, so they neither win a maximum nor add to a sum."));
        if (partial > 0)
        {
            w.Line(width.Vector + " classes = " + width.LanesBelow(partial) + ";");
        }

        foreach (string row in new[] { "z", "y" })
        {
            for (int v = 0; v < vectors; v++)
            {
                string load = width.Load(row, Lit(v * lanes));
                w.Line(width.Vector + " " + row + Lit(v) + " = " + (v == vectors - 1 && partial > 0
                    ? width.Api + ".ConditionalSelect(classes, " + load + ", " + infinity + ")"
                    : load) + ";");
            }
        }

        w.Line();
        w.Comment("Each row's maximum, subtracted from its logits.");
        foreach (string row in new[] { "z", "y" })
        {
            string maximum = row + "0";
            for (int v = 1; v < vectors; v++)
            {
                maximum = width.Api + ".MaxNative(" + maximum + ", " + row + Lit(v) + ")";
            }

            w.Line(width.Vector + " " + row + "Shift = " + width.Broadcast("HorizontalMax(" + maximum + ")") + ";");
        }

        w.Line();
        w.Comment("e^(z − max), and each row's sum: at least 1 (its maximum's own term), so the divisions below are safe.");
        for (int v = 0; v < vectors; v++)
        {
            w.Line("z" + Lit(v) + " = Exp(z" + Lit(v) + " - zShift);");
            w.Line("y" + Lit(v) + " = Exp(y" + Lit(v) + " - yShift);");
        }

        foreach (string row in new[] { "z", "y" })
        {
            w.Line("float " + row + "Sum = HorizontalSum(" + string.Join(" + ", Enumerable.Range(0, vectors).Select(v => row + Lit(v))) + ");");
        }

        w.Line();
        w.Comment("Normalize.");
        foreach (string row in new[] { "z", "y" })
        {
            w.Line(width.Vector + " " + row + "Scale = " + width.Broadcast("1f / " + row + "Sum") + ";");
        }

        foreach (string row in new[] { "z", "y" })
        {
            for (int v = 0; v < vectors; v++)
            {
                w.Line(width.Store(row + Lit(v) + " * " + row + "Scale", row, Lit(v * lanes)));
            }
        }

        w.Close();
    }

    private static void EmitSoftmax(SourceWriter w, ModelPlan plan, Width width)
    {
        int classes = plan.Outputs, lanes = width.Lanes;
        int vectors = (classes + lanes - 1) / lanes, partial = classes % lanes;
        w.Line();
        w.Summary(
            "Replaces the " + Lit(classes) + " logits at z by their softmax" + Pace(width) + "; returns Σ e^(z − max) and the maximum. The maximum is subtracted first,",
            "so no exponent exceeds 0: e^z cannot overflow, and the largest term is exactly 1. z is a row of " + Lit(plan.Output.Stride) + " floats; lanes past the classes are padding.");
        w.Line(Inline);
        w.Open("private static float Softmax" + width.Name + "(ref float z, out float max)");
        string infinity = width.Broadcast("float.NegativeInfinity");
        if (width.IsScalar)
        {
            w.Comment("The maximum.");
            w.Line("max = z;");
            w.Open("for (int c = 1; c < " + Lit(classes) + "; c++)");
            w.Line("max = " + MathF + ".Max(max, " + Unsafe + ".Add(ref z, c));");
            w.Close();
            w.Line();
            w.Comment("e^(z − max) in place, and their sum: at least 1 (the maximum's own term), so the division below is safe.");
            w.Line("float sum = 0f;");
            w.Open("for (int c = 0; c < " + Lit(classes) + "; c++)");
            w.Line("float p = " + MathF + ".Exp(" + Unsafe + ".Add(ref z, c) - max);");
            w.Line("sum += p;");
            w.Line(Unsafe + ".Add(ref z, c) = p;");
            w.Close();
            w.Line();
            w.Comment("Normalize.");
            w.Line("float scale = 1f / sum;");
            w.Open("for (int c = 0; c < " + Lit(classes) + "; c++)");
            w.Line(Unsafe + ".Add(ref z, c) *= scale;");
            w.Close();
        }
        else if (vectors <= 4)
        {
            w.Comment("The " + Lit(classes) + " logits in " + (vectors == 1 ? "one register" : Lit(vectors) + " registers")
                + (partial == 0 ? "." : "; the " + Lit(lanes - partial) + " padding lanes read as −∞, so they neither win the maximum nor add to the sum."));
            for (int v = 0; v < vectors; v++)
            {
                string load = width.Load("z", Lit(v * lanes));
                w.Line(width.Vector + " z" + Lit(v) + " = " + (v == vectors - 1 && partial > 0
                    ? width.Api + ".ConditionalSelect(" + width.LanesBelow(partial) + ", " + load + ", " + infinity + ")"
                    : load) + ";");
            }

            w.Line();
            w.Comment("The maximum, subtracted from every logit.");
            string maximum = "z0";
            for (int v = 1; v < vectors; v++)
            {
                maximum = width.Api + ".MaxNative(" + maximum + ", z" + Lit(v) + ")";
            }

            w.Line("max = HorizontalMax(" + maximum + ");");
            w.Line(width.Vector + " shift = " + width.Broadcast("max") + ";");
            w.Line();
            w.Comment("e^(z − max), and their sum: at least 1 (the maximum's own term), so the division below is safe.");
            for (int v = 0; v < vectors; v++)
            {
                w.Line("z" + Lit(v) + " = Exp(z" + Lit(v) + " - shift);");
            }

            w.Line("float sum = HorizontalSum(" + string.Join(" + ", Enumerable.Range(0, vectors).Select(v => "z" + Lit(v))) + ");");
            w.Line();
            w.Comment("Normalize.");
            w.Line(width.Vector + " scale = " + width.Broadcast("1f / sum") + ";");
            for (int v = 0; v < vectors; v++)
            {
                w.Line(width.Store("z" + Lit(v) + " * scale", "z", Lit(v * lanes)));
            }
        }
        else
        {
            int whole = classes / lanes * lanes;
            w.Comment("The maximum" + (partial == 0 ? "." : "; the last vector's " + Lit(lanes - partial) + " padding lanes read as −∞, so they neither win it nor add to the sum."));
            w.Line(width.Vector + " maxima = " + infinity + ";");
            w.Open("for (nuint k = 0; k < " + Lit(whole) + "; k += " + Lit(lanes) + ")");
            w.Line("maxima = " + width.Api + ".MaxNative(maxima, " + width.Load("z", "k") + ");");
            w.Close();
            if (partial > 0)
            {
                w.Line();
                w.Line(width.Vector + " last = " + width.Api + ".ConditionalSelect(" + width.LanesBelow(partial) + ", " + width.Load("z", Lit(whole)) + ", " + infinity + ");");
                w.Line("maxima = " + width.Api + ".MaxNative(maxima, last);");
            }

            w.Line();
            w.Line("max = HorizontalMax(maxima);");
            w.Line(width.Vector + " shift = " + width.Broadcast("max") + ";");
            w.Line();
            w.Comment("e^(z − max) in place, and their sum: at least 1 (the maximum's own term), so the division below is safe.");
            w.Line(width.Vector + " sums = " + width.Zero + ";");
            w.Open("for (nuint k = 0; k < " + Lit(whole) + "; k += " + Lit(lanes) + ")");
            w.Line(width.Vector + " p = Exp(" + width.Load("z", "k") + " - shift);");
            w.Line("sums += p;");
            w.Line(width.Store("p", "z", "k"));
            w.Close();
            if (partial > 0)
            {
                w.Line();
                w.Line("last = Exp(last - shift);");
                w.Line("sums += last;");
                w.Line(width.Store("last", "z", Lit(whole)));
            }

            w.Line();
            w.Comment("Normalize.");
            w.Line("float sum = HorizontalSum(sums);");
            w.Line(width.Vector + " scale = " + width.Broadcast("1f / sum") + ";");
            w.Open("for (nuint k = 0; k < " + Lit(vectors * lanes) + "; k += " + Lit(lanes) + ")");
            w.Line(width.Store(width.Load("z", "k") + " * scale", "z", "k"));
            w.Close();
        }

        w.Line();
        w.Line("return sum;");
        w.Close();
    }

    /// <summary>Emits the horizontal sums and maxima and the exp that the kernels at <paramref name="sums"/>, <paramref name="maxima"/> and <paramref name="exps"/> use.</summary>
    private static void EmitVectorHelpers(SourceWriter w, HashSet<Width> sums, HashSet<Width> maxima, HashSet<Width> exps)
    {
        // A 512-bit reduction halves into a 256-bit one, which halves into a 128-bit one.
        sums.Remove(Width.Scalar);
        Close(sums);
        Close(maxima);
        foreach (Width width in Width.Paths.Where(sums.Contains))
        {
            w.Line();
            w.Summary("The sum of the " + Lit(width.Lanes) + " lanes" + (width == Width.Vector128 ? "." : ", halving the vector until four remain."));
            w.Line(Inline);
            w.Line("private static float HorizontalSum(" + width.Vector + " v) => " + (width == Width.Vector128
                ? width.Api + ".Sum(v);"
                : "HorizontalSum(" + width.Api + ".GetLower(v) + " + width.Api + ".GetUpper(v));"));
        }

        foreach (Width width in Width.Paths.Where(maxima.Contains))
        {
            w.Line();
            w.Summary("The largest of the " + Lit(width.Lanes) + " lanes" + (width == Width.Vector128 ? ", by two swaps." : ", halving the vector until four remain.")
                + " MaxNative is the hardware's maximum, one instruction; its NaN handling does not matter to softmax.");
            w.Line(Inline);
            if (width == Width.Vector128)
            {
                w.Open("private static float HorizontalMax(" + width.Vector + " v)");
                w.Line("v = " + width.Api + ".MaxNative(v, " + width.Api + ".Shuffle(v, " + width.Api + ".Create(2, 3, 0, 1)));");
                w.Line("v = " + width.Api + ".MaxNative(v, " + width.Api + ".Shuffle(v, " + width.Api + ".Create(1, 0, 3, 2)));");
                w.Line("return " + width.Api + ".ToScalar(v);");
                w.Close();
            }
            else
            {
                Width half = width == Width.Vector512 ? Width.Vector256 : Width.Vector128;
                w.Line("private static float HorizontalMax(" + width.Vector + " v) => HorizontalMax(" + half.Api + ".MaxNative(" + width.Api + ".GetLower(v), " + width.Api + ".GetUpper(v)));");
            }
        }

        foreach (Width width in Width.Paths.Where(exps.Contains))
        {
            EmitExp(w, width);
        }
    }

    private static void Close(HashSet<Width> widths)
    {
        if (widths.Contains(Width.Vector512))
        {
            widths.Add(Width.Vector256);
        }

        if (widths.Contains(Width.Vector256))
        {
            widths.Add(Width.Vector128);
        }
    }

    // Cephes' expf, as the library's FastExp computes it.
    private static void EmitExp(SourceWriter w, Width width)
    {
        string v = width.Vector, api = width.Api;
        string C(float value) => api + ".Create(" + FloatLiteral(value) + ")";
        w.Line();
        w.Summary(
            "e^x lane by lane, inlined: Cephes' expf (S. L. Moshier), as the library's own kernels compute it. x = n·ln 2 + r",
            "with n an integer and |r| ≤ ln 2 / 2; e^r from a degree-6 polynomial; 2^n built in the exponent bits.",
            "Relative error below 3·10⁻⁷ against double-precision exp; inputs below −87.34 give 0, inputs above 88.38 give e^88.38.");
        w.Line(Inline);
        w.Open("private static " + v + " Exp(" + v + " x)");
        w.Comment("Clamp so that 2^n below is a normal float. Lanes below the range (softmax padding, say) are computed from 0 and set to 0");
        w.Comment("at the end: clamped to the minimum, their r would cancel to nearly 0 and r² would be subnormal, which is slow.");
        w.Line(v + " minimum = " + C(-87.3365447504f) + ";");
        w.Line(v + " below = " + api + ".LessThan(x, minimum);");
        w.Line(v + " clamped = " + api + ".AndNot(" + api + ".MinNative(x, " + C(88.3762626647949f) + "), below);");
        w.Line();
        w.Comment("n = round(x / ln 2); r = x − n·ln 2, with ln 2 split into a short high part and a correction so no bits are lost.");
        w.Line(v + " n = " + api + ".Round(clamped * " + C(1.44269504088896341f) + ");");
        w.Line(v + " r = " + api + ".MultiplyAddEstimate(n, " + C(-0.693359375f) + ", clamped);");
        w.Line("r = " + api + ".MultiplyAddEstimate(n, " + C(2.12194440e-4f) + ", r);");
        w.Line();
        w.Comment("e^r ≈ 1 + r + r²·P(r), by Horner's rule (Cephes' minimax coefficients).");
        w.Line(v + " p = " + C(1.9875691500e-4f) + ";");
        foreach (float coefficient in new[] { 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f })
        {
            w.Line("p = " + api + ".MultiplyAddEstimate(p, r, " + C(coefficient) + ");");
        }

        w.Line(v + " expR = " + api + ".MultiplyAddEstimate(p, r * r, r) + " + width.One + ";");
        w.Line();
        w.Comment("Scale by 2^n, built directly in the exponent bits, and flush lanes whose true result is subnormal to 0.");
        w.Line(v + " scaled = expR * " + api + ".AsSingle(" + api + ".ShiftLeft(" + api + ".ConvertToInt32Native(n) + " + api + ".Create(127), 23));");
        w.Line("return " + api + ".AndNot(scaled, below);");
        w.Close();
    }

    /// <summary>Emits the loss and errors of a row from its last layer's values, and prediction helpers.</summary>
    private static void EmitHead(SourceWriter w, ModelPlan plan)
    {
        switch (plan.Kind)
        {
            case ModelKind.LinearRegression:
                w.Line();
                w.Summary("The loss of one row, w·(ŷ − y)², from its prediction ŷ at z, which becomes the error w·2(ŷ − y): the loss's derivative with respect to ŷ.");
                w.Open("private static double SquaredError(ref float z, float target, float weight)");
                w.Line("float residual = z - target;");
                w.Line("z = weight * 2f * residual;");
                w.Line("return weight * (double)(residual * residual);");
                w.Close();
                w.Line();
                w.Summary("The loss of one row, w·(ŷ − y)².");
                w.Open("private static double SquaredLoss(float prediction, float target, float weight)");
                w.Line("float residual = prediction - target;");
                w.Line("return weight * (double)(residual * residual);");
                w.Close();
                break;

            case ModelKind.LogisticRegression:
                w.Line();
                w.Summary("σ(z) = 1 / (1 + e^-z), evaluated so that the exponent is never positive (no overflow).");
                w.Open("private static float Sigmoid(float z)");
                w.Open("if (z >= 0f)");
                w.Line("return 1f / (1f + " + MathF + ".Exp(-z));");
                w.Close();
                w.Line();
                w.Line("float e = " + MathF + ".Exp(z);");
                w.Line("return e / (1f + e);");
                w.Close();
                w.Line();
                w.Summary("softplus(z) = log(1 + e^z) = max(z, 0) + log(1 + e^-|z|), which never overflows.");
                w.Line("private static float Softplus(float z) => " + MathF + ".Max(z, 0f) + (float)global::System.Math.Log(1.0 + global::System.Math.Exp(-global::System.Math.Abs((double)z)));");
                w.Line();
                w.Summary(
                    "The loss of one row from its logit z, w·(softplus(z) − y·z): binary cross-entropy in a form that never takes the log of 0.",
                    "z becomes the error w·(σ(z) − y), written −w·σ(−z) for y = 1 so a confident right answer keeps its small gradient's digits.");
                w.Open("private static double LogisticError(ref float z, int label, float weight)");
                w.Line("float logit = z;");
                w.Line("z = weight * (label == 1 ? -Sigmoid(-logit) : Sigmoid(logit));");
                w.Line("return weight * (double)(Softplus(logit) - (label * logit));");
                w.Close();

                break;

            default:
                w.Line();
                w.Summary("The loss of one row from its logits, w·(log Σ e^z − z_y), by log-sum-exp (never log(softmax)); the logits become probabilities.");
                w.Open("private static double SoftmaxLoss(ref float z, int label, float weight)");
                w.Line("float zy = " + Unsafe + ".Add(ref z, label);");
                w.Line("float sum = Softmax(ref z, out float max);");
                w.Line("float logSumExp = max + " + MathF + ".Log(sum);");
                w.Line("return weight * (double)(logSumExp - zy);");
                w.Close();
                w.Line();
                w.Summary(
                    "The loss of one row from its logits, as <see cref=\"SoftmaxLoss\"/>; the logits become the errors w·(p − onehot(y)), the",
                    "loss's derivative with respect to them. For the labelled class p_y − 1 is written −Σ_(c≠y) p_c: when p_y is near 1",
                    "the subtraction would cancel most of the small gradient's digits, the sum keeps them.");
                w.Open("private static double SoftmaxErrors(ref float z, int label, float weight)");
                w.Line("float zy = " + Unsafe + ".Add(ref z, label);");
                w.Line("float sum = Softmax(ref z, out float max);");
                w.Line("float logSumExp = max + " + MathF + ".Log(sum);");
                w.Line("float others = 0f;");
                w.Open("for (int c = 0; c < " + Lit(plan.Outputs) + "; c++)");
                w.Line("float p = " + Unsafe + ".Add(ref z, c);");
                w.Line(Unsafe + ".Add(ref z, c) = weight * p;");
                w.Line("others += c == label ? 0f : p;");
                w.Close();
                w.Line();
                w.Line(Unsafe + ".Add(ref z, label) = -weight * others;");
                w.Line("return weight * (double)(logSumExp - zy);");
                w.Close();
                w.Line();
                w.Summary("The class with the largest logit (softmax is monotonic, so it is not computed); ties go to the lower class.");
                w.Open("private static int ArgMax(ref float z)");
                w.Line("int best = 0;");
                w.Line("float max = z;");
                w.Open("for (int c = 1; c < " + Lit(plan.Outputs) + "; c++)");
                w.Line("float value = " + Unsafe + ".Add(ref z, c);");
                w.Open("if (value > max)");
                w.Line("max = value;");
                w.Line("best = c;");
                w.Close();
                w.Close();
                w.Line();
                w.Line("return best;");
                w.Close();
                break;
        }
    }
}
