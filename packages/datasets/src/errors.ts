/** Error raised for bad data or unreadable files; `details` carries the facts named in the message. */
export class DatasetError extends Error {
  override readonly name = "DatasetError";
  readonly details: Readonly<Record<string, unknown>>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}
