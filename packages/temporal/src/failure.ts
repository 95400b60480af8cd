/**
 * Temporal-aware failure classification, shared by the sandbox and the worker (imports nothing):
 * ApplicationFailure carries the user's `type`, and BENIGN ones are not errors on spans.
 */

interface FailureLike {
  name?: unknown;
  type?: unknown;
  category?: unknown;
  code?: unknown;
  cause?: unknown;
}

const WRAPPERS = new Set<unknown>(['ActivityFailure', 'ChildWorkflowFailure']);

function asFailure(error: unknown): FailureLike | undefined {
  return error !== null && typeof error === 'object' ? (error as FailureLike) : undefined;
}

function applicationType(failure: FailureLike | undefined): string | undefined {
  if (failure?.name !== 'ApplicationFailure') return undefined;
  return typeof failure.type === 'string' && failure.type.length > 0 && failure.type.length <= 64 ? failure.type : undefined;
}

/**
 * `error.type` for a Temporal failure: the ApplicationFailure type (also one level down, inside an
 * ActivityFailure or ChildWorkflowFailure), else the code or class name.
 */
export function failureType(error: unknown): string {
  try {
    const failure = asFailure(error);
    if (!failure) return '_OTHER';
    const type = applicationType(failure) ?? (WRAPPERS.has(failure.name) ? applicationType(asFailure(failure.cause)) : undefined);
    if (type) return type;
    if (typeof failure.code === 'string' && failure.code.length > 0 && failure.code.length <= 64) return failure.code;
    if (typeof failure.name === 'string' && failure.name.length > 0 && failure.name.length <= 64 && failure.name !== 'Error') return failure.name;
  } catch {
    // A hostile error object still gets a type.
  }
  return '_OTHER';
}

/** A BENIGN ApplicationFailure is an expected outcome (Temporal logs it at DEBUG, records no failure metric). */
export function isBenign(error: unknown): boolean {
  try {
    const failure = asFailure(error);
    if (failure?.name === 'ApplicationFailure') return failure.category === 'BENIGN';
    // An activity or child failure wraps the ApplicationFailure one level down.
    const cause = asFailure(failure?.cause);
    return cause?.name === 'ApplicationFailure' && cause.category === 'BENIGN';
  } catch {
    return false;
  }
}

export function failureMessage(error: unknown): string | undefined {
  try {
    const message = (error as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? message.slice(0, 1024) : undefined;
  } catch {
    return undefined;
  }
}
