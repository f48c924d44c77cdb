using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Native.Generators.Emitter;
using Native.Generators.Model;

namespace Native.Generators;

// The typed row of a model whose file keeps a feature pipeline: a record struct with a property per column the model
// reads, the pipeline compiled into Encode (fills as literals, each category column a switch on the string), and the
// prediction vocabulary on `in Row`. Bit for bit the encoding of the library's FeaturePipeline on a TableRow set from text.
public sealed partial class ModelGenerator
{
    /// <summary>Encoded rows up to this many floats are written on the stack; wider ones into a buffer of the thread's own.</summary>
    private const int StackFeatures = 512;

    /// <summary>Category values listed in a property's doc comment before "…".</summary>
    private const int ListedCategories = 12;

    private const string ReadOnlyChars = "global::System.ReadOnlySpan<char>";

    /// <summary>The <c>Row</c> record struct: a property per column, its original name and encoding in its doc comment.</summary>
    private static void EmitRowType(SourceWriter w, FileModelSpec spec)
    {
        string tokens = spec.MissingTokens.Count == 0 ? string.Empty : ", or " + string.Join(", ", spec.MissingTokens.Select(t => "<c>" + Doc(t) + "</c>"));
        w.Line();
        w.Summary(
            "One record of the table the model was trained on, as it comes: a property per column the model reads, named after it.",
            "A missing value is null; a number may also be NaN, and a category blank" + tokens + ". <see cref=\"Encode\"/> shows what each becomes.");
        w.Open("public record struct Row");
        for (int i = 0; i < spec.RowColumns.Count; i++)
        {
            RowColumnSpec column = spec.RowColumns[i];
            if (i > 0)
            {
                w.Line();
            }

            w.Summary("Column <c>" + Doc(column.Name) + "</c>: " + DescribeColumn(column) + ".");
            w.Line("public " + (column.IsCategory ? "string?" : "float?") + " " + column.Property + " { get; set; }");
        }

        w.Close();
    }

