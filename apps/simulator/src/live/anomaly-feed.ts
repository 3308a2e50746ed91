import { GatewayRestClient } from './provisioner';
import { ReportedAnomaly } from './fleet-report';

/** The anomalies the gateway opened on the simulated fleet since `fromMs` (up to `max`). */
export async function fetchFleetAnomalies(
  rest: GatewayRestClient,
  ids: Set<string>,
  fromMs: number,
  max = 5000,
): Promise<ReportedAnomaly[]> {
  const found: ReportedAnomaly[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ from: String(fromMs), limit: '1000' });
    if (cursor) query.set('cursor', cursor);
    const page = await rest.request<{ items: ReportedAnomaly[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/anomalies?${query}`,
    );
    if (page.status !== 200) throw new Error(`GET /api/v1/anomalies answered ${page.status}`);
    found.push(...page.body.items.filter((a) => ids.has(a.deviceId)));
    cursor = page.body.nextCursor;
  } while (cursor && found.length < max);
  return found;
}
