using System.Collections.Concurrent;
using System.Security.Cryptography;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Tests.Registry;

/// <summary>
/// A content-addressed store in memory: enough for the registry and promotion tests, which only ask whether a
/// digest is present. The real backends have their own tests under Store/.
/// </summary>
internal sealed class InMemoryBundleStore : IBundleStore
{
    private readonly ConcurrentDictionary<string, byte[]> _objects = new(StringComparer.Ordinal);

    public string Location => "memory://test";

    /// <summary>Makes a digest present, as if its bundle had been pushed.</summary>
    public void Add(string digest) => _objects[digest] = [];

    /// <summary>Stores the bytes and returns their digest.</summary>
    public string Put(string content)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(content);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        _objects[digest] = bytes;
        return digest;
    }

    public async Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
        _objects[digest] = buffer.ToArray();
        return digest;
    }

    public Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken = default) => Task.FromResult(_objects.ContainsKey(digest));

    public async Task CopyToAsync(string digest, Stream destination, CancellationToken cancellationToken = default)
    {
        if (!_objects.TryGetValue(digest, out var bytes))
        {
            throw new BundleNotFoundException(digest, Location);
        }

        await destination.WriteAsync(bytes, cancellationToken);
    }
}
