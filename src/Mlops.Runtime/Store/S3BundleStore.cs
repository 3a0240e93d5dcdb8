using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Mlops.Declarations.Digests;

namespace Mlops.Runtime.Store;

/// <summary>
/// A bundle store in an S3 bucket (Amazon S3 or any S3-compatible store): each object is the key
/// <c>&lt;prefix&gt;/sha256/&lt;64 hex&gt;</c>. A write hashes the bytes first, so the key is known before anything
/// is sent, then sends them in one conditional PUT (<c>If-None-Match: *</c>) with their SHA-256 as the object's
/// checksum: S3 makes an object visible only once all its bytes arrived and match, and never replaces one
/// already there. Every read verifies the digest before a byte reaches the destination.
/// </summary>
/// <remarks>Dispose the store to release its HTTP client.</remarks>
public sealed class S3BundleStore : IBundleStore, IRawObjectReader, IDisposable
{
    private const string NoSuchBucket = "NoSuchBucket";

    private readonly AmazonS3Client _client;

    /// <summary>Creates a store from <paramref name="options"/>; nothing is sent until the first call.</summary>
    /// <param name="options">The bucket, prefix, endpoint, region and optional credentials.</param>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">An option is invalid; the message lists every problem.</exception>
    public S3BundleStore(S3BundleStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Bucket = options.Bucket;
        Prefix = options.Prefix.Trim('/');
        Location = options.ToString();

        var config = new AmazonS3Config { AuthenticationRegion = options.Region };
        if (options.Endpoint is not null)
        {
            // S3-compatible stores answer on one host: the bucket goes in the path, not in the host name.
            config.ServiceURL = options.Endpoint.GetLeftPart(UriPartial.Authority);
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        _client = string.IsNullOrEmpty(options.AccessKeyId)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(
                string.IsNullOrEmpty(options.SessionToken)
                    ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                    : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken),
                config);
    }

    /// <summary>The bucket.</summary>
    public string Bucket { get; }

    /// <summary>The key prefix, without leading or trailing slashes; empty for none.</summary>
    public string Prefix { get; }

    /// <inheritdoc/>
    /// <remarks>The <c>s3://</c> form, without credentials, for example <c>s3://mlops/bundles?endpoint=http://127.0.0.1:9000</c>.</remarks>
    public string Location { get; }

