import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A line chart: x values (epoch ms when `time`), one or more series, an optional threshold and shaded spans. */
export interface LineChart {
  kind: 'lines';
  title: string;
  time: boolean;
  x: number[];
  series: { label: string; values: (number | null)[] }[];
  threshold?: number;
  /** Inclusive [from, to] x ranges drawn as shaded bands (labelled anomaly windows). */
  shaded?: [number, number][];
  logY?: boolean;
}

export interface HistogramChart {
  kind: 'histogram';
  title: string;
  /** Left edges of equal-width bins, and the count in each. */
  edges: number[];
  counts: number[];
  threshold?: number;
}

export type Chart = LineChart | HistogramChart;

export interface Report {
  title: string;
  /** Key facts, shown as a two-column table. */
  summary: Record<string, string | number>;
  /** Optional extra table (e.g. per series), first row is the header. */
  table?: (string | number)[][];
  charts: Chart[];
}

/** Equal-width histogram of values over [min, max]. */
export function histogram(
  values: ArrayLike<number>,
  bins = 40,
  cap?: number,
): { edges: number[]; counts: number[] } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = cap === undefined ? values[i] : Math.min(values[i], cap);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { edges: [], counts: [] };
  const width = max > min ? (max - min) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = cap === undefined ? values[i] : Math.min(values[i], cap);
    counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  }
  return { edges: counts.map((_, i) => min + i * width), counts };
}

/** Keeps at most `points` points, taking the maximum of each bucket (spikes stay visible). */
export function downsample(
  x: number[],
  values: ArrayLike<number>,
  points = 2000,
): { x: number[]; values: number[] } {
  if (x.length <= points) return { x, values: Array.from(values) };
  const step = x.length / points;
  const outX: number[] = [];
  const outV: number[] = [];
  for (let b = 0; b < points; b++) {
    const from = Math.floor(b * step);
    const to = Math.min(x.length, Math.floor((b + 1) * step));
    let best = from;
    for (let i = from; i < to; i++) if (values[i] > values[best]) best = i;
    outX.push(x[from]);
    outV.push(values[best]);
  }
  return { x: outX, values: outV };
}

/**
 * Writes a self-contained HTML report: uPlot (from node_modules) and the data are inlined, so
 * the file opens offline and can be mailed around. Returns the absolute path.
 */
export /** Score over time with the threshold and the labelled windows shaded, downsampled for the page. */
function scoreChart(
  title: string,
  ts: number[],
  scores: ArrayLike<number>,
  threshold: number,
  windows: readonly (readonly [number, number])[],
): Chart {
  const { x, values } = downsample(ts, scores);
  return {
    kind: 'lines',
    title,
    time: true,
    x: x.map((t) => t / 1000),
    series: [{ label: 'score', values }],
    threshold,
    shaded: windows.map(([a, b]) => [ts[a] / 1000, ts[b] / 1000] as [number, number]),
  };
}

/** The figures every evaluation report opens with, in the same words. */
export function alertFigures(s: {
  devices: number;
  readings: number;
  anomalousReadings: number;
  episodes: number;
  precision: number;
  recall: number;
  f1: number;
  falseAlarmRate: number;
  missedAlarmRate: number;
}): Record<string, string | number> {
  return {
    devices: s.devices,
    readings: s.readings,
    'anomalous readings': s.anomalousReadings,
    episodes: s.episodes,
    precision: s.precision.toFixed(4),
    recall: s.recall.toFixed(4),
    F1: s.f1.toFixed(4),
    'false-alarm rate (normal readings inside an episode)': s.falseAlarmRate.toFixed(5),
    'missed-alarm rate': s.missedAlarmRate.toFixed(4),
  };
}

/** Every device's scores one after another (the histograms of a report). */
export function allScores(devices: readonly { scores: Float64Array }[]): Float64Array {
  const all = new Float64Array(devices.reduce((n, d) => n + d.scores.length, 0));
  let offset = 0;
  for (const d of devices) {
    all.set(d.scores, offset);
    offset += d.scores.length;
  }
  return all;
}

