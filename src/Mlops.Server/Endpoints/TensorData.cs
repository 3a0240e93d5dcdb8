using System.Text.Json;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Endpoints;

/// <summary>
/// A tensor's values, flattened in row order and kept by JSON kind without boxing while they share
/// one: numbers (and nulls) as <see cref="double"/>s, strings (and nulls) as <see cref="string"/>s,
/// <c>true</c>/<c>false</c> as <see cref="bool"/>s. A tensor that mixes kinds, or holds objects, is
/// kept as objects (an object as its <see cref="JsonElement"/>), so that checking names each value
/// that does not fit in the words a single value gets.
/// </summary>
internal sealed class TensorData
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
                    AddNumber(reader.TryGetDouble(out var number) ? number : double.NaN);
                    break;
                case JsonTokenType.String:
                    AddText(reader.GetString());
                    break;
                case JsonTokenType.True or JsonTokenType.False:
                    AddBool(reader.TokenType == JsonTokenType.True);
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

    private void AddNumber(double value)
    {
        if (!Fits(Kind.Numbers))
        {
            AddObject(value);
            return;
        }

        EnsureRoom();
        _numbers[_count++] = value;
    }

    private void AddText(string? value)
    {
        if (!Fits(Kind.Texts))
        {
            AddObject(value);
            return;
        }

        EnsureRoom();
        _texts[_count++] = value;
    }

    private void AddBool(bool value)
    {
        if (!Fits(Kind.Bools))
        {
            AddObject(value);
            return;
        }

        EnsureRoom();
        _bools[_count++] = value;
    }

    private void AddNull()
    {
        if (!Fits(Kind.Nulls))
        {
            AddObject(null);
            return;
        }

        // A typed slot's default is already null.
        EnsureRoom();
        _count++;
    }

    private void AddObject(object? value)
    {
        if (_kind != Kind.Objects)
        {
            _objects = Objects();
            _kind = Kind.Objects;
        }

        EnsureRoom();
        _objects[_count++] = value;
    }

    /// <summary>Whether a value of <paramref name="kind"/> can be kept typed; the first value that is not null sets the kind.</summary>
    private bool Fits(Kind kind)
    {
        if (kind == _kind)
        {
            return true;
        }

        if (_kind == Kind.Nulls)
        {
            // Bools have no null: nulls then a bool are kept as objects.
            if (kind == Kind.Bools && _count > 0)
            {
                return false;
            }

            _kind = kind;
            return true;
        }

        return kind == Kind.Nulls && _kind is Kind.Numbers or Kind.Texts;
    }

    private void EnsureRoom()
    {
        if (_count >= Capacity)
        {
            Grow();
        }
    }

    private int Capacity => _kind switch
    {
        Kind.Numbers => _numbers.Length,
        Kind.Texts => _texts.Length,
        Kind.Bools => _bools.Length,
        Kind.Objects => _objects.Length,
        _ => int.MaxValue,
    };

    private void Grow()
    {
        // One value is the usual tensor (a single-row request): start exact, then double.
        var size = _count == 0 ? 1 : Math.Max(4, _count * 2);
        switch (_kind)
        {
            case Kind.Numbers: _numbers = Grown(_numbers, size); break;
            case Kind.Texts: _texts = Grown(_texts, size); break;
            case Kind.Bools: _bools = Grown(_bools, size); break;
            case Kind.Objects: _objects = Grown(_objects, size); break;
        }
    }

    private T[] Grown<T>(T[] buffer, int size)
    {
        var grown = new T[size];
        buffer.AsSpan(0, Math.Min(_count, buffer.Length)).CopyTo(grown);
        return grown;
    }
}
