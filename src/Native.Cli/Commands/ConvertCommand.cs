using System.CommandLine;
using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary><c>native convert</c>: a model file from safetensors to ONNX or back, the format chosen by each file's extension.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model to read: a .safetensors file (from native train --out) or an .onnx file (Native's, PyTorch's, scikit-learn's).", Required = true };
        var output = new Option<string>("--out") { Description = "The file to write: ONNX (opset 17) if it ends in .onnx, safetensors otherwise.", Required = true };
        var command = new Command("convert", "Convert a model between safetensors and ONNX, keeping its class names, standardizer and properties.")
        {
            model, output,
        };
        command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(output)!));
        return command;
    }

    public static int Run(CliContext context, string modelPath, string outputPath)
    {
        new Destinations().Reads("--model", modelPath).Writes("--out", outputPath).Check();
        ModelFiles.CheckDestination("--out", outputPath);
        ModelFiles.CheckModelPath(modelPath);
        TrainedModel loaded = ModelFile.Load(modelPath);
        context.Cancellation.ThrowIfCancellationRequested();
        try
        {
            // An int8 model goes to ONNX in QDQ form (QuantizeLinear / DequantizeLinear around Gemm), if it was calibrated.
            ModelFile.Save(loaded, outputPath, context.Cancellation);
        }
        catch (NotSupportedException e)
        {
            throw new UsageException($"'{modelPath}': {e.Message}");
        }
        context.Done($"the model was saved to '{outputPath}'");
        long bytes = new FileInfo(outputPath).Length;
        string extras = string.Join(", ", new[]
        {
            loaded.Pipeline is { } pipeline ? string.Create(CultureInfo.InvariantCulture, $"a feature pipeline of {pipeline.Columns.Count(column => column.Kind != ColumnKind.Ignored)} columns") : null,
            loaded.ClassNames.Count > 0 ? $"{loaded.ClassNames.Count} class names" : null,
            loaded.Standardizer is not null ? "a standardizer" : null,
            loaded.Properties.Count > 0 ? $"{loaded.Properties.Count} properties" : null,
        }.Where(e => e is not null));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outputPath}: {loaded.Shape}{(extras.Length > 0 ? " with " + extras : string.Empty)}, {bytes:N0} bytes."));
        return ExitCodes.Success;
    }
}
