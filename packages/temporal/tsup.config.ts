import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// `workflow` is bundled by Worker.create into the workflow sandbox (interceptors.workflowModules).
export default defineConfig(packageBuild({ index: 'src/index.ts', workflow: 'src/workflow/index.ts' }));
