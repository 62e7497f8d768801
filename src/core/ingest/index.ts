// OTLP decoding and response encoding (vscode-free; shared by the extension, CLI and receiver).
export {
  OtlpDecodeError,
  decodeTraces,
  decodeLogs,
  decodeMetrics,
  decodeTracesRaw,
} from './otlp-decode';
export type {
  OtlpFormat,
  OtlpSignal,
  DecodedTraces,
  DecodedLogs,
  DecodedMetrics,
} from './otlp-decode';
export { encodeExportResponse, encodeStatus, RpcCode } from './responses';
export type { PartialSuccess } from './responses';
export { encodeExportRequest } from './request-encode';
export {
  MAX_ATTRIBUTES,
  MAX_EVENTS,
  MAX_STRING_BYTES,
  MAX_LOG_BODY_BYTES,
  MAX_VALUE_DEPTH,
} from './convert-util';
