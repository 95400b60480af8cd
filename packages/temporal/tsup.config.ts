import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// `worker` needs the optional @temporalio/worker peer; `workflow` is bundled by Worker.create into the workflow sandbox (interceptors.workflowModules).
export default defineConfig(packageBuild({ index: 'src/index.ts', worker: 'src/worker-entry.ts', workflow: 'src/workflow/index.ts' }));
