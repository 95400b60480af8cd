import { SeverityNumber, logs, type Attributes, type Context, type Logger } from '@opentelemetry/api';
import { Writable } from 'node:stream';

const LEVEL = Symbol.for('level');
/** Where the contrib winston instrumentation keeps the context the record was written in. */
const CONTEXT = Symbol.for('opentelemetry.js.contrib.winston.context');
/** Correlation fields the contrib instrumentation adds: the record's context carries them already. */
const CORRELATION_KEYS = new Set(['level', 'message', 'trace_id', 'span_id', 'trace_flags']);

/** npm, syslog and cli level names → OTel severity. */
const SEVERITY: Readonly<Record<string, SeverityNumber>> = {
  emerg: SeverityNumber.FATAL3,
  alert: SeverityNumber.FATAL2,
  crit: SeverityNumber.FATAL,
  error: SeverityNumber.ERROR,
  warning: SeverityNumber.WARN,
  warn: SeverityNumber.WARN,
  notice: SeverityNumber.INFO2,
  info: SeverityNumber.INFO,
  help: SeverityNumber.INFO3,
  data: SeverityNumber.INFO2,
  http: SeverityNumber.DEBUG3,
  verbose: SeverityNumber.DEBUG2,
  debug: SeverityNumber.DEBUG,
  prompt: SeverityNumber.TRACE4,
  input: SeverityNumber.TRACE2,
  silly: SeverityNumber.TRACE,
};

type WinstonInfo = Record<string | symbol, unknown>;
interface WinstonLogger {
  level?: string;
  levels?: Record<string, number>;
}

/**
 * A winston transport (an object-mode Writable with `log(info, callback)`, the shape winston's
 * `Logger.add` accepts) that emits each record through the OTel logs API. Records below the
 * logger's level are skipped, as winston's own transports do.
 */
export class OtelLogsTransport extends Writable {
  private parent: WinstonLogger | undefined;
  private readonly otelLogger: Logger = logs.getLogger('@threadline/node');

  constructor() {
    super({ objectMode: true });
    this.once('pipe', (logger: WinstonLogger) => (this.parent = logger));
  }

  override _write(info: WinstonInfo, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const levels = this.parent?.levels;
    const level = String(info[LEVEL] ?? info.level ?? '');
    const threshold = this.parent?.level;
    if (!levels || !threshold || (levels[threshold] ?? Infinity) >= (levels[level] ?? 0)) this.log(info, () => undefined);
    callback();
  }

  log(info: WinstonInfo, callback: () => void): void {
    try {
      const level = String(info[LEVEL] ?? info.level ?? '');
      const attributes: Attributes = {};
      for (const [key, value] of Object.entries(info)) {
        if (!CORRELATION_KEYS.has(key) && value !== undefined) attributes[key] = value as Attributes[string];
      }
      this.otelLogger.emit({
        severityNumber: SEVERITY[level] ?? SeverityNumber.UNSPECIFIED,
        severityText: level,
        body: info.message as string,
        attributes,
        context: info[CONTEXT] as Context | undefined,
      });
    } finally {
      callback();
    }
  }
}
