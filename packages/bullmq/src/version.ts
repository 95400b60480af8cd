export const INSTRUMENTATION_NAME = '@threadline/bullmq';
// Kept by hand beside package.json's version; the tracer's scope version.
export const INSTRUMENTATION_VERSION = '0.0.0';
