// Fleet overview: how many devices, how many connected, when each was last seen, open anomalies.
import { allPages, api, query } from './api.js';
import { anomalyTable } from './anomalies.js';
import { ago, h, toast } from './dom.js';

export function showFleet(view, bus) {
  const cards = h('div', { class: 'cards' });
  const devices = h('tbody');
  const open = anomalyTable();
  view.append(
    cards,
    h(
      'section',
      { class: 'stack' },
      h('div', {}, h('h2', {}, 'Open anomalies'), open.element),
      h(
        'div',
        {},
        h('h2', {}, 'Devices'),
        h(
          'table',
          { class: 'devices' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Device', 'Profile', 'Connection', 'Last seen', 'Readings', 'Open anomalies'].map(
                (t) => h('th', {}, t),
              ),
            ),
          ),
          devices,
        ),
      ),
    ),
  );

  let openItems = [];
  async function load() {
    const [fleet, page] = await Promise.all([
      allPages('/api/v1/devices'),
      api(`/api/v1/anomalies${query({ status: 'open', limit: 1000 })}`),
    ]);
    openItems = page.items;
    render(fleet);
    open.reset(openItems.slice(0, 20));
  }

  function render(fleet) {
    const openBy = new Map();
    for (const a of openItems) openBy.set(a.deviceId, (openBy.get(a.deviceId) ?? 0) + 1);
    const connected = fleet.filter((d) => d.connected).length;
    const critical = openItems.filter((a) => a.severity === 'critical').length;
    cards.replaceChildren(
      card('Devices', fleet.length),
      card('Connected', `${connected} / ${fleet.length}`),
      card('Open anomalies', openItems.length, openItems.length ? 'alert' : ''),
      card('Critical', critical, critical ? 'alert' : ''),
    );
    const sorted = [...fleet].sort(
      (a, b) => (openBy.get(b.id) ?? 0) - (openBy.get(a.id) ?? 0) || a.id.localeCompare(b.id),
    );
    devices.replaceChildren(
      ...sorted.map((d) =>
        h(
          'tr',
          { dataset: { deviceId: d.id } },
          h('td', {}, h('a', { href: `#/devices/${encodeURIComponent(d.id)}` }, d.id)),
          h('td', {}, d.profile ?? ''),
          h(
            'td',
            {},
            h('span', { class: `dot ${d.connected ? 'on' : 'off'}` }),
            d.connected ? 'connected' : 'offline',
          ),
          h('td', { title: d.lastSeen ?? '' }, ago(d.lastSeen)),
          h('td', { class: 'num' }, d.accepted.toLocaleString()),
          h(
            'td',
            { class: 'num' },
            openBy.get(d.id) ? h('span', { class: 'badge warning' }, openBy.get(d.id)) : '0',
          ),
        ),
      ),
    );
  }

  const refresh = () => load().catch((error) => toast(error.message, 'error'));
  let pending;
  const onEvent = (e) => {
    if (e.detail.type === 'opened') open.upsert(e.detail.anomaly, true);
    clearTimeout(pending);
    pending = setTimeout(refresh, 500); // a burst of events costs one reload
  };
  bus.addEventListener('anomaly', onEvent);
  bus.addEventListener('resync', refresh);
  const timer = setInterval(refresh, 10000); // connection state and last seen
  refresh();
  return () => {
    clearInterval(timer);
    clearTimeout(pending);
    bus.removeEventListener('anomaly', onEvent);
    bus.removeEventListener('resync', refresh);
  };
}

function card(label, value, kind = '') {
  return h(
    'div',
    { class: `card ${kind}` },
    h('div', { class: 'value' }, value),
    h('div', { class: 'label' }, label),
  );
}
