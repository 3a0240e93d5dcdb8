using System.Collections.Generic;
using System.Linq;
using System.Text;
using Mlops.Declarations.Digests;

namespace Mlops.Declarations.FeatureSets;

/// <summary>A versioned, named list of features: what a model is trained on and served with.</summary>
/// <param name="Name">The set's name, used in references (<c>customer@3</c>).</param>
/// <param name="Version">Its version; a published version is never edited in place.</param>
/// <param name="Entity">Optional key column (not a feature) used for sticky routing and joins.</param>
/// <param name="Description">Free text for people.</param>
/// <param name="Features">The features, in declared order.</param>
public sealed record FeatureSet(string Name, int Version, string? Entity, string? Description, IReadOnlyList<Feature> Features)
{
    /// <summary>This set as a reference.</summary>
    public FeatureSetReference Reference => new(Name, Version);

    /// <summary>The feature with this name, or null.</summary>
    public Feature? Find(string name) => Features.FirstOrDefault(f => f.Name == name);

    /// <summary>
    /// The digest of what a model depends on: each feature's name, type, nullability and, for
    /// categories, the declared values, in order. Environment files record it at promotion, so an
    /// in-place edit of a pinned version is caught. Descriptions and ranges do not change it.
    /// </summary>
    public string SchemaDigest
    {
        get
        {
            var canonical = new StringBuilder();
            foreach (var feature in Features)
            {
                canonical.Append(feature.Name).Append(':').Append(feature.Type.ToString().ToLowerInvariant())
                    .Append(feature.Nullable ? "?" : "");
                if (feature.Type == FeatureType.Category)
                {
                    canonical.Append('[').Append(string.Join("|", feature.Values)).Append(']');
                }

                canonical.Append('\n');
            }

            return Sha256Digest.OfText(canonical.ToString());
        }
    }
}
