using System.Globalization;
using System.Text;
using Mlops.Server.Ui.Catalog;

namespace Mlops.Server.Ui.Runs;

/// <summary>One condition of a <see cref="RunFilter"/>.</summary>
/// <param name="Name">What is compared: <c>status</c>, <c>id</c>, <c>model</c>, <c>params.P</c>, <c>metrics.M</c>, or a bare parameter or metric name; null for a free word.</param>
/// <param name="Operator">One of <c>= != &gt; &gt;= &lt; &lt;= ~</c>; <c>~</c> for a free word.</param>
/// <param name="Value">The value compared with.</param>
public sealed record RunFilterTerm(string? Name, string Operator, string Value);

/// <summary>
/// The runs page's filter: every term must hold. A term is <c>NAME OP VALUE</c> (<c>trainer=lightgbm</c>,
/// <c>auc&gt;0.8</c>, <c>status!=failed</c>, <c>params.learningRate&lt;=0.1</c>, <c>contract~"One year"</c>) or a free
/// word that some parameter value, the status, the model or the run id contains. Numbers compare as numbers, other
/// values as text ignoring case; <c>~</c> means "contains". A bare name is a parameter (exact, or the last part after
/// a dot: <c>l2Regularization</c> finds <c>trainer.l2Regularization</c>) and otherwise an overall holdout metric; the
/// word <c>and</c> between terms is allowed and means nothing more. A run without the named value never matches.
/// </summary>
public sealed class RunFilter
{
    private static readonly string[] Operators = ["!=", ">=", "<=", "=", ">", "<", "~"];

    private RunFilter(IReadOnlyList<RunFilterTerm> terms, IReadOnlyList<string> errors)
    {
        Terms = terms;
        Errors = errors;
    }

    /// <summary>The terms, all of which must hold.</summary>
    public IReadOnlyList<RunFilterTerm> Terms { get; }

    /// <summary>What could not be read, one sentence each; the filter is not applied when there is any.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>True when the filter keeps every run (nothing typed, or something unreadable).</summary>
    public bool IsEmpty => Terms.Count == 0 || Errors.Count > 0;

    /// <summary>Reads a filter as typed.</summary>
    /// <param name="text">The text; null or blank keeps every run.</param>
    public static RunFilter Parse(string? text)
    {
        var tokens = Tokenize(text ?? "", out var tokenError);
        var terms = new List<RunFilterTerm>();
        var errors = new List<string>();
        if (tokenError is not null)
        {
            errors.Add(tokenError);
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            var (kind, value) = tokens[i];
            if (kind == TokenKind.Operator)
            {
                errors.Add($"'{value}' has no name before it: write NAME{value}VALUE, for example auc>0.8.");
                continue;
            }

            if (i + 1 < tokens.Count && tokens[i + 1].Kind == TokenKind.Operator)
            {
                var op = tokens[i + 1].Text;
                if (i + 2 >= tokens.Count || tokens[i + 2].Kind == TokenKind.Operator)
                {
                    errors.Add($"'{value}{op}' has no value after it: write {value}{op}VALUE (quote a value with spaces: \"One year\").");
                    i++;
                    continue;
                }

                terms.Add(new RunFilterTerm(value, op, tokens[i + 2].Text));
                i += 2;
                continue;
            }

            if (kind == TokenKind.Word && value.Equals("and", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            terms.Add(new RunFilterTerm(null, "~", value));
        }

        return new RunFilter(terms, errors);
    }

    /// <summary>The names that no run has as a parameter or metric, for a warning beside the table.</summary>
    /// <param name="runs">The runs filtered.</param>
    public IReadOnlyList<string> UnknownNames(IReadOnlyList<RunView> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return [.. Terms.Where(t => t.Name is { } name && !runs.Any(r => Lookup(r, name) is not null)).Select(t => t.Name!).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Whether the run satisfies every term.</summary>
    /// <param name="run">The run.</param>
    public bool Matches(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (IsEmpty)
        {
            return true;
        }

        foreach (var term in Terms)
        {
            if (!(term.Name is null ? ContainsWord(run, term.Value) : Holds(Lookup(run, term.Name), term.Operator, term.Value)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ContainsWord(RunView run, string word)
    {
        bool Has(string? text) => text is not null && text.Contains(word, StringComparison.OrdinalIgnoreCase);
        return Has(run.Id) || Has(run.Status) || Has(run.Model) || run.Params.Any(p => Has(p.Value)) || run.Metrics.Any(m => m.Name.Equals(word, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The run's value for a name: attribute, parameter, then overall holdout metric (as invariant text).</summary>
    private static string? Lookup(RunView run, string name)
    {
        switch (name.ToLowerInvariant())
        {
            case "status": return run.Status;
            case "id": return run.Id;
            case "model": return run.Model;
        }

        if (name.StartsWith(RunColumn.ParamPrefix, StringComparison.Ordinal))
        {
            return Param(run, name[RunColumn.ParamPrefix.Length..]);
        }

        if (name.StartsWith(RunColumn.MetricPrefix, StringComparison.Ordinal))
        {
            return Metric(run, name[RunColumn.MetricPrefix.Length..]);
        }

        return Param(run, name) ?? Metric(run, name);
    }

    private static string? Param(RunView run, string name)
    {
        if (run.Param(name) is { } exact)
        {
            return exact;
        }

        var suffix = "." + name;
        var matches = run.Params.Where(p => p.Key.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        return matches.Count == 1 ? matches[0].Value : null;
    }

    private static string? Metric(RunView run, string name) =>
        run.HoldoutMetric(name) is { } metric ? metric.Value.ToString("R", CultureInfo.InvariantCulture) : null;

    private static bool Holds(string? actual, string op, string expected)
    {
        if (actual is null)
        {
            return false;
        }

        if (op == "~")
        {
            return actual.Contains(expected, StringComparison.OrdinalIgnoreCase);
        }

        var order = RunColumn.ParseNumber(actual) is { } a && RunColumn.ParseNumber(expected) is { } e
            ? a.CompareTo(e)
            : string.Compare(actual, expected, StringComparison.OrdinalIgnoreCase);
        return op switch
        {
            "=" => order == 0,
            "!=" => order != 0,
            ">" => order > 0,
            ">=" => order >= 0,
            "<" => order < 0,
            _ => order <= 0,
        };
    }

    private enum TokenKind
    {
        Word,
        Quoted,
        Operator,
    }

    private static List<(TokenKind Kind, string Text)> Tokenize(string text, out string? error)
    {
        error = null;
        var tokens = new List<(TokenKind, string)>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    error = $"the quote at character {i + 1} is not closed: close it with another \".";
                    tokens.Add((TokenKind.Quoted, text[(i + 1)..]));
                    break;
                }

                tokens.Add((TokenKind.Quoted, text[(i + 1)..end]));
                i = end + 1;
            }
            else if (Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0) is { } op)
            {
                tokens.Add((TokenKind.Operator, op));
                i += op.Length;
            }
            else
            {
                var word = new StringBuilder();
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"' && "!=<>~".IndexOf(text[i], StringComparison.Ordinal) < 0)
                {
                    word.Append(text[i++]);
                }

                if (word.Length == 0)
                {
                    // A lone '!' (not '!='): kept as a word so the loop moves on and the term reads as text.
                    word.Append(text[i++]);
                }

                tokens.Add((TokenKind.Word, word.ToString()));
            }
        }

        return tokens;
    }
}
