import { afterAll } from 'vitest';
import { conformance } from './api.js';

// A vitest setup file: runs in every test file of a suite that lists it in `setupFiles`. Registered
// first, this afterAll runs last, after the file's own hooks have flushed and shut down.
afterAll(() => conformance.assert());
