import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PublishHooks } from '../hooks/publish.hooks';
import type { TelemetryAdmission } from '../hooks/telemetry-admission';
import type { TelemetryAudience } from '../hooks/telemetry-audience';
import { withSlicedReads } from './read-slicer';
import { TelemetryLane } from './telemetry-lane';
import { InstalledVersions, installedVersions, mismatchOf } from './written-for';

export type ConnectionHandler = (conn: Duplex, req?: IncomingMessage) => void;

export interface FastPathParts {
  hooks: PublishHooks;
  admission: TelemetryAdmission;
  audience: TelemetryAudience;
}

/**
 * Everything of the broker that reaches inside aedes and mqtt-packet, behind one entry point: the
 * bounded read slices aedes is fed (read-slicer.ts) and the telemetry lane in front of aedes's
 * per-packet handling (telemetry-lane.ts), which writes its own PUBACKs. Made once per broker; it
 * checks that the installed aedes and mqtt-packet are the releases it was written for and otherwise
 * stays out of the way: every connection is then plain aedes, slower under load but correct, and
 * `fallbackReason` says why (the broker logs it as a warning).
 */
export class FastPath {
  private constructor(
    private readonly lane: TelemetryLane | null,
    readonly fallbackReason: string | null,
  ) {}

  static create(parts: FastPathParts, installed: InstalledVersions = installedVersions()) {
    const mismatch = mismatchOf(installed);
    if (mismatch !== null) return new FastPath(null, mismatch);
    return new FastPath(new TelemetryLane(parts.hooks, parts.admission, parts.audience), null);
  }

  get enabled(): boolean {
    return this.lane !== null;
  }

  /** aedes's connection handler, fed bounded read slices when the fast path is on. */
  wrap(handle: ConnectionHandler): ConnectionHandler {
    return this.lane ? withSlicedReads(handle) : handle;
  }

  /** Puts the telemetry lane in front of aedes's handling of a connection aedes just took. */
  attach(conn: Duplex): void {
    this.lane?.attach(conn);
  }
}
