/** An error the CLI prints as one plain line (bad option, unreadable file) before exiting non-zero. */
export class TrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainerError';
  }
}
