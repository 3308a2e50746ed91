/** One Server-Sent Event as a browser would see it. */
export interface SseEvent {
  id?: string;
  type: string;
  data: string;
}

export interface SseConnection {
  status: number;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ends the stream (or close() was called). */
  ended: Promise<void>;
  close(): void;
}

/**
 * Opens an SSE stream with fetch (which, unlike EventSource, can send an Authorization header)
 * and parses it as the WHATWG spec says: fields per line, an event per blank line.
 */
export async function openSse(
  url: string,
  options: { key?: string; lastEventId?: string } = {},
): Promise<SseConnection> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    let current: { id?: string; type?: string; data?: string[] } = {};
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let newline: number;
        while ((newline = buffer.search(/\r?\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
          if (line === '') {
            if (current.data) {
              events.push({
                id: current.id,
                type: current.type ?? 'message',
                data: current.data.join('\n'),
              });
            }
            current = {};
          } else if (line.startsWith(':')) {
            comments.push(line.slice(1).trim());
          } else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') (current.data ??= []).push(value);
            else if (field === 'id') current.id = value;
            else if (field === 'event') current.type = value;
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { status: response.status, events, comments, ended, close: () => abort.abort() };
}
