import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * The slice of undici's internal request the channels hand out. Node's bundled undici (global
 * fetch) and the npm `undici` package publish the same shape on the same channel names.
 */
export interface UndiciRequest {
  readonly method: string;
  readonly origin: string | { toString(): string };
  readonly path: string;
  /** Name/value pairs (undici ≥ 6) or a raw `name: value\r\n` block (older versions). */
  headers: string | Array<string | string[]>;
  addHeader?(name: string, value: string): unknown;
}

export interface UndiciResponse {
  readonly statusCode: number;
  readonly statusText?: string;
  /** Raw name/value pairs. */
  readonly headers: ReadonlyArray<Buffer | string>;
}

export interface UndiciSocket {
  readonly alpnProtocol?: string | false | null;
}

/** What the channels report, as plain calls; implemented by the telemetry side. */
export interface UndiciRequestHandlers {
  onCreate(request: UndiciRequest): void;
  onSendHeaders(request: UndiciRequest, socket: UndiciSocket): void;
  onResponseHeaders(request: UndiciRequest, response: UndiciResponse): void;
  onDone(request: UndiciRequest): void;
  onError(request: UndiciRequest, error: unknown): void;
}

interface ChannelMessage {
  request: UndiciRequest;
  socket?: UndiciSocket;
  response?: UndiciResponse;
  error?: unknown;
}

/**
 * Subscribes to undici's diagnostics channels. Channels are global by name, so one subscription
 * sees both the global fetch's bundled undici and any npm undici copy. A throwing handler would
 * surface as an uncaught exception in the app, so every call goes through `guard`.
 */
export function subscribeUndiciChannels(handlers: UndiciRequestHandlers, guard: (error: unknown) => void): () => void {
  // One closure per channel with the guard inline: these run on every request.
  const subscriptions: Array<[string, (message: unknown) => void]> = [
    [
      'undici:request:create',
      (m) => {
        try {
          handlers.onCreate((m as ChannelMessage).request);
        } catch (error) {
          guard(error);
        }
      },
    ],
    [
      'undici:client:sendHeaders',
      (m) => {
        try {
          handlers.onSendHeaders((m as ChannelMessage).request, (m as ChannelMessage).socket ?? {});
        } catch (error) {
          guard(error);
        }
      },
    ],
    [
      'undici:request:headers',
      (m) => {
        try {
          handlers.onResponseHeaders((m as ChannelMessage).request, (m as ChannelMessage).response as UndiciResponse);
        } catch (error) {
          guard(error);
        }
      },
    ],
    [
      'undici:request:trailers',
      (m) => {
        try {
          handlers.onDone((m as ChannelMessage).request);
        } catch (error) {
          guard(error);
        }
      },
    ],
    [
      'undici:request:error',
      (m) => {
        try {
          handlers.onError((m as ChannelMessage).request, (m as ChannelMessage).error);
        } catch (error) {
          guard(error);
        }
      },
    ],
  ];
  for (const [name, handler] of subscriptions) diagnosticsChannel.subscribe(name, handler);
  return () => {
    for (const [name, handler] of subscriptions) diagnosticsChannel.unsubscribe(name, handler);
  };
}

/** Every value of a request header (case-insensitive name), in order. */
export function requestHeaderValues(request: UndiciRequest, lowerName: string): string[] {
  const found: string[] = [];
  const headers = request.headers;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i];
      if (typeof name !== 'string' || name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue;
      const value = headers[i + 1];
      if (Array.isArray(value)) found.push(...value.map(String));
      else found.push(String(value));
    }
  } else if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === lowerName) found.push(line.slice(colon + 1).trim());
    }
  }
  return found;
}

/** Case-insensitive; the exact-match test first because fetch and propagators both use lowercase. */
export function hasRequestHeader(request: UndiciRequest, key: string): boolean {
  const headers = request.headers;
  if (Array.isArray(headers)) {
    let lower: string | undefined;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (typeof name !== 'string' || name.length !== key.length) continue;
      if (name === key || name.toLowerCase() === (lower ??= key.toLowerCase())) return true;
    }
    return false;
  }
  return typeof headers === 'string' && requestHeaderValues(request, key.toLowerCase()).length > 0;
}

export function addRequestHeader(request: UndiciRequest, name: string, value: string): void {
  if (typeof request.addHeader === 'function') request.addHeader(name, value);
  else if (Array.isArray(request.headers)) request.headers.push(name, value);
  else if (typeof request.headers === 'string') request.headers += `${name}: ${value}\r\n`;
}

/** Every value of a response header (case-insensitive name), in order. */
export function responseHeaderValues(response: UndiciResponse, lowerName: string): string[] {
  const found: string[] = [];
  const headers = response.headers;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === lowerName) found.push(String(headers[i + 1]));
  }
  return found;
}
