/** A mistake in the command line or the data it names: the CLI prints it and exits with code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
