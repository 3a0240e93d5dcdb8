using Mlops.Runtime.Data;
using System.Text;
using Mlops.Pipeline.Data;

namespace Mlops.Pipeline.Tests.Data;

public sealed class CsvReaderTests
{
    private static async Task<List<CsvRow>> ReadAsync(string text)
    {
        var rows = new List<CsvRow>();
        await foreach (var row in CsvReader.ReadAsync(new StringReader(text), TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task Read_QuotedAndPlainFields_UnquotesAndKeepsPositions()
    {
        var rows = await ReadAsync("a,b,c\n\"x, y\",2,\"say \"\"hi\"\"\"\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal(["x, y", "2", "say \"hi\""], rows[1].Fields);
        Assert.Equal([new CsvPosition(2, 1), new CsvPosition(2, 8), new CsvPosition(2, 10)], rows[1].Positions);
        Assert.Equal(2, rows[1].Line);
    }

    [Fact]
    public async Task Read_LineBreakInsideQuotes_StaysOneRecordAndCountsLines()
    {
        var rows = await ReadAsync("a,b\n\"two\nlines\",1\nnext,2\n");

        Assert.Equal("two\nlines", rows[1].Fields[0]);
        Assert.Equal(2, rows[1].Line);
        Assert.Equal(new CsvPosition(3, 8), rows[1].Positions[1]);
        Assert.Equal(4, rows[2].Line);
    }

    [Fact]
    public async Task Read_CrLfAndBlankLinesAndNoFinalNewLine_ReadsEveryRecord()
    {
        var rows = await ReadAsync("a,b\r\n1,2\r\n\r\n3,\r\n4,5");

        Assert.Equal([["a", "b"], ["1", "2"], ["3", ""], ["4", "5"]], rows.Select(r => r.Fields));
        Assert.Equal([1, 2, 4, 5], rows.Select(r => r.Line));
    }

    [Fact]
    public async Task Read_UnterminatedQuote_ThrowsAtTheOpeningQuote()
    {
        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync("a,b\n1,\"open\n2,3\n"));

        Assert.Equal(new CsvPosition(2, 3), error.Position);
        Assert.Contains("never ends", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_QuoteInsideUnquotedField_ThrowsAtTheQuote()
    {
        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync("a,b\n1,ab\"c\n"));

        Assert.Equal(new CsvPosition(2, 5), error.Position);
    }

    [Fact]
    public async Task Read_TextAfterClosingQuote_Throws()
    {
        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync("a\n\"x\"y\n"));

        Assert.Equal(new CsvPosition(2, 4), error.Position);
    }

    [Fact]
    public async Task Read_RecordsLongerThanTheBuffer_AreReadWhole()
    {
        var wide = new string('x', 200_000);
        var rows = await ReadAsync($"a,b\n\"{wide}\",1\n");

        Assert.Equal(wide, rows[1].Fields[0]);
        Assert.Equal("1", rows[1].Fields[1]);
    }

    [Fact]
    public async Task Read_FieldOfTheMaximumLength_IsRead()
    {
        var longest = new string('x', CsvReader.MaxFieldLength);

        var rows = await ReadAsync($"a,b\n{longest},\"{longest}\"\n");

        Assert.Equal(longest, rows[1].Fields[0]);
        Assert.Equal(longest, rows[1].Fields[1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_FieldLongerThanTheMaximum_ThrowsAtTheFieldsStart(bool quoted)
    {
        var quote = quoted ? "\"" : "";
        var tooLong = new string('x', CsvReader.MaxFieldLength + 1);

        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync($"a,b\n1,{quote}{tooLong}{quote}\n"));

        Assert.Equal(new CsvPosition(2, 3), error.Position);
        Assert.Contains("longer than 1,048,576 characters", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_UnclosedQuoteBeforeAHugeRest_ThrowsAtTheQuoteNamingTheLikelyCause()
    {
        var rest = string.Concat(Enumerable.Repeat("1,2\n", CsvReader.MaxFieldLength / 4 + 1));

        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync($"a,b\n\"open,2\n{rest}"));

        Assert.Equal(new CsvPosition(2, 1), error.Position);
        Assert.Contains("the closing quote is probably missing", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_RecordLongerThanTheMaximum_ThrowsAtItsLine()
    {
        var field = new string('x', CsvReader.MaxFieldLength);
        var record = string.Join(',', Enumerable.Repeat(field, 4)) + ",x";

        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync($"a\n1\n{record}\n"));

        Assert.Equal(new CsvPosition(3, 1), error.Position);
        Assert.Contains("longer than 4,194,304 characters", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_MaximumNumberOfFields_IsRead()
    {
        var record = string.Join(',', Enumerable.Repeat("1", CsvReader.MaxFields));

        var rows = await ReadAsync(record + "\n");

        Assert.Equal(CsvReader.MaxFields, Assert.Single(rows).Fields.Length);
    }

    [Fact]
    public async Task Read_MoreFieldsThanTheMaximum_ThrowsAtTheRecordsLine()
    {
        var record = string.Join(',', Enumerable.Repeat("1", CsvReader.MaxFields + 1));

        var error = await Assert.ThrowsAsync<CsvFormatException>(() => ReadAsync($"a\n{record}\n"));

        Assert.Equal(new CsvPosition(2, 1), error.Position);
        Assert.Contains("more than 16,384 fields", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_BlankLines_DoNotCountTowardsTheNextRecord()
    {
        var blank = new string('\n', CsvReader.MaxRecordLength + 10);

        var rows = await ReadAsync($"a,b{blank}1,2\n");

        Assert.Equal(["1", "2"], rows[1].Fields);
    }

    [Fact]
    public async Task ReadRecord_QuotedFieldWithDoubledQuotesAndALineBreak_IsOneSpanAndPositionsFollowTheLines()
    {
        await using var csv = new CsvReader(new StringReader("a,b\n\"say \"\"hi\"\"\nthere\",2\nx,3\n"));

        Assert.True(await csv.ReadRecordAsync(TestContext.Current.CancellationToken));
        Assert.True(await csv.ReadRecordAsync(TestContext.Current.CancellationToken));

        Assert.Equal(2, csv.Line);
        Assert.Equal("say \"hi\"\nthere", csv.Field(0).ToString());
        Assert.Equal("2", csv.FieldText(1));
        Assert.Equal(new CsvPosition(2, 1), csv.PositionOf(0));
        Assert.Equal(new CsvPosition(3, 8), csv.PositionOf(1));
        Assert.True(await csv.ReadRecordAsync(TestContext.Current.CancellationToken));
        Assert.Equal((4, "x"), (csv.Line, csv.FieldText(0)));
        Assert.False(await csv.ReadRecordAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, csv.FieldCount);
    }

    [Fact]
    public async Task ReadRecord_ManyRecordsAcrossBufferFills_GiveEveryFieldAndLineAsWritten()
    {
        var random = new Random(7);
        var expected = new List<(int Line, string[] Fields)>();
        var text = new StringBuilder();
        var line = 1;
        string[] pieces = ["1", "29.85", "No phone service", "a,b", "say \"hi\"", "two\nlines", "", "Fiber optic", "x\r\ny", "\""];
        while (text.Length < 1_500_000)
        {
            var fields = new string[random.Next(1, 25)];
            for (var f = 0; f < fields.Length; f++)
            {
                fields[f] = pieces[random.Next(pieces.Length)];
            }

            if (fields is [""])
            {
                fields[0] = "1"; // a record of one empty field is a blank line, which is skipped
            }

            expected.Add((line, fields));
            var record = string.Join(',', fields.Select(f => f.AsSpan().IndexOfAny(",\"\r\n") >= 0 || random.Next(4) == 0 ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f));
            text.Append(record).Append(random.Next(3) == 0 ? "\r\n" : "\n");
            line += 1 + fields.Sum(f => f.Count(c => c == '\n'));
        }

        var read = new List<(int Line, string[] Fields)>();
        await using var csv = new CsvReader(new StringReader(text.ToString()));
        while (await csv.ReadRecordAsync(TestContext.Current.CancellationToken))
        {
            do
            {
                read.Add((csv.Line, Enumerable.Range(0, csv.FieldCount).Select(csv.FieldText).ToArray()));
            }
            while (csv.TryReadBufferedRecord());
        }

        Assert.Equal(expected.Count, read.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Line, read[i].Line);
            Assert.Equal(expected[i].Fields, read[i].Fields);
        }
    }

    [Fact]
    public async Task CopyTo_Block_ReadsEachRecordAsTheReaderDid()
    {
        var text = "a,b,c\n\"x, y\",2,\"say \"\"hi\"\"\"\n\"two\r\nlines\",,3\n\n7,\"\",9";
        var block = new CsvRecordBlock(8);
        var rows = new List<CsvRow>();
        await using (var csv = new CsvReader(new StringReader(text)))
        {
            while (await csv.ReadRecordAsync(TestContext.Current.CancellationToken))
            {
                rows.Add(csv.ToRow());
                csv.CopyTo(block);
            }
        }

        Assert.Equal(rows.Count, block.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            block.MoveTo(r);
            Assert.Equal(rows[r].Line, block.Line);
            Assert.Equal(rows[r].Fields, Enumerable.Range(0, block.FieldCount).Select(block.FieldText));
            Assert.Equal(rows[r].Positions, Enumerable.Range(0, block.FieldCount).Select(block.PositionOf));
        }

        block.MoveTo(2);
        Assert.Equal((3, "two\r\nlines", new CsvPosition(4, 9)), (block.Line, block.FieldText(0), block.PositionOf(2)));
    }
}
