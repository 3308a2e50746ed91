import { FAULT_KINDS } from '../model/faults';
import { FaultWindow } from '../model/simulated-device';
import { DeviceSessionStats } from './device-session';

export interface FleetSummary {
  elapsedMs: number;
  devices: number;
  connected: number;
  generated: number;
  sent: number;
  acked: number;
  buffered: number;
  dropped: number;
  reconnects: number;
  faultsActive: number;
  faultsDone: number;
  errors: string[];
}

export interface FleetReport extends FleetSummary {
  faults: FaultWindow[];
}

/** An anomaly as the gateway reported it, reduced to what matching a fault needs. */
export interface ReportedAnomaly {
  deviceId: string;
  startedAt: string;
  endedAt: string | null;
  metrics: Array<{ name: string }>;
}

export function summarize(
  stats: DeviceSessionStats[],
  generated: number,
  elapsedMs: number,
  faultsActive: number,
  faultsDone: number,
): FleetSummary {
  const sum = (pick: (s: DeviceSessionStats) => number) =>
    stats.reduce((total, s) => total + pick(s), 0);
  const errors = [...new Set(stats.map((s) => s.lastError).filter((e): e is string => !!e))];
  return {
    elapsedMs,
    devices: stats.length,
    connected: stats.filter((s) => s.connected).length,
    generated,
    sent: sum((s) => s.sent),
    acked: sum((s) => s.acked),
    buffered: sum((s) => s.buffered),
    dropped: sum((s) => s.dropped),
    reconnects: sum((s) => s.reconnects),
    faultsActive,
    faultsDone,
    errors,
  };
}

/** The one-line live status. */
export function summaryLine(s: FleetSummary, anomalies?: number): string {
  const seconds = Math.max(1, s.elapsedMs / 1000);
  const parts = [
    `connected ${s.connected}/${s.devices}`,
    `readings ${s.generated} acked ${s.acked} (${(s.acked / seconds).toFixed(1)}/s)`,
    `buffered ${s.buffered}${s.dropped ? ` dropped ${s.dropped}` : ''}`,
    `reconnects ${s.reconnects}`,
    `faults ${s.faultsActive} active, ${s.faultsDone + s.faultsActive} so far`,
  ];
  if (anomalies !== undefined) parts.push(`anomalies ${anomalies}`);
  if (s.errors.length) parts.push(`last error: ${s.errors.slice(0, 2).join('; ')}`);
  return `[sim ${formatElapsed(s.elapsedMs)}] ${parts.join(' | ')}`;
}

/** A fault counts as detected when the gateway opened an anomaly on that device during it (± slack). */
export function matchFaults(
  faults: FaultWindow[],
  anomalies: ReportedAnomaly[],
  slackMs: number,
): Map<FaultWindow, ReportedAnomaly | null> {
  const result = new Map<FaultWindow, ReportedAnomaly | null>();
  for (const fault of faults) {
    const hit = anomalies.find((a) => {
      const start = Date.parse(a.startedAt);
      return (
        a.deviceId === fault.deviceId &&
        start >= fault.startTs - slackMs &&
        start <= fault.endTs + slackMs
      );
    });
    result.set(fault, hit ?? null);
  }
  return result;
}

/** The final report, as printed at the end of a run. */
export function finalReport(report: FleetReport, anomalies?: ReportedAnomaly[]): string {
  const lines = [
    '',
    `Simulation report (${formatElapsed(report.elapsedMs)})`,
    `  devices         ${report.devices} (${report.connected} connected at the end)`,
    `  readings        ${report.generated} taken, ${report.acked} acknowledged (QoS 1), ${report.buffered} still buffered, ${report.dropped} dropped`,
    `  reconnects      ${report.reconnects}`,
    `  faults injected ${report.faults.length}`,
  ];
  const matches = anomalies ? matchFaults(report.faults, anomalies, 5000) : undefined;
  for (const kind of FAULT_KINDS) {
    const ofKind = report.faults.filter((f) => f.kind === kind);
    if (!ofKind.length) continue;
    const detected = matches ? ofKind.filter((f) => matches.get(f)).length : undefined;
    lines.push(
      `    ${kind.padEnd(11)} ${ofKind.length}${detected === undefined ? '' : `, ${detected} with an anomaly opened during it`}`,
    );
  }
  if (anomalies) {
    const explained = anomalies.filter((a) =>
      report.faults.some((f) => matches?.get(f) === a),
    ).length;
    lines.push(
      `  anomalies       ${anomalies.length} opened on the fleet during the run (${explained} matched a fault)`,
    );
  }
  if (report.errors.length) lines.push(`  last errors     ${report.errors.join('; ')}`);
  return lines.join('\n');
}

function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}
