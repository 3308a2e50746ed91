import { PersistentSessions } from './persistent-sessions';

describe(PersistentSessions.name, () => {
  const HOUR = 3_600_000;
  let sessions: PersistentSessions;

  beforeEach(() => {
    sessions = new PersistentSessions({ maxPerPrincipal: 2, expiryMs: HOUR });
  });

  const connect = (clientId: string, owner: string, now = 0) => {
    const admission = sessions.admit(clientId, owner, now);
    if (admission.admitted) sessions.connected(clientId);
    return admission;
  };

  it('ends a disconnected session, and its client id ownership, after the expiry', () => {
    connect('s1', 'key:a');
    sessions.disconnected('s1', 1000);
    expect(sessions.nextExpiry()).toBe(1000 + HOUR);
    expect(sessions.expire(HOUR)).toEqual([]);
    expect(sessions.ownerOf('s1')).toBe('key:a');
    expect(sessions.expire(1000 + HOUR)).toEqual(['s1']);
    expect(sessions.ownerOf('s1')).toBeUndefined();
    expect(sessions.size).toBe(0);
    expect(sessions.nextExpiry()).toBeUndefined();
  });

  it('never expires a connected session, and restarts the clock when one comes back', () => {
    connect('s1', 'key:a');
    expect(sessions.expire(10 * HOUR)).toEqual([]);
    sessions.disconnected('s1', 0);
    connect('s1', 'key:a', HOUR - 1);
    sessions.disconnected('s1', 2 * HOUR);
    expect(sessions.expire(3 * HOUR - 1)).toEqual([]);
    expect(sessions.expire(3 * HOUR)).toEqual(['s1']);
  });

  it('expires in the order sessions left, whatever order they came in', () => {
    connect('s1', 'key:a');
    connect('s2', 'key:b');
    connect('s3', 'key:c');
    sessions.disconnected('s3', 10);
    sessions.disconnected('s1', 20);
    sessions.disconnected('s2', 30);
    expect(sessions.expire(HOUR + 25)).toEqual(['s3', 's1']);
    expect(sessions.expire(HOUR + 30)).toEqual(['s2']);
  });

  it('counts a session whose connection never completed, and lets it expire', () => {
    expect(sessions.admit('s1', 'key:a', 0)).toEqual({ admitted: true });
    expect(sessions.size).toBe(1);
    expect(sessions.expire(HOUR)).toEqual(['s1']);
  });

  it("makes room by ending the principal's least recently used disconnected session", () => {
    connect('s1', 'key:a');
    connect('s2', 'key:a');
    connect('other', 'key:b');
    sessions.disconnected('s2', 10);
    sessions.disconnected('s1', 20);
    expect(connect('s3', 'key:a', 30)).toEqual({ admitted: true, evicted: 's2' });
    expect(sessions.ownerOf('s2')).toBeUndefined();
    expect(sessions.ownerOf('s1')).toBe('key:a');
    expect(sessions.ownerOf('other')).toBe('key:b');
  });

  it('refuses a new session when every one the principal holds is connected', () => {
    connect('s1', 'key:a');
    connect('s2', 'key:a');
    expect(sessions.admit('s3', 'key:a', 0)).toEqual({ admitted: false });
    expect(sessions.ownerOf('s3')).toBeUndefined();
    expect(connect('s1', 'key:a')).toEqual({ admitted: true }); // resuming is always fine
    expect(connect('x1', 'key:b')).toEqual({ admitted: true }); // another principal is not affected
  });

  it('ends every session of a revoked principal and nothing else', () => {
    connect('s1', 'key:a');
    connect('s2', 'key:a');
    connect('other', 'key:b');
    sessions.disconnected('s2', 0);
    expect(sessions.endAllOf('key:a').sort()).toEqual(['s1', 's2']);
    expect(sessions.endAllOf('key:a')).toEqual([]);
    expect(sessions.size).toBe(1);
    expect(sessions.expire(2 * HOUR)).toEqual([]);
  });

  it('says when a session it was told is connected is no longer held', () => {
    sessions.admit('s1', 'key:a', 0);
    expect(sessions.connected('s1')).toBe(true);
    sessions.end('s1');
    expect(sessions.connected('s1')).toBe(false);
  });

  it('forgets a session a clean CONNECT discarded', () => {
    connect('s1', 'key:a');
    sessions.disconnected('s1', 0);
    expect(sessions.end('s1')).toBe(true);
    expect(sessions.end('s1')).toBe(false);
    expect(sessions.expire(2 * HOUR)).toEqual([]);
  });
});
