/**
 * An optional speech engine is not installed. The message always says how to enable it, because
 * the person reading it is usually setting up CI and needs the exact command.
 */
export class MissingEngineError extends Error {
  override readonly name = "MissingEngineError";
  constructor(
    readonly engine: string,
    readonly howToEnable: string,
    options?: { cause?: unknown },
  ) {
    super(`${engine} is not available: ${howToEnable}`, options);
  }
}
