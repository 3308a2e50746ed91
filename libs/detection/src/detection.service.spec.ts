import { Test } from '@nestjs/testing';
import { ConfigModule, GatewayConfig } from '@iag/config';
import { AnomalyEvent, Reading } from '@iag/contracts';
import { MAX_QUEUED_READINGS } from './detection.constants';
import { readingsUnscored } from './detection.metrics';
import { DetectionModule } from './detection.module';
import { DetectionService } from './detection.service';
import { pollUntil } from '../../../test/support/poll-until';
import { ScriptedDetector } from './testing/scripted.detector';

const T0 = Date.UTC(2026, 0, 1);
const config = GatewayConfig.fromEnv({ EPISODE_OPEN_AFTER: '1', EPISODE_CLOSE_AFTER: '2' });

/** Readings whose `score` the ScriptedDetector reports as is (its threshold sits at 1.0 of score). */
function readings(scores: number[], fromSecond = 0): Reading[] {
  return scores.map((score, i) => ({
    ts: T0 + (fromSecond + i) * 1000,
    values: { score, temp: 20 },
  }));
}

async function unscored(reason: string): Promise<number> {
  const metric = await readingsUnscored.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe(DetectionService.name, () => {
  let detector: ScriptedDetector;
  let service: DetectionService;
  let events: AnomalyEvent[];

  beforeEach(() => {
    detector = new ScriptedDetector();
    service = new DetectionService(config, detector);
    events = [];
    service.events.subscribe((event) => events.push(event));
  });

  afterEach(() => service.onModuleDestroy());

  it('scores two devices and emits their episodes in reading order', async () => {
    service.submit('dev-a', readings([0.1, 2.0, 3.0, 0.2, 0.1]));
    service.submit('dev-b', readings([1.5, 0.5, 0.4], 1));
    await service.flush();
    expect(events.map((e) => [e.type, e.anomaly.deviceId, e.anomaly.peakScore])).toEqual([
      ['opened', 'dev-a', 2],
      ['updated', 'dev-a', 3],
      ['closed', 'dev-a', 3],
      ['opened', 'dev-b', 1.5],
      ['closed', 'dev-b', 1.5],
    ]);
    expect(events[2].anomaly.endedAt).toBe(new Date(T0 + 3000).toISOString());
    expect(events[0].anomaly).toMatchObject({
      detector: 'scripted',
      modelVersion: 'test-1',
      threshold: 0.5,
    });
    expect(service.stats()).toEqual({
      queued: 0,
      scored: 8,
      openEpisodes: 0,
      detector: 'scripted',
    });
  });

  it('scores on its own within a tick, without flush()', async () => {
    service.submit('dev-a', readings([4]));
    expect(service.stats().queued).toBe(1);
    const opened = await pollUntil(
      () => events[0],
      (e) => e !== undefined,
      { timeoutMs: 1000, intervalMs: 2 },
    );
    expect(opened.type).toBe('opened');
    expect(service.stats()).toMatchObject({ queued: 0, scored: 1, openEpisodes: 1 });
  });

  it('micro-batches readings of many devices into one scoreBatch call, sorted per device', async () => {
    service.submit('dev-a', readings([0.1, 0.2], 5));
    service.submit('dev-b', readings([0.3]));
    service.submit('dev-a', readings([0.4, 0.5], 2));
    await service.flush();
    expect(detector.batches).toHaveLength(1);
    const order = detector.batches[0].map((w) => [w.deviceId, (w.reading.ts - T0) / 1000]);
    expect(order).toEqual([
      ['dev-a', 2],
      ['dev-a', 3],
      ['dev-a', 5],
      ['dev-a', 6],
      ['dev-b', 0],
    ]);
  });

  it('does not score late readings, and counts them', async () => {
    const lateBefore = await unscored('late');
    service.submit('dev-a', readings([0.1, 0.1, 0.1], 10));
    await service.flush();
    service.submit('dev-a', readings([0.1, 0.1, 0.1], 11)); // 11 and 12 were scored already: late
    service.submit('dev-a', readings([0.1, 0.1], 14)); // 14 and 15
    service.submit('dev-a', readings([0.1], 14)); // 14 twice in one batch: the second is late
    await service.flush();
    const scoredTs = detector.batches[1].map((w) => (w.reading.ts - T0) / 1000);
    expect(scoredTs).toEqual([13, 14, 15]);
    expect((await unscored('late')) - lateBefore).toBe(3);
    expect(service.stats().scored).toBe(6);
  });

  it('bounds its queue: drops the oldest readings and counts them as overload', async () => {
    const overloadBefore = await unscored('overload');
    const many = Array.from({ length: MAX_QUEUED_READINGS + 10 }, (_, i) => ({
      ts: T0 + i,
      values: { score: 0 },
    }));
    service.submit('dev-a', many.slice(0, 5));
    service.submit('dev-a', many.slice(5));
    expect(service.stats().queued).toBe(MAX_QUEUED_READINGS);
    expect((await unscored('overload')) - overloadBefore).toBe(10);
    await service.flush();
    expect(detector.batches[0][0].reading.ts).toBe(T0 + 10); // the 10 oldest never reached the detector
    expect(service.stats()).toMatchObject({ queued: 0, scored: MAX_QUEUED_READINGS });
  });

  it('forgets a revoked device: closes its episode and drops what it had queued', async () => {
    const forgottenBefore = await unscored('forgotten');
    service.submit('dev-a', readings([2.5]));
    await service.flush();
    service.submit('dev-a', readings([0.1, 0.1], 1));
    service.forgetDevice('dev-a');
    expect(events.map((e) => e.type)).toEqual(['opened', 'closed']);
    expect(events[1].anomaly.endedAt).toBe(new Date(T0).toISOString());
    expect((await unscored('forgotten')) - forgottenBefore).toBe(2);
    expect(service.stats()).toMatchObject({ queued: 0, openEpisodes: 0 });
    // Its state is gone: an older timestamp is no longer late.
    service.submit('dev-a', readings([0.1]));
    await service.flush();
    expect(service.stats().scored).toBe(2);
  });

  it('discards results of a device forgotten while its batch was being scored', async () => {
    const release = detector.hold();
    service.submit('dev-a', readings([3]));
    service.submit('dev-b', readings([3]));
    const flushed = service.flush();
    expect(detector.batches).toHaveLength(1); // in flight, held
    service.forgetDevice('dev-a');
    release();
    await flushed;
    expect(events.map((e) => e.anomaly.deviceId)).toEqual(['dev-b']);
    expect(service.stats().openEpisodes).toBe(1);
  });

  it('survives a failing detector: counts the readings and goes on', async () => {
    const errorsBefore = await unscored('error');
    detector.failNext = true;
    service.submit('dev-a', readings([0.1, 0.2]));
    await expect(service.flush()).resolves.toBeUndefined();
    expect((await unscored('error')) - errorsBefore).toBe(2);
    service.submit('dev-a', readings([5], 2));
    await service.flush();
    expect(events.map((e) => e.type)).toEqual(['opened']);
  });

  it('counts learning readings as unscored and reports readiness', async () => {
    detector = new ScriptedDetector({ learnReadings: 2 });
    service = new DetectionService(config, detector);
    const learningBefore = await unscored('learning');
    service.submit('dev-a', readings([5, 5, 0.1]));
    await service.flush();
    expect((await unscored('learning')) - learningBefore).toBe(2);
    expect(service.stats().scored).toBe(1);
    expect(service.isReady()).toBe(true);
  });

  it('is provided by DetectionModule with the multivariate and z-score detectors', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), DetectionModule],
    }).compile();
    const provided = moduleRef.get(DetectionService);
    expect(provided.stats().detector).toBe('multivariate+zscore');
    expect(provided.isReady()).toBe(true);
    await moduleRef.close();
  });
});
