// A device: its state, its telemetry charts with the anomaly episodes shaded, and its anomalies.
import { api, query } from './api.js';
import { anomalyTable } from './anomalies.js';
import { drawCharts } from './chart.js';
import { ago, contributors, h, time, toast } from './dom.js';

const RANGES = { '15m': 15 * 60e3, '1h': 3600e3, '6h': 6 * 3600e3, '24h': 86400e3 };

export function showDevice(view, deviceId, bus) {
  let range = '1h';
  let removeCharts = () => {};
  const info = h('p', { class: 'muted' }, 'Loading...');
  const charts = h('div', { class: 'charts' });
  const episodes = h('ul', { class: 'episodes' });
  const table = anomalyTable({ showDevice: false });
  const buttons = Object.keys(RANGES).map((r) =>
    h(
      'button',
      { type: 'button', class: r === range ? 'active' : '', onclick: () => setRange(r) },
      r,
    ),
  );
  view.append(
    h('div', { class: 'title' }, h('h2', {}, deviceId), h('div', { class: 'ranges' }, ...buttons)),
    info,
    h('section', {}, h('h3', {}, 'Telemetry'), charts, episodes),
    h('section', {}, h('h3', {}, 'Anomalies'), table.element),
  );

  function setRange(r) {
    range = r;
    buttons.forEach((b) => b.classList.toggle('active', b.textContent === r));
    void load();
  }

  async function load() {
    const to = Date.now();
    const from = to - RANGES[range];
    // raw readings for short ranges, about 720 buckets for long ones
    const every =
      range === '15m' || range === '1h' ? undefined : `${Math.round(RANGES[range] / 720 / 1000)}s`;
    const id = encodeURIComponent(deviceId);
    const [device, telemetry, page] = await Promise.all([
      api(`/api/v1/devices/${id}`),
      api(`/api/v1/devices/${id}/telemetry${query({ from, to, every })}`),
      api(`/api/v1/anomalies${query({ deviceId, limit: 200 })}`),
    ]);
    info.replaceChildren(
      h('span', { class: `dot ${device.connected ? 'on' : 'off'}` }),
      `${device.connected ? 'connected' : 'offline'} · last seen ${ago(device.lastSeen)} · profile ${device.profile ?? 'none'} · ${device.accepted.toLocaleString()} readings accepted, ${device.rejected.toLocaleString()} rejected`,
    );
    const inRange = page.items.filter((a) => !a.endedAt || Date.parse(a.endedAt) >= from);
    removeCharts();
    charts.replaceChildren();
    if (telemetry.series.length) removeCharts = drawCharts(charts, telemetry.series, inRange);
    else charts.append(h('p', { class: 'empty' }, 'No readings in this range.'));
    episodes.replaceChildren(
      ...inRange.map((a) =>
        h(
          'li',
          {},
          h('span', { class: `badge ${a.severity}` }, a.severity),
          ` ${time(a.startedAt)} – ${a.endedAt ? time(a.endedAt) : 'ongoing'}: `,
          h('strong', {}, contributors(a)),
          ` (peak ${a.peakScore.toFixed(2)})`,
        ),
      ),
    );
    table.reset(page.items);
  }

  const refresh = () => load().catch((error) => toast(error.message, 'error'));
  let pending;
  const onEvent = (e) => {
    if (e.detail.anomaly.deviceId !== deviceId) return;
    table.upsert(e.detail.anomaly, e.detail.type === 'opened');
    clearTimeout(pending);
    pending = setTimeout(refresh, 500);
  };
  bus.addEventListener('anomaly', onEvent);
  const timer = setInterval(refresh, 15000);
  refresh();
  return () => {
    clearInterval(timer);
    clearTimeout(pending);
    removeCharts();
    bus.removeEventListener('anomaly', onEvent);
  };
}
