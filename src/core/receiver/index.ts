// The embedded OTLP/HTTP receiver (vscode-free; used by the extension and `prodlens serve`).
export { OtlpHttpReceiver, PortInUseError } from './http-receiver';
export type {
  OtlpHttpReceiverOptions,
  ReceiverSinks,
  ReceiverStats,
  ReceiverDataEvent,
  ReceiverDataListener,
  ReceiverAddress,
} from './http-receiver';
