/** How long after the first stop signal another one is taken for the same request. */
export const SIGNAL_ECHO_MS = 1000;

export type StopDecision = 'stop' | 'echo' | 'force';

/**
 * What a SIGINT or SIGTERM asks for. The first starts the graceful stop. In a terminal one
 * Ctrl-C arrives more than once: the terminal signals the whole process group (npm, the
 * bootstrap, the gateway) and the bootstrap forwards its own copy, as a supervisor that only
 * signals its child needs it to; a service manager that signals every process of the service
 * does the same. So a signal within SIGNAL_ECHO_MS of the first is that request again, and only
 * a later one (the user pressing Ctrl-C again) means: exit without waiting.
 */
export class StopSignals {
  private firstAt: number | undefined;

  constructor(private readonly echoMs = SIGNAL_ECHO_MS) {}

  receive(now: number): StopDecision {
    if (this.firstAt === undefined) {
      this.firstAt = now;
      return 'stop';
    }
    return now - this.firstAt < this.echoMs ? 'echo' : 'force';
  }
}
