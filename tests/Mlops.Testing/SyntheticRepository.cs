using System.Globalization;
using System.Text;

namespace Mlops.Testing;

/// <summary>Repositories whose data a test generates: models the tool has never seen, trained with no code.</summary>
public static class SyntheticRepository
{
    public static string Digest(TempDirectory repository, string path)
    {
        using var stream = File.OpenRead(repository.Combine(path));
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Sets the digest of models/points.yaml to data/points.csv's current sha256.</summary>
    public static void RefreshDigest(TempDirectory repository)
    {
        var model = repository.Read("models/points.yaml");
        var start = model.IndexOf("sha256:", StringComparison.Ordinal);
        var digest = Digest(repository, "data/points.csv");
        repository.Write("models/points.yaml", model[..start] + digest + model[(start + digest.Length)..]);
    }

    /// <summary>
    /// A synthetic repository: feature set <c>points@1</c> (x, y, a nullable z filled with the median, a
    /// colour category, a flag), 300 rows with an hourly ISO 8601 <c>when</c> column (not a feature), and one model of the task asked for.
    /// Multiclass labels are the quadrant of (x, y); the regression label is 3x - 2y + colour effect + noise.
    /// </summary>
    public static TempDirectory Create(string task, string trainer, string extraModelYaml = "", int rows = 300)
    {
        var repository = new TempDirectory("mlops-training");
        repository.Write("features/points.yaml", """
            featureSet: points
            version: 1
            features:
              - { name: x, type: float }
              - { name: y, type: float }
              - { name: z, type: float, nullable: true, fill: median }
              - { name: colour, type: category, values: [red, green, blue], nullable: true, fill: mostFrequent }
              - { name: flag, type: bool }
            """);
        var random = new Random(7);
        var csv = new StringBuilder("when,x,y,z,colour,flag,label\n");
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        string[] colours = ["red", "green", "blue"];
        for (var i = 0; i < rows; i++)
        {
            var x = (random.NextDouble() * 2) - 1;
            var y = (random.NextDouble() * 2) - 1;
            var z = i % 10 == 0 ? "" : F(random.NextDouble());
            var colour = i % 17 == 0 ? "" : colours[random.Next(3)];
            var flag = random.Next(2);
            var label = task switch
            {
                "multiclass-classification" => x >= 0 ? (y >= 0 ? "north-east" : "south-east") : (y >= 0 ? "north-west" : "south-west"),
                "binary-classification" => x + y + (flag * 0.3) > 0 ? "yes" : "no",
                _ => F((3 * x) - (2 * y) + (colour == "red" ? 1 : 0) + ((random.NextDouble() - 0.5) * 0.2)),
            };
            csv.Append(CultureInfo.InvariantCulture, $"{start.AddHours(i):yyyy-MM-ddTHH:mm:ssZ},{F(x)},{F(y)},{z},{colour},{flag},{label}\n");
        }

        repository.Write("data/points.csv", csv.ToString());
        var positive = task == "binary-classification" ? ", positive: \"yes\"" : "";
        repository.Write("models/points.yaml", $$"""
            model: points
            task: {{task}}
            featureSet: points@1
            label: { column: label{{positive}} }
            data:
              path: data/points.csv
              digest: {{Digest(repository, "data/points.csv")}}
              split: { holdout: 0.25, seed: 3 }
            trainer:
              name: {{trainer}}
              seed: 5
            slices: [colour, flag]
            {{extraModelYaml}}
            """);
        return repository;
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
