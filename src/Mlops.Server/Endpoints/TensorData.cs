using System.Text.Json;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;

namespace Mlops.Server.Endpoints;

/// <summary>
/// A tensor's values, flattened in row order and kept by JSON kind without boxing while they share
/// one: numbers (and nulls) as <see cref="double"/>s, strings (and nulls) as <see cref="string"/>s,
/// <c>true</c>/<c>false</c> as <see cref="bool"/>s. A tensor that mixes kinds, or holds objects, is
/// kept as objects (an object as its <see cref="JsonElement"/>), so that checking names each value
/// that does not fit in the words a single value gets.
/// </summary>
/// <param name="field">The body's field the values are read from (<c>inputs[2].data</c>), for messages.</param>
internal sealed class TensorData(string field)
{
    private Kind _kind = Kind.Nulls;
    private int _count;
    private double?[] _numbers = [];
    private string?[] _texts = [];
    private bool[] _bools = [];
    private object?[] _objects = [];

    private enum Kind
    {
        Nulls,
        Numbers,
        Texts,
        Bools,
        Objects,
    }

    /// <summary>How many values.</summary>
    public int Count => _count;

    /// <summary>Reads a <c>data</c> array (the reader on its start), flattening nested arrays.</summary>
    /// <exception cref="JsonException">The array is not valid JSON.</exception>
    /// <exception cref="V2BodyException">A string is not valid Unicode.</exception>
    public void ReadArray(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    ReadArray(ref reader);
                    break;
                case JsonTokenType.Number:
                    Add(ref _numbers, Kind.Numbers, reader.TryGetDouble(out var number) ? number : double.PositiveInfinity);
                    break;
                case JsonTokenType.String:
                    Add(ref _texts, Kind.Texts, V2RequestReader.Text(ref reader, $"{field}[{_count}]"));
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    Add(ref _bools, Kind.Bools, reader.TokenType == JsonTokenType.True);
                    break;
                case JsonTokenType.Null:
                    AddNull();
                    break;
                default:
                    AddObject(JsonElement.ParseValue(ref reader));
                    break;
            }
        }
    }

    /// <summary>The values as a column for a feature of <paramref name="type"/> (null: not a feature): typed when they share the kind it takes.</summary>
    public FeatureColumn Column(FeatureType? type)
    {
        return (_kind, type) switch
        {
            (Kind.Numbers, FeatureType.Float or FeatureType.Int) => FeatureColumn.Of(Exact(_numbers)),
            (Kind.Texts, FeatureType.Category or FeatureType.Text) => FeatureColumn.Of(Exact(_texts)),
            (Kind.Bools, FeatureType.Bool) => FeatureColumn.Of(Exact(_bools)),
            _ => FeatureColumn.Of(Objects()),
        };
    }

    /// <summary>The buffer itself when it holds exactly the values (always for one value), else a copy of them.</summary>
    private T[] Exact<T>(T[] buffer) => buffer.Length == _count ? buffer : buffer.AsSpan(0, _count).ToArray();

    private object?[] Objects()
    {
        var objects = new object?[_count];
        for (var i = 0; i < _count; i++)
        {
            objects[i] = Boxed(i);
        }

        return objects;
    }

    private object? Boxed(int i) => _kind switch
    {
        Kind.Numbers => _numbers[i],
        Kind.Texts => _texts[i],
        Kind.Bools => _bools[i],
        Kind.Objects => _objects[i],
        _ => null,
    };

    /// <summary>Adds a value to the typed buffer of its kind, or as an object once the kinds are mixed.</summary>
    private void Add<T>(ref T[] buffer, Kind kind, T value)
    {
        if (kind != _kind && !TakeKind(kind))
        {
            AddObject(value);
            return;
        }

        if (_count >= buffer.Length)
        {
            buffer = Grown(buffer);
        }

        buffer[_count++] = value;
    }

    private void AddNull()
    {
        switch (_kind)
        {
            case Kind.Nulls:
                // The typed buffer made for the first value that is not null starts with nulls.
                _count++;
                break;
            case Kind.Numbers:
                Add(ref _numbers, Kind.Numbers, null);
                break;
            case Kind.Texts:
                Add(ref _texts, Kind.Texts, null);
                break;
            default:
                // Bools have no null: a null among them turns the tensor into objects.
                AddObject(null);
                break;
        }
    }

    private void AddObject(object? value)
    {
        if (_kind != Kind.Objects)
        {
            _objects = Objects();
            _kind = Kind.Objects;
        }

        Add(ref _objects, Kind.Objects, value);
    }

    /// <summary>Sets the kind from the first value that is not null; false when the tensor already has another kind.</summary>
    private bool TakeKind(Kind kind)
    {
        // Bools have no null: nulls then a bool are kept as objects.
        if (_kind != Kind.Nulls || (kind == Kind.Bools && _count > 0))
        {
            return false;
        }

        _kind = kind;
        return true;
    }

    /// <summary>A larger copy of a buffer: exact for the first value (a one-row tensor is the usual one), then doubling.</summary>
    private T[] Grown<T>(T[] buffer)
    {
        var grown = new T[_count == 0 ? 1 : Math.Max(4, _count * 2)];
        buffer.AsSpan(0, Math.Min(_count, buffer.Length)).CopyTo(grown);
        return grown;
    }
}