    /// <summary>The key of the object named <paramref name="digest"/>.</summary>
    /// <param name="digest">A digest, <c>sha256:</c> followed by 64 lowercase hexadecimal digits.</param>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    public string GetObjectKey(string digest)
    {
        var hex = Sha256Digest.Hex(digest, nameof(digest), "bundle digest");
        return Prefix.Length == 0 ? $"{LocalFolderStore.ObjectsFolder}/{hex}" : $"{Prefix}/{LocalFolderStore.ObjectsFolder}/{hex}";
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A stream that cannot seek, or that is not at its start, is first spooled to a temporary file. When the
    /// object is already present (the conditional PUT answers 412 Precondition Failed) it is downloaded and
    /// verified: intact, nothing is written; corrupt, it is replaced by the new bytes.
    /// </remarks>
    /// <exception cref="BundleStoreException">The store cannot be reached, the bucket is missing, or the request is refused.</exception>
    public async Task<string> PutAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        FileStream? spool = null;
        try
        {
            Stream upload;
            string digest;
            if (content.CanSeek && content.Position == 0)
            {
                digest = await Sha256Digest.OfAsync(content, cancellationToken).ConfigureAwait(false);
                content.Position = 0;
                upload = content;
            }
            else
            {
                spool = HashingCopy.CreateSpool();
                digest = await Sha256Digest.CopyAsync(content, spool, cancellationToken).ConfigureAwait(false);
                spool.Position = 0;
                upload = spool;
            }

            var key = GetObjectKey(digest);
            await WithStoreErrorsAsync("write", key, async () =>
            {
                try
                {
                    await PutObjectAsync(key, digest, upload, ifNoneMatch: true, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict or HttpStatusCode.NotImplemented)
                {
                    // 412: an object has this key. 409: another conditional write of it is under way.
                    // 501: the store does not do conditional writes. Either way, look at what is there.
                    if (await ReadStateAsync(key, digest, cancellationToken).ConfigureAwait(false) != ObjectState.Intact)
                    {
                        // Same name, same bytes: replacing a damaged or vanished object cannot lose anything.
                        upload.Position = 0;
                        await PutObjectAsync(key, digest, upload, ifNoneMatch: false, cancellationToken).ConfigureAwait(false);
                    }
                }
            }).ConfigureAwait(false);
            return digest;
        }
        finally
        {
            if (spool is not null)
            {
                await spool.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    /// <exception cref="BundleStoreException">The store cannot be reached or the request is refused.</exception>
    public async Task<bool> ExistsAsync(string digest, CancellationToken cancellationToken = default)
    {
        var key = GetObjectKey(digest);
        return await WithStoreErrorsAsync("look up", key, async () =>
        {
            try
            {
                await _client.GetObjectMetadataAsync(Bucket, key, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != NoSuchBucket)
            {
                return false;
            }
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The object is downloaded into a temporary file while it is hashed, and copied to
    /// <paramref name="destination"/> only when the digest matches: a corrupt object writes nothing there.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="digest"/> is not a valid digest.</exception>
    /// <exception cref="BundleStoreException">The store cannot be reached, the bucket is missing, or the request is refused.</exception>
    public async Task CopyToAsync(string digest, Stream destination, CancellationToken cancellationToken = default)
    {
        GetObjectKey(digest);
        ArgumentNullException.ThrowIfNull(destination);
        await HashingCopy.VerifiedCopyAsync(this, digest, destination, Location, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    async Task IRawObjectReader.ReadRawAsync(string digest, Func<Stream, Task> read, CancellationToken cancellationToken)
    {
        var key = GetObjectKey(digest);
        await WithStoreErrorsAsync("read", key, async () =>
        {
            using var response = await GetObjectOrNullAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new BundleNotFoundException(digest, Location);
            await read(response.ResponseStream).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private enum ObjectState
    {
        Missing,
        Intact,
        Corrupt,
    }

    private async Task PutObjectAsync(string key, string digest, Stream upload, bool ifNoneMatch, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = upload,
            AutoCloseStream = false,
            ContentType = "application/octet-stream",

            // S3 checks the bytes it receives against this and refuses the upload if they differ.
            ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
            ChecksumSHA256 = Convert.ToBase64String(Convert.FromHexString(Sha256Digest.Hex(digest))),
        };
        if (ifNoneMatch)
        {
            request.IfNoneMatch = "*";
        }

        await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<GetObjectResponse?> GetObjectOrNullAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectAsync(Bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != NoSuchBucket)
        {
            return null;
        }
    }

    private async Task<ObjectState> ReadStateAsync(string key, string digest, CancellationToken cancellationToken)
    {
        using var response = await GetObjectOrNullAsync(key, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return ObjectState.Missing;
        }

        var actual = await Sha256Digest.OfAsync(response.ResponseStream, cancellationToken).ConfigureAwait(false);
        return string.Equals(actual, digest, StringComparison.Ordinal) ? ObjectState.Intact : ObjectState.Corrupt;
    }

    /// <summary>Runs a request, turning the SDK's errors about the store (not about the bundle) into a <see cref="BundleStoreException"/>.</summary>
    private async Task<T> WithStoreErrorsAsync<T>(string operation, string key, Func<Task<T>> request)
    {
        try
        {
            return await request().ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == NoSuchBucket)
        {
            throw new BundleStoreException(
                $"the S3 store at {Location} has no bucket '{Bucket}'. Create the bucket, or correct the store location (--store or {StoreLocation.EnvironmentVariable}).", e);
        }
        catch (AmazonServiceException e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new BundleStoreException(
                $"the S3 store at {Location} refused to {operation} '{key}': {(int)e.StatusCode} {e.ErrorCode}: {Sentence(e.Message)} "
                + "Check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and their permissions on the bucket.", e);
        }
        catch (AmazonServiceException e)
        {
            throw new BundleStoreException(
                $"the S3 store at {Location} failed to {operation} '{key}': {(int)e.StatusCode} {e.ErrorCode}: {Sentence(e.Message)} Check the store location and try again.", e);
        }
        catch (Exception e) when (e is AmazonClientException or HttpRequestException)
        {
            throw new BundleStoreException(
                $"the S3 store at {Location} could not {operation} '{key}': {Sentence(e.Message)} Check that the endpoint answers and that credentials are set "
                + "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE).", e);
        }
    }

    private static string Sentence(string message) => message.TrimEnd().TrimEnd('.') + ".";

    private async Task WithStoreErrorsAsync(string operation, string key, Func<Task> request) =>
        await WithStoreErrorsAsync(operation, key, async () =>
        {
            await request().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
}
