using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Native.Generators.Model;
using Native.Numerics;
using Native.Numerics.Serialization;
using Native.Numerics.Serialization.Onnx;

namespace Native.Generators;

// Target + file -> FileModelSpec: which AdditionalFile the attribute names, and what the model in it is, read by the
// library's own readers (safetensors and ONNX) (their source files are compiled into this assembly too), so a file the library refuses is
// refused here with the same message.
public sealed partial class ModelGenerator
{
    /// <summary>
    /// An AdditionalFile as the pipeline compares it: its path, size and last write time. Not its content: the compiler
    /// gives AdditionalFiles only as text, and asking for a binary file's text (a model file's) fails the build with
    /// CS2015 ("is a binary file instead of a text file"). The size and time are one stat, not a read, and change when
    /// the file is rewritten; only the file an attribute names is read, by path (<see cref="ReadFileModel"/>).
    /// </summary>
    private static AdditionalFile Describe(AdditionalText text, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
#pragma warning disable RS1035 // The model file is binary: see above.
            var info = new FileInfo(text.Path);
            return info.Exists
                ? new AdditionalFile(text.Path, info.Length, info.LastWriteTimeUtc.Ticks, Readable: true)
                : new AdditionalFile(text.Path, 0, 0, Readable: false);
#pragma warning restore RS1035
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.ArgumentException or NotSupportedException)
        {
            return new AdditionalFile(text.Path, 0, 0, Readable: false);
        }
    }

    /// <summary>
    /// The AdditionalFile <paramref name="target"/> names: the one at the project's directory joined with its path, or,
    /// when the build does not pass the project's directory, the one file whose path ends with it.
    /// </summary>
    private static AdditionalFile? Match(FileModelTarget target, ImmutableArray<AdditionalFile> files, string projectDirectory)
    {
        if (target.Path.Length == 0)
        {
            return null;
        }

        string relative = Normalize(target.Path);
        if (projectDirectory.Length > 0)
        {
            string wanted = Normalize(projectDirectory.TrimEnd('/', '\\') + "/" + relative);
            foreach (StringComparison comparison in new[] { StringComparison.Ordinal, StringComparison.OrdinalIgnoreCase })
            {
                foreach (AdditionalFile file in files)
                {
                    if (string.Equals(Normalize(file.Path), wanted, comparison))
                    {
                        return file;
                    }
                }
            }

            return null;
        }

        AdditionalFile? found = null;
        foreach (AdditionalFile file in files)
        {
            string path = Normalize(file.Path);
            if (path == relative || path.EndsWith("/" + relative, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    return null;
                }

                found = file;
            }
        }

        return found;
    }

    /// <summary>Reads the model <paramref name="target"/> names from <paramref name="file"/> into a spec, or into the diagnostics that say why not.</summary>
    private static FileModelResult ReadFileModel(FileModelTarget target, AdditionalFile? file, CancellationToken cancellationToken)
    {
        var diagnostics = new List<DiagnosticInfo>(target.Diagnostics);
        if (target.Path.Length == 0 || diagnostics.Count > 0)
        {
            return new FileModelResult(null, new EquatableArray<DiagnosticInfo>([.. diagnostics]));
        }

        if (file is not { } additional)
        {
            return Failure(DiagnosticDescriptors.FileNotAdditional, target.TypeName, target.Path);
        }

        byte[] bytes;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
#pragma warning disable RS1035 // The model file is binary: AdditionalText gives it only as decoded text (see Describe).
            // The pipeline re-runs this step when the file's size or write time changes, so the read stays incremental.
            bytes = additional.Readable ? File.ReadAllBytes(additional.Path) : throw new IOException("the compiler could not read it");
#pragma warning restore RS1035
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return Failure(DiagnosticDescriptors.FileUnreadable, target.TypeName, target.Path, error.Message);
        }

        ModelDescription model;
        PipelineDescription? pipeline;
        QuantizedFileSpec? quantized;
        FileNames names;
        try
        {
            (model, pipeline, quantized, names) = ReadModel(bytes, target.Path);
        }
        catch (FileFormatException error)
        {
            return Failure(DiagnosticDescriptors.InvalidModelFile, target.TypeName, error.Message);
        }
        catch (Exception error) when (error is FileNotFoundException or FileLoadException)
        {
            // The safetensors reader's System.Text.Json comes from the compiler's framework (.NET's has it); a
            // compiler host without it gets this diagnostic, not a generator crash.
            return Failure(DiagnosticDescriptors.FileUnreadable, target.TypeName, target.Path, "this compiler could not load " + error.Message + "; convert the model to ONNX (native convert model.safetensors model.onnx) and name that file");
        }

        // What the emitter writes as literals: bounded, so the source stays a size a compiler reads in a moment.
        long parameters = new ParameterLayout(model.LayerSizes).ParameterTotal;

        if (parameters > DiagnosticDescriptors.MaximumEmbeddedParameters || model.LayerSizes.Length - 1 > DiagnosticDescriptors.MaximumLayers)
        {
            int layers = model.LayerSizes.Length - 1;
            string holds = parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " parameters in " + Invariant(layers) + " " + Plural(layers, "layer");
            return Failure(DiagnosticDescriptors.ModelTooLarge, target.TypeName, target.Path, holds);
        }

        // A float file's numbers are its parameters; an int8 file's are its integer layers (quantized), as it holds them.
        var values = new List<float>(quantized is null ? (int)parameters : 0);
        for (int l = 0; quantized is null && l < model.Weights.Length; l++)
        {
            values.AddRange(model.Weights[l]);
            values.AddRange(model.Biases[l]);
        }

        int[] activations = new int[model.HiddenActivations.Length];
        for (int l = 0; l < activations.Length; l++)
        {
            activations[l] = (int)model.HiddenActivations[l];
        }

        EquatableArray<RowColumnSpec> rowColumns = RowColumns(pipeline);
        var spec = new FileModelSpec(
            target.Namespace,
            target.ContainingTypes,
            target.TypeName,
            target.Path,
            (Model.ModelKind)(int)model.Kind,
            new EquatableArray<int>(model.LayerSizes),
            new EquatableArray<int>(activations),
            model.LeakyReluSlope,
            new EquatableArray<float>([.. values]),
            new EquatableArray<float>(model.Means ?? []),
            new EquatableArray<float>(model.Deviations ?? []),
            new EquatableArray<string>(model.ClassNames),
            rowColumns,
            new EquatableArray<string>(pipeline?.MissingTokens ?? []),
            new EquatableArray<string>(names.Labels),
            new EquatableArray<string>(pipeline is null ? names.Features : [.. EncodedFeatureNames(rowColumns)]),
            quantized);
        return new FileModelResult(spec, EquatableArray<DiagnosticInfo>.Empty);

        FileModelResult Failure(DiagnosticDescriptor descriptor, params string[] arguments) =>
            new(null, new EquatableArray<DiagnosticInfo>([DiagnosticInfo.Create(descriptor, target.Location, arguments)]));
    }

    /// <summary>
    /// The model in a file's bytes, by the library's reader for its format (chosen by extension, as ModelFile.Load
    /// does: ONNX for .onnx, the library's safetensors format otherwise), with the library's check that its weights
    /// can give finite outputs; the feature pipeline the file keeps, or null; and for an int8 file (format version 3) its
    /// integer layers, read and checked as ModelFile.Load reads them, or null.
    /// </summary>
    private static (ModelDescription Model, PipelineDescription? Pipeline, QuantizedFileSpec? Quantized, FileNames Names) ReadModel(byte[] bytes, string name)
    {
        if (name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            ModelDescription onnx = OnnxGraphReader.Read(bytes, name, quantizedAllowed: true);
            if (onnx.Quantization is { } onnxLayers)
            {
                // A QDQ graph (calibrated, as the library writes it): its integers, checked as ModelFile.Load checks them.
                if (ModelFileFormat.QuantizedBoundsProblem(onnx.LayerSizes, onnx.HiddenActivations, onnx.LeakyReluSlope, calibrated: true, onnxLayers, onnx.Means, onnx.Deviations) is string quantizedProblem)
                {
                    throw FileFormatException.InFile(name, quantizedProblem + "; this model would answer NaN to every input.");
                }

                return (onnx, onnx.Pipeline, Spec(onnxLayers, calibrated: true).Spec, OnnxNames(onnx, name));
            }

            if (BoundsProblem(onnx) is string onnxProblem)
            {
                throw FileFormatException.InFile(name, onnxProblem + "; this model would answer NaN to every input.");
            }

            return (onnx, onnx.Pipeline, null, OnnxNames(onnx, name));
        }

        using var stream = new MemoryStream(bytes, writable: false);
        Safetensors.Contents contents = Safetensors.ReadHeader(stream, name);
        ModelFileHeader header = ModelFileFormat.Decode(contents);
        // The label column, or a multi-output regression's targets, as ModelFile.Load names them.
        string[] labels = header.LabelNames.Length > 0 ? header.LabelNames : header.LabelName is string label ? [label] : [];
        var names = new FileNames(labels, header.FeatureNames);
        if (header.Quantization is not null)
        {
            (ModelDescription quantizedModel, PipelineDescription? quantizedPipeline, QuantizedFileSpec quantizedSpec) = ReadQuantized(stream, contents, header);
            return (quantizedModel, quantizedPipeline, quantizedSpec, names);
        }

        ParameterLayout layout = header.Layout;
        float[] parameters = new float[layout.ParameterCount];
        ModelFileFormat.ReadParameters(stream, contents, header, () => parameters);

        int layers = layout.LayerCount;
        float[][] weights = new float[layers][], biases = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            int outputs = layout.LayerOutputs(l);
            weights[l] = new float[layout.WeightCount(l)];
            biases[l] = new float[outputs];
            Array.Copy(parameters, layout.WeightOffset(l), weights[l], 0, weights[l].Length);
            Array.Copy(parameters, layout.BiasOffset(l), biases[l], 0, outputs);
        }

        ModelDescription model = DescriptionOf(header, weights, biases);
        if (BoundsProblem(model) is string problem)
        {
            throw contents.Error(contents.DataStart, problem + "; this model would answer NaN to every input.");
        }

        return (model, header.Pipeline, null, names);
    }

    /// <summary>The model a safetensors header describes, with its weights and biases per layer.</summary>
    private static ModelDescription DescriptionOf(ModelFileHeader header, float[][] weights, float[][] biases) => new(
        header.Kind,
        header.LayerSizes,
        header.Activations,
        header.LeakyReluSlope,
        weights,
        biases,
        header.Means,
        header.Deviations,
        header.ClassNames,
        [.. header.Properties],
        header.LibraryVersion is { } version ? "native " + version : string.Empty);

    /// <summary>The pipeline's columns the model reads (ignored ones left out), each with its property's name; empty for no pipeline.</summary>
    private static EquatableArray<RowColumnSpec> RowColumns(PipelineDescription? pipeline)
    {
        if (pipeline is null)
        {
            return EquatableArray<RowColumnSpec>.Empty;
        }

        var used = new List<(PipelineColumnDescription Column, int Position)>();
        for (int c = 0; c < pipeline.Columns.Length; c++)
        {
            if (pipeline.Columns[c].Kind != ColumnKind.Ignored)
            {
                used.Add((pipeline.Columns[c], c + 1));
            }
        }

        string[] properties = RowNames.Of([.. used.Select(u => (u.Column.Name, u.Position))]);
        var columns = new RowColumnSpec[used.Count];
        for (int i = 0; i < columns.Length; i++)
        {
            PipelineColumnDescription column = used[i].Column;
            bool category = column.Kind == ColumnKind.Category;
            columns[i] = new RowColumnSpec(
                column.Name,
                properties[i],
                category,
                column.Offset,
                category ? 0f : column.Fill,
                !category && column.Indicator,
                new EquatableArray<string>(category ? column.Categories : []),
                category && column.Other,
                category && column.MissingSlot,
                category && column.Unknown == UnknownCategories.Error);
        }

        return new EquatableArray<RowColumnSpec>(columns);
    }

    private static string? BoundsProblem(ModelDescription model)
    {
        var parameters = new List<float>();
        for (int l = 0; l < model.Weights.Length; l++)
        {
            parameters.AddRange(model.Weights[l]);
            parameters.AddRange(model.Biases[l]);
        }

        return OutputBounds.Problem(model.LayerSizes, model.HiddenActivations, model.LeakyReluSlope, parameters.ToArray(), model.Deviations);
    }

    /// <summary>A path with '/' separators and its "." and ".." segments resolved, for comparing.</summary>
    private static string Normalize(string path)
    {
        string[] parts = path.Replace('\\', '/').Split('/');
        var kept = new List<string>(parts.Length);
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (part == "." || (part.Length == 0 && i > 0))
            {
                continue;
            }

            if (part == ".." && kept.Count > 0 && kept[kept.Count - 1] is not ".." and not "")
            {
                kept.RemoveAt(kept.Count - 1);
                continue;
            }

            kept.Add(part);
        }

        return string.Join("/", kept);
    }
}
