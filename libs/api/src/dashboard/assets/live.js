// The live anomaly stream. EventSource cannot send an Authorization header, so this reads the
// Server-Sent Events with fetch() and parses them; after a drop it reconnects with Last-Event-ID,
// and the gateway replays what was missed.

export function startLive({ key, onEvent, onStatus, onResync }) {
  let lastEventId;
  let stopped = false;
  let attempt = 0;
  let controller;

  async function connect() {
    controller = new AbortController();
    const headers = { authorization: `Bearer ${key}`, accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await fetch('/api/v1/anomalies/stream', {
      headers,
      signal: controller.signal,
    });
    if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
    onStatus('live');
    attempt = 0;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = {};
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split(/\r?\n/);
      buffer = lines.pop();
      for (const line of lines) event = parseLine(line, event);
    }
  }

  function parseLine(line, event) {
    if (line === '') {
      if (event.data !== undefined) dispatch(event);
      return {};
    }
    if (line.startsWith(':')) return event;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
    else if (field === 'id') event.id = value;
    else if (field === 'event') event.type = value;
    return event;
  }

  function dispatch(event) {
    if (event.id !== undefined) lastEventId = event.id;
    const data = JSON.parse(event.data);
    if (event.type === 'resync') onResync(data);
    else onEvent({ type: event.type, id: event.id, anomaly: data });
  }

  (async () => {
    while (!stopped) {
      try {
        await connect();
      } catch {
        // dropped or refused: try again below
      }
      if (stopped) return;
      onStatus('offline');
      const delay = Math.min(30000, 1000 * 2 ** attempt++) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();

  return {
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
