import 'reflect-metadata';
import { Command } from 'commander';
import { CodedException } from '@iag/contracts';
import { backtestCommand } from './commands/backtest.command';
import { evaluateCommand } from './commands/evaluate.command';
import { exportCommand } from './commands/export.command';
import { importCommand } from './commands/import.command';
import { activateCommand, listCommand } from './commands/models.command';
import { trainCommand } from './commands/train.command';
import { TrainerError } from './trainer-error';

/** The data scientists' CLI (DESIGN.md, Commands): npm run trainer -- <command> [options]. */
async function main(argv: string[]): Promise<void> {
  const program = new Command('trainer')
    .description("Train, evaluate and deploy the gateway's anomaly models")
    .showHelpAfterError('(add --help for usage)')
    .addCommand(exportCommand())
    .addCommand(trainCommand())
    .addCommand(importCommand())
    .addCommand(evaluateCommand())
    .addCommand(backtestCommand())
    .addCommand(listCommand())
    .addCommand(activateCommand());
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  // Any lib's coded error (a bad model, bad options, storage unreachable) is a message for the user.
  const known = error instanceof TrainerError || error instanceof CodedException;
  process.stderr.write(
    `error: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`,
  );
  process.exitCode = 1;
});
