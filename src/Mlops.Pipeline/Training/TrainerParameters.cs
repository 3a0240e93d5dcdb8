using System.Globalization;
using System.Reflection;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Training;

/// <summary>One option of a trainer that <c>trainer.params</c> can set.</summary>
/// <param name="Name">The name in the model file: the ML.NET member name in camelCase.</param>
/// <param name="Member">The public field or property.</param>
/// <param name="ValueType">The member's type without <see cref="Nullable{T}"/>.</param>
/// <param name="IsNullable">Whether null is allowed.</param>
internal sealed record TrainerOption(string Name, MemberInfo Member, Type ValueType, bool IsNullable)
{
    public object? Get(object options) => Member is FieldInfo f ? f.GetValue(options) : ((PropertyInfo)Member).GetValue(options);

    public void Set(object options, object? value)
    {
        if (Member is FieldInfo field)
        {
            field.SetValue(options, value);
        }
        else
        {
            ((PropertyInfo)Member).SetValue(options, value);
        }
    }
}

/// <summary>
/// Maps <c>trainer.params</c> onto a trainer's options object by name (ignoring case): scalar public
/// fields and properties only (numbers, bools, strings, enums); the column-name options are the
/// framework's. Checks the ranges ML.NET only finds at fit time, or in native code.
/// </summary>
internal static class TrainerParameters
{
    private static readonly HashSet<string> s_frameworkOwned = new(StringComparer.OrdinalIgnoreCase)
    {
        "LabelColumnName", "FeatureColumnName", "ExampleWeightColumnName", "RowGroupColumnName", "SamplingKeyColumnName",
    };

