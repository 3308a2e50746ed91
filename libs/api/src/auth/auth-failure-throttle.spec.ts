import { AuthFailureThrottle } from './auth-failure-throttle';

function throttle(limit = 20, maxGroups?: number) {
  const clock = { t: 1_000_000 };
  const subject = new AuthFailureThrottle({ limit, maxGroups, now: () => clock.t });
  return { subject, clock };
}

describe(AuthFailureThrottle.name, () => {
  it('lets a group fail `limit` times a minute, then refuses it until its window ends', () => {
    const { subject, clock } = throttle();
    for (let n = 0; n < 20; n++) {
      expect(subject.retryAfterSeconds('192.0.2.1')).toBe(0);
      subject.recordFailure('192.0.2.1');
      clock.t += 1000;
    }
    expect(subject.retryAfterSeconds('192.0.2.1')).toBe(40); // window opened 20 s ago
    clock.t += 39_500;
    expect(subject.retryAfterSeconds('192.0.2.1')).toBe(1);
    clock.t += 501;
    expect(subject.retryAfterSeconds('192.0.2.1')).toBe(0);
    subject.recordFailure('192.0.2.1'); // a new window, with one failure in it
    expect(subject.retryAfterSeconds('192.0.2.1')).toBe(0);
  });

  it('does not stretch the window with failures made while throttled', () => {
    const { subject, clock } = throttle(2);
    subject.recordFailure('g');
    subject.recordFailure('g');
    clock.t += 30_000;
    subject.recordFailure('g');
    expect(subject.retryAfterSeconds('g')).toBe(30);
  });

  it('counts each group apart', () => {
    const { subject } = throttle(1);
    subject.recordFailure('2001:db8:1:2::/64');
    expect(subject.retryAfterSeconds('2001:db8:1:2::/64')).toBeGreaterThan(0);
    expect(subject.retryAfterSeconds('2001:db8:1:3::/64')).toBe(0);
  });

  it('remembers at most maxGroups groups, forgetting the least recently failed', () => {
    const { subject } = throttle(1, 2);
    subject.recordFailure('a');
    subject.recordFailure('b');
    subject.recordFailure('c');
    expect(subject.retryAfterSeconds('a')).toBe(0);
    expect(subject.retryAfterSeconds('c')).toBeGreaterThan(0);
  });

  it('never refuses with a limit of 0', () => {
    const { subject } = throttle(0);
    for (let n = 0; n < 100; n++) subject.recordFailure('g');
    expect(subject.retryAfterSeconds('g')).toBe(0);
  });
});
