using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Native.Numerics;
using Native.Numerics.Hosting;

namespace Native.Cli.Commands;

/// <summary>A prediction: the request's rows through the model in one batch call, and the answer written as JSON.</summary>
internal sealed partial class ServeEndpoints
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Parses, predicts and writes the answer (synchronously: the per-thread buffers are used between no awaits).</summary>
    private void Answer(HttpResponse response, NativeModel served, ReadOnlySequence<byte> bytes)
    {
        byte[]? copy = null;
        ReadOnlySpan<byte> span = bytes.IsSingleSegment ? bytes.FirstSpan : (copy = ArrayPool<byte>.Shared.Rent((int)bytes.Length)).AsSpan(0, (int)bytes.Length);
        if (copy is not null)
        {
            bytes.CopyTo(copy);
        }

        TrainedModel model = served.Model;
        PredictionRequest request;
        try
        {
            request = PredictionRequest.Read(span, model, served.Name, _limits);
        }
        catch (RequestRefusedException)
        {
            _metrics.RecordRefusal(served, 1, "bad_request");
            throw;
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        int rows = request.Rows;
        bool classifier = model.Task != ModelTask.Regression;
        int width = classifier ? model.Classes : model.Outputs;
        float[] outputs = request.Predicted ? request.Values : ArrayPool<float>.Shared.Rent(rows * width);
        int[] classes = request.Predicted ? request.Classes : ArrayPool<int>.Shared.Rent(classifier ? rows : 0);
        try
        {
            if (request.Predicted)
            {
                _metrics.RecordPredictions(served, rows, request.Predicting);
            }
            else
            {
                Predict(served, request.Values.AsSpan(0, rows * model.Features), outputs, classes, rows, width);
            }

            Utf8JsonWriter writer = Writer(out ArrayBufferWriter<byte> buffer);
            writer.WriteStartObject();
            writer.WriteString("model"u8, served.Name);
            writer.WriteString("version"u8, served.Version);
            writer.WriteStartArray("predictions"u8);
            for (int row = 0; row < rows; row++)
            {
                writer.WriteStartObject();
                if (classifier)
                {
                    writer.WriteString("class"u8, ClassName(model, classes[row]));
                    writer.WriteStartArray("probabilities"u8);
                    for (int c = 0; c < width; c++)
                    {
                        writer.WriteNumberValue(outputs[(row * width) + c]);
                    }

                    writer.WriteEndArray();
                }
                else if (width == 1)
                {
                    writer.WriteNumber("value"u8, outputs[row]);
                }
                else
                {
                    writer.WriteStartArray("values"u8);
                    for (int o = 0; o < width; o++)
                    {
                        writer.WriteNumberValue(outputs[(row * width) + o]);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
            response.StatusCode = StatusCodes.Ok;
            response.ContentType = "application/json";
            response.Headers[VersionHeader] = served.Version;
            response.ContentLength = buffer.WrittenCount;
            response.BodyWriter.Write(buffer.WrittenSpan);
        }
        finally
        {
            request.Return();
            if (!request.Predicted)
            {
                ArrayPool<float>.Shared.Return(outputs);
                ArrayPool<int>.Shared.Return(classes);
            }
        }
    }

    /// <summary>Float rows through the model's batch calls, checked finite (a model without a pipeline, or one of numbers only).</summary>
    private void Predict(NativeModel served, ReadOnlySpan<float> values, float[] outputs, int[] classes, int rows, int width)
    {
        TrainedModel model = served.Model;
        long started = Stopwatch.GetTimestamp();
        if (model.Task != ModelTask.Regression)
        {
            model.PredictProbabilities(values, outputs.AsSpan(0, rows * width));
            CheckFinite(served, values, outputs, rows, width);
            model.PredictClasses(values, classes.AsSpan(0, rows));
        }
        else
        {
            model.PredictValues(values, outputs.AsSpan(0, rows * width));
            CheckFinite(served, values, outputs, rows, width);
        }

        _metrics.RecordPredictions(served, rows, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A row whose outputs are not finite gets no answer: 400, naming the row and the feature that did it.</summary>
    private void CheckFinite(NativeModel served, ReadOnlySpan<float> values, float[] outputs, int rows, int width)
    {
        TrainedModel model = served.Model;
        for (int row = 0; row < rows; row++)
        {
            if (float.IsNaN(outputs[row * width]))
            {
                _metrics.RecordRefusal(served, 1, "not_finite");
                string why;
                try
                {
                    ReadOnlySpan<float> one = values.Slice(row * model.Features, model.Features);
                    _ = model.Task == ModelTask.Regression ? model.PredictValue(one) : model.PredictClass(one);
                    why = "its outputs are not finite.";
                }
                catch (ArgumentException e)
                {
                    why = CommandLine.FirstLine(e);
                }

                throw new RequestRefusedException(StatusCodes.BadRequest, $"row {row + 1} (rows[{row}]): the model '{served.Name}' cannot answer it: {why}");
            }
        }
    }

    private static string ClassName(TrainedModel model, int predicted) =>
        model.ClassNames.Count > predicted ? model.ClassNames[predicted] : ClassLabels.Of(predicted);

    private static Utf8JsonWriter Writer(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        if (t_writer is null)
        {
            t_writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = s_encoder });
        }
        else
        {
            t_writer.Reset(buffer);
        }

        return t_writer;
    }
}
