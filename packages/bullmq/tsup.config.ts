import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// `sandbox`: what a sandboxed processor file imports in the child (no instrumentation machinery).
export default defineConfig(packageBuild({ index: 'src/index.ts', sandbox: 'src/sandbox.ts' }));
