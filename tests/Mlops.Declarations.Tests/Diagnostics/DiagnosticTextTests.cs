using Mlops.Declarations.Diagnostics;

namespace Mlops.Declarations.Tests.Diagnostics;

/// <summary>A diagnostic echoes values from files; whatever they hold, it prints as one line of bounded length.</summary>
public sealed class DiagnosticTextTests
{
    private static readonly SourceLocation At = new("data/churn.csv", 3, 5);

    [Theory]
    [InlineData("a\nb", @"a\nb")]
    [InlineData("a\r\n::error file=x::forged", @"a\r\n::error file=x::forged")]
    [InlineData("tab\there", @"tab\there")]
    [InlineData("\u001b[2J\u001b[31mred", @"\u001B[2J\u001B[31mred")]
    [InlineData("nul\0del\u007f", @"nul\u0000del\u007F")]
    [InlineData("nel\u0085ls\u2028ps\u2029", @"nel\u0085ls\u2028ps\u2029")]
    [InlineData("bidi\u202eevil\u2066", @"bidi\u202Eevil\u2066")]
    public void Message_ControlCharacter_IsEscaped(string value, string shown)
    {
        var diagnostic = DiagnosticIds.CategoryViolation.At(At, $"value '{value}' is not declared.");

        Assert.Equal($"value '{shown}' is not declared.", diagnostic.Message);
        Assert.DoesNotContain('\n', diagnostic.ToString());
    }

    [Fact]
    public void Message_LoneSurrogate_IsEscaped()
    {
        // Not theory data: xunit's serialisation of theory rows replaces a lone surrogate.
        var diagnostic = DiagnosticIds.CategoryViolation.At(At, "lone\ud800surrogate and \udc00 too");

        Assert.Equal(@"lone\uD800surrogate and \uDC00 too", diagnostic.Message);
    }

    [Theory]
    [InlineData("Month-to-month")]
    [InlineData("Crédit carte (automatique) ✓")]
    [InlineData("emoji 😀 kept")]
    public void Message_PrintableText_IsUnchanged(string value)
    {
        var diagnostic = DiagnosticIds.CategoryViolation.At(At, $"value '{value}' is not declared.");

        Assert.Equal($"value '{value}' is not declared.", diagnostic.Message);
    }

    [Fact]
    public void Message_TenMegabyteValue_IsCutKeepingItsEndsAndTheAdvice()
    {
        var value = "A" + new string('x', 10 * 1024 * 1024) + "Z";

        var diagnostic = DiagnosticIds.CategoryViolation.At(At, $"column 'contract' holds '{value}' (line 3). Add it to 'values', or correct the data.");

        Assert.True(diagnostic.Message.Length < 400, $"{diagnostic.Message.Length} characters");
        Assert.StartsWith("column 'contract' holds 'Axxx", diagnostic.Message, StringComparison.Ordinal);
        var cut = value.Length + 2 - 160; // the quotes belong to the stretch; 120 characters are kept before the cut, 40 after
        Assert.Contains($"...[{cut:N0} characters cut]...", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("xxxZ' (line 3). Add it to 'values', or correct the data.", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_LongTextWithSpaces_IsCutToTheMaximumLength()
    {
        var words = string.Concat(Enumerable.Repeat("word ", 100_000));

        var diagnostic = DiagnosticIds.CategoryViolation.At(At, $"holds '{words}'. Correct the data.");

        Assert.InRange(diagnostic.Message.Length, DiagnosticText.MaxLength - 100, DiagnosticText.MaxLength);
        Assert.StartsWith("holds 'word word", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("word '. Correct the data.", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains(" characters cut]...", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_ValueOfExactlyTheRunLimit_IsShownWhole()
    {
        var value = new string('v', DiagnosticText.MaxRunLength);

        Assert.Equal(value, DiagnosticIds.CategoryViolation.At(At, value).Message);
        Assert.Contains("characters cut", DiagnosticIds.CategoryViolation.At(At, value + "v").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_CutNextToAnEmoji_KeepsTheSurrogatePairWhole()
    {
        var value = new string('a', 119) + string.Concat(Enumerable.Repeat("😀", 100));

        var message = DiagnosticIds.CategoryViolation.At(At, value).Message;

        Assert.All(message.Select((c, i) => (c, i)).Where(p => char.IsHighSurrogate(p.c)), p => Assert.True(char.IsLowSurrogate(message[p.i + 1])));
        Assert.All(message.Select((c, i) => (c, i)).Where(p => char.IsLowSurrogate(p.c)), p => Assert.True(char.IsHighSurrogate(message[p.i - 1])));
    }

    [Fact]
    public void With_NewMessage_IsEscapedToo()
    {
        var diagnostic = DiagnosticIds.CategoryViolation.At(At, "fine") with { Message = "two\nlines" };

        Assert.Equal(@"two\nlines", diagnostic.Message);
    }

    [Fact]
    public void ToString_PathWithALineBreak_IsEscaped()
    {
        var diagnostic = DiagnosticIds.FileUnreadable.At(new SourceLocation("features/x\n::error file=y::z.yaml", 1, 1), "cannot be read.");

        Assert.Equal(@"features/x\n::error file=y::z.yaml(1,1): error MLOPS0001: cannot be read.", diagnostic.ToString());
    }
}
