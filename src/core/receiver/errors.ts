/** The receiver's port is taken (often by a local OpenTelemetry Collector, which also uses 4318). */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `Port ${port} on ${host} is already in use (another OTLP receiver, such as an OpenTelemetry Collector?). ` +
        `Choose another port, or set the port to 0 to use any free port.`,
    );
  }
}

/** A request that must be answered with `status`; `message` goes into the google.rpc.Status body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The client went away before its request body was complete; there is nobody to answer. */
export class ClientAbortError extends Error {
  constructor() {
    super('client aborted the request');
  }
}
