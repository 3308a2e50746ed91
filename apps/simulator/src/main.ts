import { runExport } from './run-export';
import { runLive } from './run-live';
import { SimulatorOptions, simulatorCommand } from './simulator-cli';

async function main(): Promise<void> {
  const command = simulatorCommand().parse(process.argv);
  const options = command.opts<SimulatorOptions>();
  if (options.csv) await runExport(options, process.stdout);
  else await runLive(options, process.stdout);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`simulate: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
