import { ReplayDevice } from '@iag/detection-lab';
import { basename, extname } from 'node:path';
import { readCsvSeries } from '../data/csv-series';
import { TrainerError } from '../trainer-error';

export interface BacktestCsvOptions {
  delimiter: string;
  timeColumn?: string;
  deviceColumn?: string;
  labelColumn: string;
  /** The profile every device was provisioned with (picks its model), or null. */
  profile: string | null;
}

/**
 * Devices from labelled CSV files: one device per file named after it (`pump-7.csv` is pump-7),
 * or several per file by a device column. A device id in two files is refused.
 */
export async function readBacktestDevices(
  files: string[],
  options: BacktestCsvOptions,
): Promise<ReplayDevice[]> {
  const devices: ReplayDevice[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const data = await readCsvSeries(file, {
      delimiter: options.delimiter,
      timeColumn: options.timeColumn,
      deviceColumn: options.deviceColumn,
      labelColumn: options.labelColumn,
      requireLabel: false,
    });
    const single = data.series.length === 1 && data.series[0].deviceId === 'csv';
    for (const series of data.series) {
      const deviceId = single ? basename(file, extname(file)) : series.deviceId;
      if (seen.has(deviceId)) {
        throw new TrainerError(`device ${deviceId} appears in more than one file (${file})`);
      }
      seen.add(deviceId);
      devices.push({
        deviceId,
        profile: options.profile,
        readings: series.readings,
        labels: series.labels,
      });
    }
  }
  if (devices.length === 0) throw new TrainerError('no readings in the given files');
  return devices;
}
