using System.Text.Json;
using System.Text.Json.Serialization;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;

namespace Mlops.Runtime.Bundles;

/// <summary>
/// How a manifest spells its enumerations: the names the declaration files use. A manifest is
/// parsed into the enumerations once, when it is read, so nothing switches on their text later; an
/// unknown name refuses the bundle with a message naming the field.
/// </summary>
internal static class ManifestNames
{
    /// <summary>Writes and reads a model task (binary-classification, ...).</summary>
    internal sealed class TaskConverter() : NamedEnumConverter<ModelTask>(DeclarationSchemas.TaskNames, "task");

    /// <summary>Writes and reads a feature type (float, int, bool, category, text).</summary>
    internal sealed class FeatureTypeConverter() : NamedEnumConverter<FeatureType>(DeclarationSchemas.FeatureTypeNames, "feature type");

    /// <summary>Writes and reads a model format (mlnet, onnx).</summary>
    internal sealed class FormatConverter() : NamedEnumConverter<ModelFormat>(["mlnet", "onnx"], "model format");

    /// <summary>Writes and reads a feature's sensitivity (drop, hash), which manifests leave out for other features.</summary>
    internal sealed class SensitivityConverter() : OptionalNamedEnumConverter<FeatureSensitivity>(DeclarationSchemas.SensitivityNames, "sensitivity");

    /// <summary>Writes and reads an unknown-category policy (reject, ignore), which older bundles leave out.</summary>
    internal sealed class UnknownPolicyConverter() : OptionalNamedEnumConverter<UnknownCategoryPolicy>(["reject", "ignore"], "onUnknown policy");

    /// <summary>An enumeration written by name that a manifest may leave out or write as null.</summary>
    internal class OptionalNamedEnumConverter<T>(IReadOnlyList<string> names, string what) : JsonConverter<T?>
        where T : struct, Enum
    {
        private readonly NamedEnumConverter<T> _names = new(names, what);

        /// <inheritdoc/>
        public override bool HandleNull => true;

        /// <inheritdoc/>
        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : _names.Read(ref reader, typeof(T), options);

        /// <inheritdoc/>
        public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            if (value is { } named)
            {
                _names.Write(writer, named, options);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>An enumeration written by name, the names in the enumeration's order.</summary>
    internal class NamedEnumConverter<T>(IReadOnlyList<string> names, string what) : JsonConverter<T>
        where T : struct, Enum
    {
        /// <inheritdoc/>
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            for (var i = 0; i < names.Count; i++)
            {
                if (string.Equals(names[i], text, StringComparison.Ordinal))
                {
                    return (T)Enum.ToObject(typeof(T), i);
                }
            }

            // System.Text.Json adds the field's path ($.inputs[2].type) to the message.
            throw new JsonException($"'{text ?? reader.TokenType.ToString()}' is not a {what} this mlops knows ({string.Join(", ", names)}); the bundle was written by another version or altered.");
        }

        /// <inheritdoc/>
        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            var index = Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
            writer.WriteStringValue(names[index]);
        }
    }
}
