using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Mlops.Runtime.Monitoring;
using Prometheus;
using Histogram = Prometheus.Histogram;

namespace Mlops.Server.Hosting;

/// <summary>
/// Exports one host's <see cref="MlopsMetrics"/> meter through prometheus-net, in a registry of its own:
/// a <see cref="MeterListener"/> that listens to that meter instance only (so hosts in one process never
/// see each other's series) and writes each measurement into a prometheus-net collector of the
/// matching kind. prometheus-net's own <c>MeterAdapter</c> is not used: it publishes every .NET counter
/// as a Prometheus gauge (a <c>_total</c> gauge fails <c>promtool check metrics</c>) and unpublishes a
/// series after five minutes without change, which resets a counter that counts rare events. Observable
/// gauges are read at each scrape and a label set no longer reported is removed, so a removed figure
/// disappears at once. The registry carries prometheus-net's process metrics and nothing else of its defaults.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Meter _meter;
    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);
    private readonly Lock _collect = new();
    private MetricServerMiddleware? _middleware;

    public PrometheusExporter(MlopsMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _meter = metrics.Meter;
        // Only the default registry (never exported here) gets prometheus-net's defaults; its first
        // collection would otherwise start a process-wide meter adapter that also listens to this meter.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressProcessMetrics = false, SuppressDebugMetrics = true, SuppressEventCounters = true, SuppressMeters = true });
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        foreach (var definition in MlopsMetrics.Definitions)
        {
            _families[definition.Name] = Family.Create(factory, definition);
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _meter) && _families.TryGetValue(instrument.Name, out var family))
            {
                family.Connect(instrument);
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.Start();
        Registry.AddBeforeCollectCallback(Observe);
    }

    /// <summary>The registry <c>/metrics</c> serves.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>prometheus-net's exposition (format negotiation, the text) over <see cref="Registry"/>.</summary>
    public MetricServerMiddleware Middleware => LazyInitializer.EnsureInitialized(ref _middleware,
        () => new MetricServerMiddleware(_ => Task.CompletedTask, new MetricServerMiddleware.Settings { Registry = Registry }));

    public void Dispose() => _listener.Dispose();

    /// <summary>Reads every observable instrument; gauge label sets not reported this time are removed.</summary>
    private void Observe()
    {
        lock (_collect)
        {
            foreach (var family in _families.Values)
            {
                family.BeginObservation();
            }

            _listener.RecordObservableInstruments();
            foreach (var family in _families.Values)
            {
                family.EndObservation();
            }
        }
    }

    /// <summary>
    /// The label values of one series (at most four), compared by value: the key of a family's own child
    /// cache. prometheus-net's <c>WithLabels</c> takes a reader lock and rents an array on every call;
    /// this lookup is lock-free and allocates only the first time a series is seen.
    /// </summary>
    private readonly struct SeriesKey : IEquatable<SeriesKey>
    {
        private readonly string? _a;
        private readonly string? _b;
        private readonly string? _c;
        private readonly string? _d;
        private readonly int _hash;

        public SeriesKey(string? a, string? b, string? c, string? d)
        {
            (_a, _b, _c, _d) = (a, b, c, d);
            _hash = HashCode.Combine(a, b, c, d);
        }

        public string[] Values(int count) => [.. new[] { _a, _b, _c, _d }.Take(count).Select(v => v ?? "")];

        public bool Equals(SeriesKey other) =>
            _hash == other._hash && string.Equals(_a, other._a, StringComparison.Ordinal) && string.Equals(_b, other._b, StringComparison.Ordinal)
            && string.Equals(_c, other._c, StringComparison.Ordinal) && string.Equals(_d, other._d, StringComparison.Ordinal);

        public override bool Equals(object? obj) => obj is SeriesKey other && Equals(other);

        public override int GetHashCode() => _hash;
    }

    private abstract class Family(MetricDefinition definition)
    {
        protected MetricDefinition Definition { get; } = definition;

        protected bool Observable { get; private set; }

        public static Family Create(MetricFactory factory, MetricDefinition definition)
        {
            if (definition.Labels.Count > 4)
            {
                throw new InvalidOperationException($"{definition.Name} has {definition.Labels.Count} labels; the exporter keys series by at most four.");
            }

            var labels = definition.Labels.ToArray();
            return definition.Kind switch
            {
                MetricKind.Counter => new CounterFamily(definition, factory.CreateCounter(definition.Name, definition.Help, labels)),
                MetricKind.Gauge => new GaugeFamily(definition, factory.CreateGauge(definition.Name, definition.Help, labels)),
                _ => new HistogramFamily(definition, factory.CreateHistogram(definition.Name, definition.Help, labels,
                    new HistogramConfiguration { Buckets = [.. MlopsMetrics.DurationBuckets] })),
            };
        }

        public void Connect(Instrument instrument) =>
            Observable = instrument.IsObservable;

        public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

        public virtual void BeginObservation()
        {
        }

        public virtual void EndObservation()
        {
        }

        /// <summary>The series key of a measurement's tags, in the definition's label order (the recording code passes them in that order; a different one is matched by name).</summary>
        protected SeriesKey Key(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var count = Definition.Labels.Count;
            return new SeriesKey(count > 0 ? Value(tags, 0) : null, count > 1 ? Value(tags, 1) : null, count > 2 ? Value(tags, 2) : null, count > 3 ? Value(tags, 3) : null);
        }

        /// <summary>The value of the definition's label <paramref name="index"/>.</summary>
        private string Value(ReadOnlySpan<KeyValuePair<string, object?>> tags, int index)
        {
            var label = Definition.Labels[index];
            var value = index < tags.Length && ReferenceEquals(tags[index].Key, label) ? tags[index].Value : Find(tags, label);
            return value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }

        private static object? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags, string label)
        {
            foreach (var tag in tags)
            {
                if (string.Equals(tag.Key, label, StringComparison.Ordinal))
                {
                    return tag.Value;
                }
            }

            return null;
        }
    }

    /// <summary>A family whose series only ever appear (counters, histograms): each child is found once and cached.</summary>
    private abstract class CachedFamily<TChild>(MetricDefinition definition, Collector<TChild> collector) : Family(definition)
        where TChild : ChildBase
    {
        private readonly ConcurrentDictionary<SeriesKey, TChild> _children = new();

        protected TChild Child(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = Key(tags);
            return _children.TryGetValue(key, out var child) ? child : _children.GetOrAdd(key, k => collector.WithLabels(k.Values(Definition.Labels.Count)));
        }
    }

    private sealed class CounterFamily(MetricDefinition definition, Counter counter) : CachedFamily<Counter.Child>(definition, counter)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var child = Definition.Labels.Count == 0 ? null : Child(tags);
            // An observable counter reports its running total; a counter reports increments.
            if (Observable)
            {
                if (child is null)
                {
                    counter.IncTo(value);
                }
                else
                {
                    child.IncTo(value);
                }
            }
            else if (child is null)
            {
                counter.Inc(value);
            }
            else
            {
                child.Inc(value);
            }
        }
    }

    private sealed class HistogramFamily(MetricDefinition definition, Histogram histogram) : CachedFamily<Histogram.Child>(definition, histogram)
    {
        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            Child(tags).Observe(value);
    }

    private sealed class GaugeFamily(MetricDefinition definition, Gauge gauge) : Family(definition)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var values = Key(tags).Values(Definition.Labels.Count);
            gauge.WithLabels(values).Set(value);
            _seen.Add(string.Join('\u0001', values));
        }

        public override void BeginObservation() => _seen.Clear();

        public override void EndObservation()
        {
            foreach (var values in gauge.GetAllLabelValues().ToList())
            {
                if (!_seen.Contains(string.Join('\u0001', values)))
                {
                    gauge.RemoveLabelled(values);
                }
            }
        }
    }
}
