using System.Globalization;
using System.Text;

namespace Mlops.Cli.Commands.Init;

/// <summary>
/// The example data <c>mlops init</c> writes to data/customers.csv: churn-like customers drawn from a fixed
/// seed with a generator of its own (SplitMix64), so every repository and every .NET version gets the same
/// bytes, and so the same digest. Churn rises with short tenure, month-to-month contracts, high charges and
/// support calls, strongly enough that the example model's gate (AUC at least 0.75) passes.
/// </summary>
internal static class ExampleCustomers
{
    /// <summary>Where the file goes, relative to the repository root.</summary>
    public const string Path = "data/customers.csv";

    /// <summary>How many customers the file holds.</summary>
    public const int Rows = 3000;

    private const ulong Seed = 20261207;

    private static readonly string[] s_contracts = ["Month-to-month", "One year", "Two year"];
    private static readonly double[] s_contractEffect = [1.0, -0.6, -1.8];

    /// <summary>The CSV file: a header and <see cref="Rows"/> rows, LF line ends.</summary>
    public static byte[] Create()
    {
        var random = new SplitMix64(Seed);
        var csv = new StringBuilder("tenure,monthly_charges,contract,paperless_billing,support_calls,churn\n");
        for (var i = 0; i < Rows; i++)
        {
            var tenure = (int)(random.NextDouble() * 73);
            var monthly = Math.Round(20 + (random.NextDouble() * 95), 2);
            var draw = random.NextDouble();
            var contract = draw < 0.55 ? 0 : draw < 0.8 ? 1 : 2;
            var paperless = random.NextDouble() < 0.6 ? 1 : 0;
            var calls = 0;
            for (var call = 0; call < 6; call++)
            {
                calls += random.NextDouble() < 0.25 ? 1 : 0;
            }

            var logit = -0.4 - (0.06 * tenure) + (0.03 * (monthly - 65)) + s_contractEffect[contract] + (0.4 * paperless) + (0.35 * calls);
            var churn = random.NextDouble() < 1 / (1 + Math.Exp(-logit));
            csv.Append(CultureInfo.InvariantCulture, $"{tenure},{monthly:0.00},{s_contracts[contract]},{paperless},{calls},{(churn ? "Yes" : "No")}\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood): tiny, fast, and its output is fixed by its definition.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public double NextDouble()
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
