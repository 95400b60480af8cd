import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { failureType, isBenign } from '../src/failure.js';

describe('Temporal failure classification', () => {
  const declined = ApplicationFailure.create({ message: 'card declined', type: 'CardDeclined' });
  const benign = ApplicationFailure.create({ message: 'not yet', type: 'NotReady', category: 'BENIGN' });
  const wrap = (cause: Error) => new ActivityFailure('activity failed', 'chargeCard', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

  it('uses the ApplicationFailure type, also inside an ActivityFailure or ChildWorkflowFailure', () => {
    expect(failureType(declined)).toBe('CardDeclined');
    expect(failureType(wrap(declined))).toBe('CardDeclined');
    expect(failureType(new ChildWorkflowFailure('default', { workflowId: 'c', runId: 'r' }, 'greet', RetryState.NON_RETRYABLE_FAILURE, declined))).toBe('CardDeclined');
  });

  it('falls back to the code or class name, and survives hostile values', () => {
    expect(failureType(wrap(new TypeError('x')))).toBe('ActivityFailure');
    expect(failureType(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(failureType('boom')).toBe('_OTHER');
    const hostile = new Proxy({}, { get: () => { throw new Error('no'); } });
    expect(failureType(hostile)).toBe('_OTHER');
    expect(isBenign(hostile)).toBe(false);
  });

  it('BENIGN is recognised directly and one level down', () => {
    expect(isBenign(benign)).toBe(true);
    expect(isBenign(wrap(benign))).toBe(true);
    expect(isBenign(declined)).toBe(false);
  });
});
