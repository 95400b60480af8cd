import { diag } from '@opentelemetry/api';
import { countDropped } from '@threadline/core';
import type { FetchRequestInfo } from './types.js';

/** Semconv's HTTP client rule: every 4xx and 5xx is an error. */
export function semconvErrorStatus(status: number): boolean {
  return status >= 400;
}

export function guardedStatusRule(rule: (statusCode: number) => boolean): (statusCode: number) => boolean {
  let reported = false;
  return (status) => {
    try {
      return rule(status) === true;
    } catch (error) {
      if (!reported) {
        reported = true;
        diag.warn(`@threadline/fetch: isErrorStatus threw (${error instanceof Error ? error.message : String(error)}); using status >= 400`);
      }
      countDropped('hook_error');
      return semconvErrorStatus(status);
    }
  };
}

/** A user predicate that cannot throw: a throw counts as `false` (reported once, counted). */
export function guardedPredicate(predicate: (info: FetchRequestInfo) => boolean, what: string, fallback: string): (info: FetchRequestInfo) => boolean {
  let reported = false;
  return (info) => {
    try {
      return predicate(info) === true;
    } catch (error) {
      countDropped('hook_error');
      if (!reported) {
        reported = true;
        diag.warn(`threadline: fetch ${what} threw; the request is ${fallback} (reported once)`, error);
      }
      return false;
    }
  };
}
