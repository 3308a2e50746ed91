// The anomaly list: newest first, live, with acknowledge and resolve for operators.
import { api, query, session } from './api.js';
import { contributors, h, time, toast } from './dom.js';

/** A table of anomalies that keeps itself current: upsert() puts a live event in its place. */
export function anomalyTable({ showDevice = true } = {}) {
  const rows = new Map();
  const body = h('tbody');
  const empty = h('p', { class: 'empty' }, 'No anomalies.');
  const table = h(
    'table',
    { class: 'anomalies' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Started'),
        showDevice && h('th', {}, 'Device'),
        h('th', {}, 'Severity'),
        h('th', { class: 'num' }, 'Peak'),
        h('th', {}, 'Contributing metrics'),
        h('th', {}, 'Status'),
        h('th', {}, ''),
      ),
    ),
    body,
  );

  function row(anomaly, fresh) {
    const actions = h('td', { class: 'actions' });
    if (session.can('operator') && anomaly.status !== 'resolved') {
      if (anomaly.status === 'open') {
        actions.append(
          h(
            'button',
            { type: 'button', onclick: () => act(anomaly, 'acknowledge') },
            'Acknowledge',
          ),
        );
      }
      actions.append(
        h('button', { type: 'button', onclick: () => act(anomaly, 'resolve') }, 'Resolve'),
      );
    }
    return h(
      'tr',
      {
        dataset: { anomalyId: anomaly.id, status: anomaly.status },
        class: fresh ? 'fresh' : undefined,
      },
      h(
        'td',
        {},
        time(anomaly.startedAt),
        anomaly.endedAt ? '' : h('span', { class: 'ongoing' }, ' ongoing'),
      ),
      showDevice &&
        h(
          'td',
          {},
          h('a', { href: `#/devices/${encodeURIComponent(anomaly.deviceId)}` }, anomaly.deviceId),
        ),
      h('td', {}, h('span', { class: `badge ${anomaly.severity}` }, anomaly.severity)),
      h('td', { class: 'num' }, anomaly.peakScore.toFixed(2)),
      h('td', { class: 'metrics' }, contributors(anomaly)),
      h(
        'td',
        {},
        h('span', { class: `status ${anomaly.status}` }, anomaly.status),
        anomaly.acknowledgedBy ? ` by ${anomaly.acknowledgedBy}` : '',
      ),
      actions,
    );
  }

  async function act(anomaly, action) {
    try {
      upsert(
        await api(`/api/v1/anomalies/${encodeURIComponent(anomaly.id)}/${action}`, {
          method: 'POST',
        }),
      );
      toast(`Anomaly on ${anomaly.deviceId} ${action === 'resolve' ? 'resolved' : 'acknowledged'}`);
    } catch (error) {
      toast(
        error.status === 403 ? 'Your key may only read: ask for an operator key.' : error.message,
        'error',
      );
    }
  }

  /** Replaces the row of this anomaly, or puts a new one in time order. */
  function upsert(anomaly, fresh = false) {
    const old = rows.get(anomaly.id);
    const next = row(anomaly, fresh || old?.classList.contains('fresh'));
    rows.set(anomaly.id, next);
    if (old) old.replaceWith(next);
    else {
      const later = [...body.children].find((r) => r.dataset.started < anomaly.startedAt);
      body.insertBefore(next, later ?? null);
    }
    next.dataset.started = anomaly.startedAt;
    empty.hidden = rows.size > 0;
  }

  function reset(items) {
    rows.clear();
    body.replaceChildren();
    for (const anomaly of items) upsert(anomaly);
    empty.hidden = rows.size > 0;
  }

  return { element: h('div', {}, table, empty), upsert, reset };
}

export function showAnomalies(view, bus) {
  const filter = h(
    'select',
    { 'aria-label': 'Status', onchange: () => void load() },
    h('option', { value: '' }, 'All'),
    h('option', { value: 'open', selected: true }, 'Open'),
    h('option', { value: 'acknowledged' }, 'Acknowledged'),
    h('option', { value: 'resolved' }, 'Resolved'),
  );
  const table = anomalyTable();
  view.append(
    h(
      'section',
      {},
      h('div', { class: 'title' }, h('h2', {}, 'Anomalies'), h('label', {}, 'Status ', filter)),
      table.element,
    ),
  );

  async function load() {
    const page = await api(`/api/v1/anomalies${query({ status: filter.value, limit: 200 })}`);
    table.reset(page.items);
  }
  const onEvent = (e) => {
    const { anomaly, type } = e.detail;
    if (!filter.value || filter.value === anomaly.status) table.upsert(anomaly, type === 'opened');
  };
  const onResync = () => void load();
  bus.addEventListener('anomaly', onEvent);
  bus.addEventListener('resync', onResync);
  load().catch((error) => toast(error.message, 'error'));
  return () => {
    bus.removeEventListener('anomaly', onEvent);
    bus.removeEventListener('resync', onResync);
  };
}
