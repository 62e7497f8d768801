/**
 * The request body could not be decoded as the OTLP message it claims to be (bad protobuf, bad
 * JSON, wrong shape). Receivers answer 400; the message is meant for the sender's developer.
 */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/** Wraps whatever a decoder threw (protobufjs RangeErrors, stack overflows) into one type. */
export function toDecodeError(err: unknown, what: string): OtlpDecodeError {
  if (err instanceof OtlpDecodeError) return err;
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new OtlpDecodeError(`${what}: payload nested too deeply`);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new OtlpDecodeError(`${what}: ${detail}`);
}