    /// <summary>Lower bounds some options need, checked before fitting; ML.NET checks the rest when the trainer is built.</summary>
    private static readonly Dictionary<string, (double Bound, bool Inclusive)> s_lowerBounds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["numberOfLeaves"] = (2, true),
        ["learningRate"] = (0, false),
        ["numberOfIterations"] = (1, true),
        ["numberOfTrees"] = (1, true),
        ["minimumExampleCountPerLeaf"] = (1, true),
        ["maximumBinCountPerFeature"] = (2, true),
        ["numberOfThreads"] = (1, true),
        ["l1Regularization"] = (0, true),
        ["l2Regularization"] = (0, true),
        ["featureFraction"] = (0, false),
        ["baggingExampleFraction"] = (0, false),
        ["maximumNumberOfIterations"] = (1, true),
    };

    private static readonly Dictionary<string, double> s_upperBounds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["featureFraction"] = 1,
        ["baggingExampleFraction"] = 1,
    };

    public static IReadOnlyList<TrainerOption> OptionsOf(Type optionsType)
    {
        var options = new List<TrainerOption>();
        foreach (var member in optionsType.GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            var (type, writable) = member switch
            {
                FieldInfo f => (f.FieldType, !f.IsInitOnly),
                PropertyInfo p => (p.PropertyType, p.CanWrite && p.GetIndexParameters().Length == 0),
                _ => (typeof(void), false),
            };
            if (!writable || s_frameworkOwned.Contains(member.Name))
            {
                continue;
            }

            var underlying = Nullable.GetUnderlyingType(type);
            var valueType = underlying ?? type;
            if (valueType.IsEnum || valueType == typeof(int) || valueType == typeof(long) || valueType == typeof(float)
                || valueType == typeof(double) || valueType == typeof(bool) || valueType == typeof(string))
            {
                options.Add(new TrainerOption(CamelCase(member.Name), member, valueType, underlying is not null || !valueType.IsValueType));
            }
        }

        return [.. options.OrderBy(o => o.Name, StringComparer.Ordinal)];
    }

    /// <summary>Creates the options with the framework's columns and defaults (<see cref="TrainerInfo.Defaults"/>), then applies <c>trainer.params</c>.</summary>
    public static object Bind(TrainerDefinition trainer, Declared<ModelSpec> model, List<Diagnostic> errors)
    {
        var options = trainer.CreateOptions();
        var all = OptionsOf(trainer.Info.OptionsType);
        SetMember(options, "LabelColumnName", ModelColumns.Label);
        SetMember(options, "FeatureColumnName", ModelColumns.Features);

        foreach (var (name, text) in trainer.Info.Defaults)
        {
            var option = all.Single(o => o.Name == name);
            var kind = option.ValueType == typeof(int) || option.ValueType == typeof(long) ? ScalarValueKind.Integer : ScalarValueKind.Number;
            if (!Convert(option, new ScalarValue(text, kind), out var value, out _))
            {
                throw new InvalidOperationException($"The catalog's default {name} = {text} for trainer '{trainer.Info.Name}' does not convert.");
            }

            option.Set(options, value);
        }

        foreach (var (key, value) in model.Value.Trainer.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var at = model.Map[$"trainer.params.{key}"];
            var option = all.FirstOrDefault(o => string.Equals(o.Name, key, StringComparison.OrdinalIgnoreCase));
            if (option is null)
            {
                var suggestion = Suggestions.Nearest(key, all.Select(o => o.Name));
                var valid = string.Join(", ", all.Select(o => o.Name).OrderBy(n => suggestion is not null && n == suggestion ? 0 : 1).ThenBy(n => n, StringComparer.Ordinal));
                errors.Add(TrainingDiagnostics.UnknownParameter.At(at,
                    $"trainer '{trainer.Info.Name}' has no parameter '{key}'."
                    + (suggestion is null ? "" : $" Did you mean '{suggestion}'?")
                    + $" Its parameters are: {valid}."));
                continue;
            }

            if (Convert(option, value, out var converted, out var expected) is false)
            {
                errors.Add(TrainingDiagnostics.InvalidParameter.At(at,
                    $"parameter '{key}' of trainer '{trainer.Info.Name}' takes {expected}, not '{value.Text}'. Correct the value."));
                continue;
            }

            if (OutOfRange(option.Name, converted) is { } range)
            {
                errors.Add(TrainingDiagnostics.InvalidParameter.At(at,
                    $"parameter '{key}' of trainer '{trainer.Info.Name}' is {value.Text}, but it must be {range}. Correct the value."));
                continue;
            }

            option.Set(options, converted);
        }

        return options;
    }

    /// <summary>Every option's value after defaults and parameters, invariant text, by name.</summary>
    public static IReadOnlyDictionary<string, string> Effective(object options)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in OptionsOf(options.GetType()))
        {
            result[option.Name] = option.Get(options) switch
            {
                null => "null",
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "null",
            };
        }

        return result;
    }

    /// <summary>The declared parameter an ML.NET option name belongs to, if the model file sets it.</summary>
    public static string? DeclaredKey(Declared<ModelSpec> model, string? optionName) =>
        optionName is null ? null : model.Value.Trainer.Params.Keys.FirstOrDefault(k => string.Equals(k, optionName, StringComparison.OrdinalIgnoreCase));

    private static bool Convert(TrainerOption option, ScalarValue value, out object? converted, out string expected)
    {
        var type = option.ValueType;
        converted = null;
        expected = type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type))
            : type == typeof(bool) ? "true or false"
            : type == typeof(string) ? "text"
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : "a number";
        if (value.Kind == ScalarValueKind.Null)
        {
            return option.IsNullable;
        }

        if (type == typeof(string))
        {
            converted = value.Text;
            return true;
        }

        if (type == typeof(bool))
        {
            converted = value.AsBoolean();
            return converted is not null;
        }

        if (type.IsEnum)
        {
            var name = Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, value.Text, StringComparison.OrdinalIgnoreCase));
            converted = name is null ? null : Enum.Parse(type, name);
            return converted is not null;
        }

        if (value.AsNumber() is not { } number)
        {
            return false;
        }

        if (type == typeof(int) || type == typeof(long))
        {
            if (Math.Floor(number) != number || number < (type == typeof(int) ? int.MinValue : long.MinValue) || number > (type == typeof(int) ? int.MaxValue : long.MaxValue))
            {
                return false;
            }

            converted = type == typeof(int) ? (object)(int)number : (long)number;
            return true;
        }

        converted = type == typeof(float) ? (object)(float)number : number;
        return true;
    }

    private static string? OutOfRange(string name, object? value)
    {
        if (value is null || value is bool || value is string || value.GetType().IsEnum)
        {
            return null;
        }

        var number = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
        var text = new List<string>();
        var bad = false;
        if (s_lowerBounds.TryGetValue(name, out var lower))
        {
            bad |= lower.Inclusive ? number < lower.Bound : number <= lower.Bound;
            text.Add((lower.Inclusive ? "at least " : "above ") + lower.Bound.ToString(CultureInfo.InvariantCulture));
        }

        if (s_upperBounds.TryGetValue(name, out var upper))
        {
            bad |= number > upper;
            text.Add("at most " + upper.ToString(CultureInfo.InvariantCulture));
        }

        return bad ? string.Join(" and ", text) : null;
    }

    private static void SetMember(object options, string name, object value)
    {
        var member = options.GetType().GetMember(name, BindingFlags.Public | BindingFlags.Instance).FirstOrDefault();
        switch (member)
        {
            case FieldInfo field:
                field.SetValue(options, value);
                break;
            case PropertyInfo property:
                property.SetValue(options, value);
                break;
        }
    }

    private static string CamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
