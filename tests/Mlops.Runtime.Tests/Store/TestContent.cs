using System.Security.Cryptography;

namespace Mlops.Runtime.Tests.Store;

/// <summary>Bundle-sized bytes and streams that misbehave on purpose.</summary>
internal static class TestContent
{
    /// <summary>Deterministic bytes, larger than one copy buffer so writes take several rounds.</summary>
    public static byte[] Bytes(int seed, int length = 300_000)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}

/// <summary>A read-only stream that cannot seek: it hands out its bytes, and can fail or cancel part of the way.</summary>
internal sealed class OneWayStream(byte[] bytes, int failAfter = int.MaxValue, Action? onFirstRead = null) : Stream
{
    private int _position;
    private Action? _onFirstRead = onFirstRead;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= failAfter)
        {
            throw new IOException("the source failed half way, as the test asked.");
        }

        var count = Math.Min(Math.Min(buffer.Length, 65_536), Math.Min(bytes.Length, failAfter) - _position);
        bytes.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        Interlocked.Exchange(ref _onFirstRead, null)?.Invoke();
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
