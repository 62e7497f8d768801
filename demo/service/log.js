'use strict';
// Structured log lines through the OpenTelemetry logs API. Emitted inside a span, a record carries
// that span's trace and span ids, which is what lets ProdLens show logs next to a trace.
const { logs, SeverityNumber } = require('@opentelemetry/api-logs');

const logger = logs.getLogger('demo-shop');

function emit(severityNumber, severityText, body, attributes) {
  logger.emit({ severityNumber, severityText, body, attributes });
}

/** `message` is the human line ("order placed orderId=… total=…"); `attributes` the same facts as data. */
const log = {
  info: (message, attributes = {}) => emit(SeverityNumber.INFO, 'INFO', message, attributes),
  warn: (message, attributes = {}) => emit(SeverityNumber.WARN, 'WARN', message, attributes),
  error: (message, err, attributes = {}) =>
    emit(SeverityNumber.ERROR, 'ERROR', message, {
      ...attributes,
      ...(err ? { 'exception.type': err.name, 'exception.message': err.message, 'exception.stacktrace': err.stack } : {}),
    }),
};

module.exports = { log };
