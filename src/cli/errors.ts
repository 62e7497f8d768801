// A user-facing CLI failure: printed as one line, exit status 2 for usage, 1 otherwise.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
