import { escapeHtml as esc } from './escape.js'

/**
 * The page shell. The Content-Security-Policy forbids every fetch and script, so the browser
 * itself guarantees the report stays self-contained (and an escaped key can never run).
 */
export function page(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    `<body>${body}</body>`,
    '</html>',
    '',
  ].join('\n')
}

// System fonts only: the page must render the same offline as online.
const CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --bg: #f8fafc; --card: #fff;
  --ok: #059669; --bad: #dc2626; --warn: #d97706; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1320px; margin: 0 auto; padding: 0 24px 40px; }
header.top { background: #0f172a; color: #f8fafc; padding: 22px 0 20px; margin-bottom: 24px; }
header.top > div { max-width: 1320px; margin: 0 auto; padding: 0 24px; }
h1 { margin: 0; font-size: 24px; font-weight: 650; letter-spacing: -0.01em; }
h1 .date { color: #93c5fd; }
header.top p { margin: 4px 0 0; color: #cbd5e1; font-size: 13px; }
h2 { font-size: 18px; margin: 32px 0 12px; }
h3 { font-size: 13px; margin: 0 0 4px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.tile .value { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .label { color: var(--muted); font-size: 12px; }
.tile.bad { border-color: #fecaca; background: #fef2f2; } .tile.bad .value { color: var(--bad); }
.tile.warn { border-color: #fde68a; background: #fffbeb; } .tile.warn .value { color: #b45309; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table { font-size: 13px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: #f1f5f9; white-space: normal; vertical-align: bottom; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
tr:last-child td { border-bottom: 0; }
tr.total td { font-weight: 650; background: #f8fafc; border-top: 2px solid var(--line); }
td a { color: inherit; font-weight: 600; text-decoration: none; } td a:hover { text-decoration: underline; }
td.key { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; white-space: normal; word-break: break-all; }
td.reason { white-space: normal; text-align: left; min-width: 260px; }
.run { display: block; color: var(--muted); font-size: 11.5px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.muted { color: var(--muted); }
.pill { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.pill.ok { background: #d1fae5; color: #065f46; } .pill.bad { background: #fee2e2; color: #991b1b; }
.pill.none { background: #e2e8f0; color: #334155; }
td.bad { color: var(--bad); font-weight: 600; } td.warn { color: #b45309; }
section.dataset { margin-top: 36px; }
section.dataset > h2 { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 4px; }
section.dataset > p { margin: 0 0 12px; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(370px, 1fr)); gap: 14px; }
.chart { display: block; width: 100%; height: auto; }
.chart text { font-size: 11.5px; fill: #475569; }
.chart .tick.today-label { font-weight: 700; fill: var(--ink); }
.chart .axis-label { font-size: 11px; fill: var(--muted); }
.chart .legend { font-size: 12px; fill: #334155; }
.chart .grid { stroke: #eef2f7; } .chart .axis { stroke: #94a3b8; }
.chart .today { fill: #eff6ff; }
.chart .gap { fill: #f1f5f9; stroke: #cbd5e1; stroke-dasharray: 3 3; }
.chart .gap-label { font-size: 10px; fill: #64748b; font-style: italic; }
.card.slowest { padding: 14px 0 0; } .card.slowest h3 { padding: 0 16px; }
.card.slowest table { margin-top: 6px; } .card.slowest th { background: none; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
`
