import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ATTR, ERROR_TYPE_OTHER } from './names.js';

/**
 * `error.type` for a thrown value: `AbortError` / `TimeoutError` for a cancellation, else the
 * driver's or runtime's string code (SQLSTATE, ECONNREFUSED), else a specific error name, else a
 * numeric code, else the class name, else `_OTHER`. Never throws.
 */
export function errorType(error: unknown): string {
  try {
    if (error !== null && typeof error === 'object') {
      const name = (error as { name?: unknown }).name;
      // A cancellation is named the same whoever raised it (DOMException code 20, Node's ABORT_ERR).
      if (name === 'AbortError' || name === 'TimeoutError') return name;
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.length > 0 && code.length <= 64) return code;
      const specificName = typeof name === 'string' && name.length > 0 && name.length <= 64 && name !== 'Error' ? name : undefined;
      // A numeric code (DOMException's 20 for AbortError, gRPC status) says less than a specific name.
      if (typeof code === 'number') return specificName ?? String(code);
      if (specificName) return specificName;
      const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
      if (typeof ctor === 'string' && ctor.length > 0 && ctor !== 'Object') return ctor;
    }
  } catch {
    // A hostile error object (throwing getters) still gets a type.
  }
  return ERROR_TYPE_OTHER;
}

function errorMessage(error: unknown): string | undefined {
  try {
    if (error instanceof Error) return error.message;
    if (typeof error === 'string') return error;
  } catch {
    // fall through
  }
  return undefined;
}

export interface RecordErrorOptions {
  /**
   * Copy the error's message into the status and the exception event (default true). DB plugins
   * turn it off: drivers put bind and row values into messages.
   */
  readonly message?: boolean;
}

/**
 * The one option every plugin that records errors raised by app code (job processors, workflow
 * and activity code, CDC handlers, `traced()` functions) takes, with the same meaning.
 */
export interface ErrorMessageOptions {
  /**
   * `true` (default): a failed span's status message and exception event carry the error's
   * message (and the event its stack), which is what debugging usually needs. `false`: only
   * `error.type`, status ERROR and an `exception` event with `exception.type`, for apps whose
   * error messages can hold user data.
   */
  readonly recordErrorMessages?: boolean;
}

const WITH_MESSAGE: RecordErrorOptions = Object.freeze({});
const WITHOUT_MESSAGE: RecordErrorOptions = Object.freeze({ message: false });

/** Validates `recordErrorMessages` and returns what to pass to `recordSpanError`; a mistake throws naming `owner`. */
export function errorRecording(options: ErrorMessageOptions | undefined, owner: string): RecordErrorOptions {
  const value = options?.recordErrorMessages;
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${owner}: recordErrorMessages must be true or false`);
  return value === false ? WITHOUT_MESSAGE : WITH_MESSAGE;
}

/** Marks a span failed the semconv way: status ERROR, `error.type`, an exception event. */
export function recordSpanError(span: Span, error: unknown, type: string = errorType(error), options: RecordErrorOptions = {}): void {
  try {
    span.setAttribute(ATTR.ERROR_TYPE, type);
    if (options.message === false) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.recordException({ name: type });
      return;
    }
    const message = errorMessage(error);
    span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
    if (error instanceof Error) span.recordException(error);
    else span.recordException({ name: type, ...(message === undefined ? {} : { message }) });
  } catch {
    // Telemetry never breaks the app.
  }
}
