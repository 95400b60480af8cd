import type { Attributes } from '@opentelemetry/api';
import { defaultResource, detectResources, hostDetector, osDetector, processDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ResolvedConfig } from './types.js';

/**
 * telemetry.sdk.* (default resource) < host, process, OS, runtime (detectors) <
 * OTEL_RESOURCE_ATTRIBUTES and `resourceAttributes` < serviceName / serviceVersion.
 */
export function buildResource(config: ResolvedConfig): Resource {
  const service: Attributes = {};
  if (config.serviceName) service[ATTR_SERVICE_NAME] = config.serviceName;
  if (config.serviceVersion) service[ATTR_SERVICE_VERSION] = config.serviceVersion;
  return defaultResource()
    .merge(detectResources({ detectors: [hostDetector, processDetector, osDetector] }))
    .merge(resourceFromAttributes(config.resourceAttributes))
    .merge(resourceFromAttributes(service));
}
