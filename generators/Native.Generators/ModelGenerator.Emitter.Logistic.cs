using System.Collections.Generic;
using Native.Generators.Emitter;

namespace Native.Generators;

// The logistic regression's head over a chunk of rows, a vector of rows at a time: sigmoids for prediction, and
// errors with the loss for training. A row's head is a few operations around one exp; done one row at a time
// through MathF it would cost more than the row's whole dot product, so the rows of a chunk share vectors.
public sealed partial class ModelGenerator
{
    private static void EmitLogisticHeads(SourceWriter w, HashSet<Width> sums, HashSet<Width> exps)
    {
        EmitDispatch(w, "Replaces n logits by σ(z) = P(y = 1), in place.", "void", "Sigmoids", "ref float z, int n", "ref z, n", path => path);
        EmitDispatch(
            w,
            "Turns n logits into their errors in place, w·(σ(z) − y), and returns their summed loss, Σ w·(softplus(z) − y·z).",
            "double",
            "LogisticErrors",
            "ref float z, ref float labels, ref float weights, int n",
            "ref z, ref labels, ref weights, n",
            path => path);
        foreach (Width width in Width.Paths)
        {
            if (!width.IsScalar)
            {
                sums.Add(width);
                exps.Add(width);
            }

            EmitSigmoids(w, width);
            EmitLogisticErrors(w, width);
            if (!width.IsScalar)
            {
                EmitLog1P(w, width);
            }
        }
    }

    private static void EmitSigmoids(SourceWriter w, Width width)
    {
        string v = width.Vector, api = width.Api;
        w.Line();
        w.Summary(
            "Replaces n logits by σ(z)" + Pace(width) + ", in whole vectors: the buffer holds at least n rounded up to a vector.",
            "σ(z) is 1 / (1 + e^-|z|) for z ≥ 0 and e^-|z| / (1 + e^-|z|) below: the exponent is never positive, so nothing overflows.");
        w.Line(Optimize);
        w.Open("private static void Sigmoids" + width.Name + "(ref float z, int n)");
        if (width.IsScalar)
        {
            w.Open("for (int i = 0; i < n; i++)");
            w.Line(Unsafe + ".Add(ref z, i) = Sigmoid(" + Unsafe + ".Add(ref z, i));");
            w.Close();
            w.Close();
            return;
        }

        w.Open("for (int i = 0; i < n; i += " + Lit(width.Lanes) + ")");
        w.Line(v + " logit = " + width.Load("z", "(nuint)i") + ";");
        w.Line(v + " exp = Exp(-" + api + ".Abs(logit));");
        w.Line(v + " large = " + width.One + " / (" + width.One + " + exp);");
        w.Line(width.Store(api + ".ConditionalSelect(" + api + ".GreaterThanOrEqual(logit, " + width.Zero + "), large, exp * large)", "z", "(nuint)i"));
        w.Close();
        w.Close();
    }

    private static void EmitLogisticErrors(SourceWriter w, Width width)
    {
        string v = width.Vector, api = width.Api;
        w.Line();
        w.Summary(
            "Turns n logits into their errors in place and returns their summed loss" + Pace(width) + ". The error is w·(σ(z) − y), written",
            "−w·σ(−z) for y = 1 so a confident right answer keeps its small gradient's digits; the loss is w·(softplus(z) − y·z),",
            "binary cross-entropy in a form that never takes the log of 0. The buffers hold at least n rounded up to a vector.");
        w.Line(Optimize);
        w.Open("private static double LogisticErrors" + width.Name + "(ref float z, ref float labels, ref float weights, int n)");
        w.Line("double total = 0;");
        if (width.IsScalar)
        {
            w.Open("for (int i = 0; i < n; i++)");
            w.Line("total += LogisticError(ref " + Unsafe + ".Add(ref z, i), (int)" + Unsafe + ".Add(ref labels, i), " + Unsafe + ".Add(ref weights, i));");
            w.Close();
            w.Line();
            w.Line("return total;");
            w.Close();
            return;
        }

        w.Open("for (int i = 0; i < n; i += " + Lit(width.Lanes) + ")");
        w.Line(v + " logit = " + width.Load("z", "(nuint)i") + ";");
        w.Line(v + " labelled = " + api + ".Equals(" + width.Load("labels", "(nuint)i") + ", " + width.One + ");");
        w.Line(v + " weight = " + width.Load("weights", "(nuint)i") + ";");
        w.Line();
        w.Comment("One exponential serves both: e^-|z|, at most 1. Of σ(z) and σ(−z) = 1 − σ(z), the larger is 1 / (1 + e^-|z|) and the");
        w.Comment("smaller e^-|z| / (1 + e^-|z|); neither is computed as 1 minus the other, which would cancel the small one's digits.");
        w.Line(v + " exp = Exp(-" + api + ".Abs(logit));");
        w.Line(v + " large = " + width.One + " / (" + width.One + " + exp);");
        w.Line(v + " small = exp * large;");
        w.Line(v + " positive = " + api + ".GreaterThanOrEqual(logit, " + width.Zero + ");");
        w.Line(v + " sigmoid = " + api + ".ConditionalSelect(positive, large, small);");
        w.Line(v + " complement = " + api + ".ConditionalSelect(positive, small, large);");
        w.Line(width.Store("weight * " + api + ".ConditionalSelect(labelled, -complement, sigmoid)", "z", "(nuint)i"));
        w.Line();
        w.Comment("The loss: softplus(u) = max(u, 0) + log(1 + e^-|u|), with u = z for y = 0 and u = −z for y = 1 (|u| = |z|).");
        w.Line(v + " u = " + api + ".ConditionalSelect(labelled, -logit, logit);");
        w.Line(v + " loss = weight * (" + api + ".MaxNative(u, " + width.Zero + ") + Log1P(exp));");
        w.Line();
        w.Comment("Only the first n − i lanes are rows of the batch.");
        w.Line("total += HorizontalSum(" + api + ".ConditionalSelect(" + width.LanesBelow("n - i") + ", loss, " + width.Zero + "));");
        w.Close();
        w.Line();
        w.Line("return total;");
        w.Close();
    }

    // log(1 + v) for v in [0, 1], by the series of 2·atanh(s), s = v / (2 + v) ≤ 1/3.
    private static void EmitLog1P(SourceWriter w, Width width)
    {
        string v = width.Vector, api = width.Api;
        w.Line();
        w.Summary(
            "log(1 + v) lane by lane, for v in [0, 1]: 2·atanh(s) with s = v / (2 + v) ≤ 1/3, whose odd series",
            "2(s + s³/3 + … + s¹³/13) is exact to 2·10⁻⁸ of the result there; float rounding dominates the error.");
        w.Line(Inline);
        w.Open("private static " + v + " Log1P(" + v + " v)");
        w.Line(v + " s = v / (" + width.Broadcast("2f") + " + v);");
        w.Line(v + " s2 = s * s;");
        w.Line(v + " p = " + width.Broadcast(FloatLiteral(1f / 13)) + ";");
        foreach (int denominator in new[] { 11, 9, 7, 5, 3 })
        {
            w.Line("p = " + api + ".MultiplyAddEstimate(p, s2, " + width.Broadcast(FloatLiteral(1f / denominator)) + ");");
        }

        w.Line("p = " + api + ".MultiplyAddEstimate(p, s2, " + width.One + ");");
        w.Line("return " + width.Broadcast("2f") + " * s * p;");
        w.Close();
    }
}