    /// <summary>The prediction vocabulary on <c>in Row</c>, each call the encoding then the engine.</summary>
    private static void EmitRowPredictions(SourceWriter w, FileModelSpec spec)
    {
        string refused = "A number is infinite" + (spec.RowColumns.Any(c => c.IsCategory && c.UnknownIsError && !c.Other) ? ", or a category is one the model refuses" : string.Empty);
        int outputs = spec.LayerSizes[spec.LayerSizes.Count - 1];
        if (IsRegression(spec.Kind))
        {
            if (outputs == 1)
            {
                EmitRowCall(w, spec, "The predicted value of one record.", refused + ", or the value is not finite.", "float PredictValue(in Row row)", "return s_engine.PredictValue(features);");
                EmitRowCall(w, spec, "The predicted value of one record, or false (and NaN) where it is not finite.", refused + ".", "bool TryPredictValue(in Row row, out float value)", "return s_engine.TryPredictValue(features, out value);");
            }

            EmitRowCall(
                w,
                spec,
                "The predicted " + (outputs == 1 ? "value" : "values (one per target, in label order)") + " of one record, into <paramref name=\"values\"/> (<see cref=\"Outputs\"/> " + (outputs == 1 ? "value" : "values") + "; NaN where " + (outputs == 1 ? "it is" : "they are") + " not finite).",
                refused + ", or <paramref name=\"values\"/> is not " + Lit(outputs) + " long.",
                "void PredictValues(in Row row, " + Span + " values)",
                "s_engine.PredictValues(features, values);");
            return;
        }

        EmitRowCall(w, spec, "The predicted class of one record.", refused + ", or the logits are not finite.", "int PredictClass(in Row row)", "return s_engine.PredictClass(features);");
        EmitRowCall(w, spec, "The predicted class of one record, or false (and −1) where its logits are not finite.", refused + ".", "bool TryPredictClass(in Row row, out int predictedClass)", "return s_engine.TryPredictClass(features, out predictedClass);");
        EmitRowCall(w, spec, "The probability of each class for one record, into <paramref name=\"probabilities\"/> (<see cref=\"Classes\"/> values; NaN where the logits are not finite).", refused + ", or <paramref name=\"probabilities\"/> is not " + Lit(spec.Kind == ModelKind.LogisticRegression ? 2 : spec.LayerSizes[spec.LayerSizes.Count - 1]) + " long.", "void PredictProbabilities(in Row row, " + Span + " probabilities)", "s_engine.PredictProbabilities(features, probabilities);");
        w.Line();
        w.Summary("The name of the predicted class of one record (see <see cref=\"ClassNames\"/>); allocates nothing.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">" + refused + ", or the logits are not finite.</exception>");
        w.Line("public static string PredictClassName(in Row row) => s_classNames[PredictClass(in row)];");
    }

    private static void EmitRowCall(SourceWriter w, FileModelSpec spec, string summary, string exception, string signature, string call)
    {
        w.Line();
        w.Summary(summary + " Allocates nothing.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\">" + exception + "</exception>");
        w.Open("public static " + signature);
        w.Line(spec.LayerSizes[0] <= StackFeatures ? Span + " features = stackalloc float[Features];" : Span + " features = t_features ??= new float[Features];");
        w.Line("Encode(in row, features);");
        w.Line(call);
        w.Close();
    }

    /// <summary><c>Encode</c>, the category columns' slot functions and the helpers they share.</summary>
    private static void EmitRowEncoding(SourceWriter w, FileModelSpec spec)
    {
        if (spec.LayerSizes[0] > StackFeatures)
        {
            w.Line();
            w.Summary("The thread's encoded row: too wide for the stack.");
            w.Line("[global::System.ThreadStatic]");
            w.Line("private static float[]? t_features;");
        }

        w.Line();
        w.Summary(
            "Writes the model's row for <paramref name=\"row\"/> into <paramref name=\"features\"/> (<see cref=\"Features\"/> floats), as the",
            "pipeline saved with the model encodes it: numbers imputed, categories one-hot. Not standardized: the predictions on rows of",
            "floats standardize, as the model <c>ModelFile.Load</c> reads does. Allocates nothing.");
        w.Line("/// <exception cref=\"" + ArgumentException + "\"><paramref name=\"features\"/> is not " + Lit(spec.LayerSizes[0]) + " long, a number is infinite, or a category is refused.</exception>");
        w.Open("public static void Encode(in Row row, " + Span + " features)");
        w.Open("if (features.Length != Features)");
        w.Line("throw new " + ArgumentException + "(\"features has length \" + features.Length + \"; the model's row has " + Lit(spec.LayerSizes[0]) + " features.\", nameof(features));");
        w.Close();
        w.Line();
        w.Line("features.Clear();");
        foreach (RowColumnSpec column in spec.RowColumns)
        {
            string name = StringLiteral(column.Name);
            if (!column.IsCategory)
            {
                w.Line("features[" + Lit(column.Offset) + "] = ValueOrFill(row." + column.Property + ", " + FloatLiteral(column.Fill) + ", " + name + ");");
                if (column.Indicator)
                {
                    w.Line("features[" + Lit(column.Offset + 1) + "] = IsMissing(row." + column.Property + ") ? 1f : 0f;");
                }
            }
            else
            {
                w.Line("SetSlot(features, " + Lit(column.Offset) + ", SlotOf" + column.Property + "(row." + column.Property + "));");
            }
        }

        w.Close();
        foreach (RowColumnSpec column in spec.RowColumns.Where(c => c.IsCategory))
        {
            EmitSlotOf(w, spec, column);
        }

        EmitRowHelpers(w, spec);
    }

    private static void EmitRowHelpers(SourceWriter w, FileModelSpec spec)
    {
        w.Line();
        w.Summary("A number's value, or <paramref name=\"fill\"/> when it is missing (null or NaN).");
        w.Line(AggressiveInlining);
        w.Open("private static float ValueOrFill(float? value, float fill, string column)");
        w.Open("if (value is not float number || float.IsNaN(number))");
        w.Line("return fill;");
        w.Close();
        w.Line();
        w.Line("return float.IsInfinity(number) ? NotFinite(number, column) : number;");
        w.Close();
        w.Line();
        w.Summary("Throws the error of an infinite number.");
        w.Line("[global::System.Diagnostics.CodeAnalysis.DoesNotReturn]");
        w.Line("private static float NotFinite(float number, string column) =>");
        w.Line("    throw new " + ArgumentException + "(\"Column '\" + column + \"': \" + number.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \" is not a finite number (null or NaN means missing).\", \"row\");");
        if (spec.RowColumns.Any(c => c.Indicator))
        {
            w.Line();
            w.Summary("Whether a number is missing: null or NaN.");
            w.Line("private static bool IsMissing(float? value) => value is not float number || float.IsNaN(number);");
        }

        if (!spec.RowColumns.Any(c => c.IsCategory))
        {
            return;
        }

        w.Line();
        if (spec.MissingTokens.Count == 0)
        {
            w.Summary("Whether a category is missing: null, empty or white space.");
            w.Line("private static bool IsMissing(string? value) => string.IsNullOrWhiteSpace(value);");
        }
        else
        {
            w.Summary("Whether a category is missing: null, empty or white space, or a missing token once trimmed.");
            w.Open("private static bool IsMissing(string? value)");
            w.Open("if (string.IsNullOrWhiteSpace(value))");
            w.Line("return true;");
            w.Close();
            w.Line();
            w.Line(ReadOnlyChars + " trimmed = global::System.MemoryExtensions.Trim(global::System.MemoryExtensions.AsSpan(value));");
            w.Line("return trimmed is " + string.Join(" or ", spec.MissingTokens.Select(StringLiteral)) + ";");
            w.Close();
        }

        if (HasHashedColumn(spec))
        {
            EmitKeyOf(w);
        }

        w.Line();
        w.Summary("Sets a category's one-hot feature: its slot's, from <paramref name=\"offset\"/> on; none for −1.");
        w.Open("private static void SetSlot(" + Span + " features, int offset, int slot)");
        w.Open("if (slot >= 0)");
        w.Line("features[offset + slot] = 1f;");
        w.Close();
        w.Close();
        if (spec.RowColumns.Any(c => c.IsCategory && c.UnknownIsError && !c.Other))
        {
            w.Line();
            w.Summary("The error of a category the model does not know, in a column that refuses them.");
            w.Line("private static " + ArgumentException + " UnknownCategory(string column, string? value, int categories) =>");
            w.Line("    new " + ArgumentException + "(\"Column '\" + column + \"': '\" + value + \"' is not one of the \" + categories + \" categories the model knows, and unknown categories are errors for this model.\", \"row\");");
        }
    }

    /// <summary>What a column's property holds and what the pipeline makes of it, for its doc comment.</summary>
    private static string DescribeColumn(RowColumnSpec column)
    {
        if (!column.IsCategory)
        {
            return "a number; missing becomes " + column.Fill.ToString("R", CultureInfo.InvariantCulture) + (column.Indicator ? ", and its indicator 1" : string.Empty);
        }

        var text = new StringBuilder("one of ").Append(Lit(column.Categories.Count)).Append(column.Categories.Count == 1 ? " category" : " categories").Append(" (");
        text.Append(string.Join(", ", column.Categories.Take(ListedCategories).Select(c => "<c>" + Doc(c) + "</c>")));
        text.Append(column.Categories.Count > ListedCategories ? ", …)" : ")");
        text.Append(column.MissingSlot ? "; missing has a slot of its own" : "; missing is all zeros");
        text.Append(column.Other ? "; any other value shares the other slot" : column.UnknownIsError ? "; any other value is an error" : "; any other value is all zeros");
        return text.ToString();
    }

    /// <summary>
    /// Whether the pipeline reads <paramref name="text"/> as missing: empty or white space, or a missing token once trimmed
    /// (the library's TableText.IsMissing; <see cref="string.Trim()"/> trims what a span's Trim does).
    /// </summary>
    private static bool IsMissingText(string text, EquatableArray<string> tokens)
    {
        string trimmed = text.Trim();
        return trimmed.Length == 0 || tokens.Any(t => t == trimmed);
    }

    /// <summary>Text for a doc comment: markup escaped, control characters written as <c>\uXXXX</c>, so a name cannot end the comment.</summary>
    private static string Doc(string text)
    {
        var doc = new StringBuilder(text.Length);
        foreach (char c in Xml(text))
        {
            doc.Append(char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085' ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString());
        }

        return doc.ToString();
    }
}
