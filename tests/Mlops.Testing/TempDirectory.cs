using System.Text;

namespace Mlops.Testing;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "mlops-tests")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of a repository-relative path (forward slashes).</summary>
    public string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>Writes a file at a repository-relative path, creating its folders.</summary>
    public string Write(string relativePath, string text) => Write(relativePath, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes a file at a repository-relative path, creating its folders.</summary>
    public string Write(string relativePath, byte[] bytes)
    {
        var full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return full;
    }

    public string Read(string relativePath) => File.ReadAllText(Combine(relativePath));

    /// <summary>Replaces the first occurrence of <paramref name="from"/> in a file; fails the test if it is absent.</summary>
    public void Replace(string relativePath, string from, string to)
    {
        var text = Read(relativePath);
        var index = text.IndexOf(from, StringComparison.Ordinal);
        if (index < 0)
        {
            throw new InvalidOperationException($"'{from}' is not in {relativePath}; the test's corruption no longer applies.");
        }

        Write(relativePath, text[..index] + to + text[(index + from.Length)..]);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail a test.
        }
    }
}
