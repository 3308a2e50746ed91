import { Presets, SingleBar } from 'cli-progress';

/** A progress bar on stderr (stdout stays clean for --json and for the printed model path). */
export function fileProgress(total: number, unit: string): SingleBar {
  const bar = new SingleBar(
    {
      format: `{bar} {value}/{total} ${unit} | {item}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: false,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { item: '' });
  return bar;
}

export function epochProgress(total: number): SingleBar {
  const bar = new SingleBar(
    {
      format:
        'epoch {bar} {value}/{total} | loss {loss} | val_loss {valLoss} | ETA {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { loss: '-', valLoss: '-' });
  return bar;
}
