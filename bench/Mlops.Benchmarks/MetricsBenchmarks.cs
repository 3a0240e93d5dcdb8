using BenchmarkDotNet.Attributes;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Serving;
using Mlops.Server.Hosting;

namespace Mlops.Benchmarks;

/// <summary>
/// What recording one answered request costs the request path (issue 14): reading the clock at the
/// start and the end, and <see cref="MlopsMetrics.RecordRequest"/> (a request counter add and a
/// duration histogram observation), with the server's Prometheus exporter listening (metrics on) and
/// with nothing listening (<c>Mlops:Metrics:Enabled=false</c>). <see cref="Series"/> is how many
/// model/version/role/route series the requests rotate over (1: one primary; 4: primary and canary on
/// both routes). The error path and a scrape are measured too.
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks
{
    private static readonly (int Version, ServedRole Role, RequestRoute Route)[] s_series =
        [(1, ServedRole.Primary, RequestRoute.V2), (2, ServedRole.Canary, RequestRoute.V2), (1, ServedRole.Primary, RequestRoute.Predict), (2, ServedRole.Canary, RequestRoute.Predict)];

    private readonly TimeProvider _time = TimeProvider.System;
    private MlopsMetrics _metrics = null!;
    private PrometheusExporter? _exporter;
    private int _next;

    /// <summary>Whether the exporter listens.</summary>
    [Params(true, false)]
    public bool Exported { get; set; }

    /// <summary>How many series the requests rotate over.</summary>
    [Params(1, 4)]
    public int Series { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new MlopsMetrics();
        _exporter = Exported ? new PrometheusExporter(_metrics) : null;
        RecordRequest();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _exporter?.Dispose();
        _metrics.Dispose();
    }

    /// <summary>One answered request: the clock twice and the recording.</summary>
    [Benchmark]
    public void RecordRequest()
    {
        var started = _time.GetTimestamp();
        var (version, role, route) = s_series[_next++ % Series];
        _metrics.RecordRequest("churn", version, role, route, _time.GetElapsedTime(started));
    }

    /// <summary>One failed request (the error counter and the request counter).</summary>
    [Benchmark]
    public void RecordError() => _metrics.RecordError("churn", RequestRoute.V2, RequestErrorKind.BadRequest);

    /// <summary>A whole scrape of the registry into memory (off the request path; for scale).</summary>
    [Benchmark]
    public long Scrape()
    {
        if (_exporter is null)
        {
            return 0;
        }

        using var stream = new MemoryStream();
        _exporter.Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return stream.Length;
    }
}
