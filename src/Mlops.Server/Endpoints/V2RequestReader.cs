using System.Text.Json;

namespace Mlops.Server.Endpoints;

/// <summary>One input tensor of an infer request, as read from the body; a part the body lacks (or gives as the wrong JSON kind) is null.</summary>
/// <param name="Name">The tensor's name: the feature.</param>
/// <param name="Shape">Its shape; a dimension that is not a whole number is -1.</param>
/// <param name="Datatype">Its datatype, as written.</param>
/// <param name="Data">Its values, flattened in row order.</param>
internal sealed record V2Tensor(string? Name, long[]? Shape, string? Datatype, TensorData? Data);

/// <summary>An infer request's parts that serving reads: its id, its input tensors (null when the body has no <c>inputs</c> array) and the outputs it asks for.</summary>
/// <param name="Id">The request's id, when it is a string.</param>
/// <param name="Inputs">The input tensors, in the body's order.</param>
/// <param name="Outputs">The names of the outputs asked for, in the body's order (an entry without a string name is null); null when the body has no <c>outputs</c> array, which asks for all.</param>
internal sealed record V2Request(string? Id, List<V2Tensor>? Inputs, List<string?>? Outputs);

/// <summary>A part of the body cannot be read (a string that is not valid Unicode); the message names the field.</summary>
internal sealed class V2BodyException(string message) : Exception(message);

/// <summary>
/// Reads an Open Inference Protocol v2 infer body in one pass with <see cref="Utf8JsonReader"/>,
/// straight into typed tensor values: no <see cref="JsonDocument"/> and no <see cref="JsonElement"/>
/// per value. Parts serving does not read (<c>parameters</c>, a tensor's own <c>parameters</c>, an
/// output's <c>parameters</c>) are skipped; the whole body must still be valid JSON, and every string
/// serving reads valid Unicode.
/// </summary>
internal static class V2RequestReader
{
    // Known datatypes, so that reading one does not make a new string per tensor.
    private static readonly string[] s_datatypes = ["BOOL", "BYTES", "FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"];

    /// <summary>Reads a body.</summary>
    /// <param name="body">The body's bytes.</param>
    /// <exception cref="JsonException">The body is not valid JSON.</exception>
    /// <exception cref="V2BodyException">A string serving reads is not valid Unicode.</exception>
    /// <returns>The request, or null when the body is not a JSON object.</returns>
    public static V2Request? Read(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            End(ref reader);
            return null;
        }

        string? id = null;
        List<V2Tensor>? inputs = null;
        List<string?>? outputs = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("inputs"u8))
            {
                reader.Read();
                inputs = reader.TokenType == JsonTokenType.StartArray ? Tensors(ref reader) : Skipped<List<V2Tensor>>(ref reader);
            }
            else if (reader.ValueTextEquals("outputs"u8))
            {
                reader.Read();
                outputs = reader.TokenType == JsonTokenType.StartArray ? Outputs(ref reader) : Skipped<List<string?>>(ref reader);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.String ? Text(ref reader, "id") : Skipped<string>(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        End(ref reader);
        return new V2Request(id, inputs, outputs);
    }

    /// <summary>
    /// A string token's text. Invalid UTF-8, or an escaped lone surrogate, makes GetString throw an
    /// InvalidOperationException: that is the client's body, not a fault of the server.
    /// </summary>
    /// <exception cref="V2BodyException">The string is not valid Unicode; the message names <paramref name="field"/>.</exception>
    internal static string Text(ref Utf8JsonReader reader, string field)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new V2BodyException($"{field}: {Runtime.Features.FeatureInput.NotUnicode.Id}: {Runtime.Features.FeatureInput.NotUnicode.Message}");
        }
    }

    private static List<string?> Outputs(ref Utf8JsonReader reader)
    {
        var outputs = new List<string?>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                outputs.Add(null);
                continue;
            }

            string? name = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                reader.Read();
                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    name = Text(ref reader, $"outputs[{outputs.Count}].name");
                }
                else
                {
                    reader.Skip();
                }
            }

            outputs.Add(name);
        }

        return outputs;
    }

    /// <summary>Reads past the end of the document, so that anything after the first value is refused as invalid JSON.</summary>
    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException($"'{reader.TokenType}' after the end of the body's object at byte {reader.TokenStartIndex}.");
        }
    }

    private static T? Skipped<T>(ref Utf8JsonReader reader)
        where T : class
    {
        reader.Skip();
        return null;
    }

    private static List<V2Tensor> Tensors(ref Utf8JsonReader reader)
    {
        var tensors = new List<V2Tensor>(32);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            tensors.Add(reader.TokenType == JsonTokenType.StartObject ? Tensor(ref reader, tensors.Count) : Skipped<V2Tensor>(ref reader) ?? new V2Tensor(null, null, null, null));
        }

        return tensors;
    }

    private static V2Tensor Tensor(ref Utf8JsonReader reader, int index)
    {
        string? name = null;
        long[]? shape = null;
        string? datatype = null;
        TensorData? data = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? Text(ref reader, $"inputs[{index}].name") : Skipped<string>(ref reader);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                reader.Read();
                shape = reader.TokenType == JsonTokenType.StartArray ? Shape(ref reader) : Skipped<long[]>(ref reader);
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                datatype = reader.TokenType == JsonTokenType.String ? Datatype(ref reader, index) : Skipped<string>(ref reader);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    data = new TensorData($"inputs[{index}].data");
                    data.ReadArray(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new V2Tensor(name, shape, datatype, data);
    }

    private static long[] Shape(ref Utf8JsonReader reader)
    {
        // Shapes have one or two dimensions: no list unless one has more than eight.
        Span<long> dimensions = stackalloc long[8];
        var count = 0;
        List<long>? more = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var dimension = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : -1;
            reader.Skip();
            if (count < dimensions.Length)
            {
                dimensions[count++] = dimension;
            }
            else
            {
                (more ??= []).Add(dimension);
            }
        }

        return more is null ? dimensions[..count].ToArray() : [.. dimensions[..count], .. more];
    }

    private static string Datatype(ref Utf8JsonReader reader, int index)
    {
        foreach (var known in s_datatypes)
        {
            if (reader.ValueTextEquals(known))
            {
                return known;
            }
        }

        return Text(ref reader, $"inputs[{index}].datatype");
    }
}