export async function writeReport(path: string, report: Report): Promise<string> {
  const uplotDir = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const [js, css] = await Promise.all([
    readFile(resolve(uplotDir, 'uPlot.iife.min.js'), 'utf8'),
    readFile(resolve(uplotDir, 'uPlot.min.css'), 'utf8'),
  ]);
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title>
<style>${css}
body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:15px;margin:24px 0 4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.chart{margin:8px 0 24px}</style></head>
<body><h1>${escapeHtml(report.title)}</h1><div id="summary"></div><div id="charts"></div><div id="table"></div>
<script>${js}</script>
<script type="application/json" id="report-data">${data}</script>
<script>${CLIENT}</script></body></html>
`;
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, html);
  return target;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );
}

/** Runs in the browser: builds the tables and the uPlot charts from the inlined JSON. */
const CLIENT = `
const report = JSON.parse(document.getElementById('report-data').textContent);
const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); return e; };
function table(rows, header) {
  const t = el('table');
  rows.forEach((row, i) => { const tr = el('tr'); row.forEach((c) => tr.appendChild(el(header && i === 0 ? 'th' : 'td', c))); t.appendChild(tr); });
  return t;
}
document.getElementById('summary').appendChild(table(Object.entries(report.summary)));
if (report.table) { const t = document.getElementById('table'); t.appendChild(el('h2', 'Per series')); t.appendChild(table(report.table, true)); }
const width = Math.min(1100, window.innerWidth - 60);
function shade(spans) {
  return { hooks: { drawClear: [(u) => {
    const ctx = u.ctx; ctx.save(); ctx.fillStyle = 'rgba(255,120,0,0.18)';
    for (const [a, b] of spans) {
      const x0 = u.valToPos(a, 'x', true), x1 = u.valToPos(b, 'x', true);
      ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
    }
    ctx.restore();
  }] } };
}
const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
for (const chart of report.charts) {
  const box = el('div'); box.className = 'chart'; box.appendChild(el('h2', chart.title));
  document.getElementById('charts').appendChild(box);
  if (chart.kind === 'lines') {
    const data = [chart.x, ...chart.series.map((s) => s.values)];
    const series = [{}, ...chart.series.map((s, i) => ({ label: s.label, stroke: colors[i % colors.length], width: 1 }))];
    if (chart.threshold !== undefined) { data.push(chart.x.map(() => chart.threshold)); series.push({ label: 'threshold', stroke: '#000', dash: [6, 4], width: 1 }); }
    new uPlot({ width, height: 260, series, axes: [{}, { size: 70 }], scales: { x: { time: chart.time }, y: chart.logY ? { distr: 3 } : {} }, plugins: chart.shaded ? [shade(chart.shaded)] : [] }, data, box);
  } else {
    const step = chart.edges.length > 1 ? chart.edges[1] - chart.edges[0] : 1;
    const data = [chart.edges.map((e) => e + step / 2), chart.counts];
    const opts = { width, height: 220, scales: { x: { time: false } }, axes: [{}, { size: 70 }],
      series: [{}, { label: 'windows', fill: 'rgba(31,119,180,0.5)', stroke: '#1f77b4', paths: uPlot.paths.bars({ size: [0.95, 100] }) }],
      plugins: chart.threshold !== undefined ? [{ hooks: { draw: [(u) => {
        const x = u.valToPos(chart.threshold, 'x', true); const ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#d62728'; ctx.setLineDash([6, 4]);
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke(); ctx.restore(); }] } }] : [] };
    new uPlot(opts, data, box);
    if (chart.threshold !== undefined) box.appendChild(el('div', 'dashed red line: threshold ' + chart.threshold.toPrecision(4)));
  }
}
`;
