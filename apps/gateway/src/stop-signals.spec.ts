import { SIGNAL_ECHO_MS, StopSignals } from './stop-signals';

describe(StopSignals.name, () => {
  it('stops on the first signal and takes its echoes for the same request', () => {
    const signals = new StopSignals();
    expect(signals.receive(10_000)).toBe('stop');
    expect(signals.receive(10_000)).toBe('echo'); // the process group's copy
    expect(signals.receive(10_003)).toBe('echo'); // the bootstrap's forwarded copy
    expect(signals.receive(10_000 + SIGNAL_ECHO_MS - 1)).toBe('echo');
  });

  it('forces on a signal that comes later, and on every one after it', () => {
    const signals = new StopSignals();
    signals.receive(0);
    expect(signals.receive(SIGNAL_ECHO_MS)).toBe('force');
    expect(signals.receive(SIGNAL_ECHO_MS + 1)).toBe('force');
  });
});
