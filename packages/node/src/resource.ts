import type { Attributes } from '@opentelemetry/api';
import { defaultResource, detectResources, hostDetector, osDetector, processDetector, resourceFromAttributes, type ResourceDetector, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ResolvedConfig } from './types.js';

// Incubating semconv (the package asks that incubating names be copied, not imported).
const ATTR_PROCESS_COMMAND_ARGS = 'process.command_args';

/** The process detector without `process.command_args`: a command line can carry secrets. */
const withoutCommandArgs: ResourceDetector = {
  detect(config) {
    const detected = processDetector.detect(config);
    const { [ATTR_PROCESS_COMMAND_ARGS]: _commandArgs, ...attributes } = detected.attributes ?? {};
    return { ...detected, attributes };
  },
};

/**
 * telemetry.sdk.* (default resource) < host, process, OS, runtime (detectors) <
 * OTEL_RESOURCE_ATTRIBUTES and `resourceAttributes` < serviceName / serviceVersion.
 * `process.command_args` only with `resourceCommandArgs`.
 */
export function buildResource(config: ResolvedConfig): Resource {
  const processDetected = config.resourceCommandArgs ? processDetector : withoutCommandArgs;
  const service: Attributes = {};
  if (config.serviceName) service[ATTR_SERVICE_NAME] = config.serviceName;
  if (config.serviceVersion) service[ATTR_SERVICE_VERSION] = config.serviceVersion;
  return defaultResource()
    .merge(detectResources({ detectors: [hostDetector, processDetected, osDetector] }))
    .merge(resourceFromAttributes(config.resourceAttributes))
    .merge(resourceFromAttributes(service));
}
