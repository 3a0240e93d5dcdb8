namespace Mlops.Server.Ui.Html;

/// <summary>The one style sheet of the UI and the drift report (no fonts or images from elsewhere).</summary>
public static class UiStyle
{
    /// <summary>The style sheet's text.</summary>
    public const string Css = """
        :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #fff; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --none: #eaeef2; --accent: #0969da; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        nav { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: #f6f8fa; }
        nav .brand { font-weight: 700; margin-right: 1rem; }
        nav a { color: var(--accent); text-decoration: none; }
        nav a[aria-current=page] { font-weight: 700; text-decoration: underline; }
        main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
        h1 { font-size: 1.4rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.6rem 0 .6rem; }
        h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
        table { border-collapse: collapse; margin: .4rem 0 1rem; }
        th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .muted { color: var(--muted); }
        .ok { color: var(--ok); }
        .bad, .drifted { color: var(--bad); font-weight: 600; }
        .warn { color: var(--warn); }
        .badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; border: 1px solid currentColor; font-size: .85em; }
        .delta-up { color: var(--ok); }
        .delta-down { color: var(--bad); }
        form.inline { display: flex; gap: .5rem; align-items: center; margin: .4rem 0; flex-wrap: wrap; }
        svg { display: block; margin: .4rem 0; max-width: 100%; height: auto; }
        svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
        svg .cell-drifted { fill: var(--bad); }
        svg .cell-ok { fill: #8fd19e; }
        svg .cell-inconclusive { fill: #f2cc60; }
        svg .cell-none { fill: var(--none); }
        svg .series-0 { fill: #0969da; stroke: #0969da; }
        svg .series-1 { fill: #bf8700; stroke: #bf8700; }
        svg .line { fill: none; stroke-width: 2; }
        svg .axis { stroke: var(--line); }
        pre { background: #f6f8fa; padding: .6rem; overflow: auto; }
        .scroll { overflow-x: auto; max-width: 100%; }
        .nowrap { white-space: nowrap; }
        """;
}
