namespace Mlops.Declarations.FeatureSets;

/// <summary>The declared type of a feature; it decides parsing, checks, encoding and the generated C# type.</summary>
public enum FeatureType
{
    /// <summary>A real number (<c>float</c> in C# and ML.NET).</summary>
    Float,

    /// <summary>A whole number; trained on as a real number.</summary>
    Int,

    /// <summary>true/false; data may write it as 1/0, true/false or yes/no.</summary>
    Bool,

    /// <summary>One of a declared list of values; one-hot or key encoded.</summary>
    Category,

    /// <summary>Free text.</summary>
    Text,
}

/// <summary>How a nullable feature's missing values are filled before training and serving.</summary>
public enum FillStrategy
{
    /// <summary>Leave missing values missing (the trainer must cope).</summary>
    None,

    /// <summary>The training data's mean.</summary>
    Mean,

    /// <summary>The training data's median.</summary>
    Median,

    /// <summary>The training data's smallest value.</summary>
    Min,

    /// <summary>The training data's largest value.</summary>
    Max,

    /// <summary>Zero.</summary>
    Zero,

    /// <summary>The training data's most frequent value.</summary>
    MostFrequent,
}

/// <summary>What serving does with a category value that is not declared.</summary>
public enum UnknownCategoryPolicy
{
    /// <summary>Refuse the request with a message naming the feature.</summary>
    Reject,

    /// <summary>Score it as "none of the known values".</summary>
    Ignore,
}

/// <summary>Where a feature's value comes from.</summary>
public enum FeatureSource
{
    /// <summary>A column of the data, and a field of the request.</summary>
    Data,

    /// <summary>Computed by a C# method marked <c>[FeatureTransform]</c>, the same in training and serving.</summary>
    Code,
}

/// <summary>What the prediction log (and anything else that keeps request values) does with a feature's value: feature values are often personal data.</summary>
/// <remarks>Ordered from least to most strict, so the stricter of two declarations is the larger.</remarks>
public enum FeatureSensitivity
{
    /// <summary>Kept as sent (the default).</summary>
    None,

    /// <summary>Replaced by <c>sha256:</c> and the hex SHA-256 of the value's UTF-8 text: equal values still match, the clear value is not kept.</summary>
    Hash,

    /// <summary>Left out: the log never holds the value.</summary>
    Drop,
}
