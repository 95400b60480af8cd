import { diag } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { OPENMETRICS_CONTENT_TYPE, serializeOpenMetrics } from './openmetrics.js';

export interface PrometheusEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly metricProducers: MetricProducer[];
}

/**
 * The OTel Prometheus exporter behind our own server: a scraper that asks for OpenMetrics (as
 * Prometheus does) gets OpenMetrics with exemplars, anything else the exporter's text format.
 */
export class PrometheusEndpoint extends PrometheusExporter {
  private readonly server: Server;

  constructor(options: PrometheusEndpointOptions) {
    super({ host: options.host, port: options.port, metricProducers: options.metricProducers, preventServerStart: true });
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.once('error', (error) => diag.error(`threadline: the Prometheus endpoint could not listen on ${options.host}:${options.port}`, error));
    this.server.listen(options.port, options.host);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.statusCode = 404;
      response.end();
      return;
    }
    if (!String(request.headers.accept ?? '').includes('application/openmetrics-text')) {
      this.getMetricsRequestHandler(request, response);
      return;
    }
    this.collect().then(
      ({ resourceMetrics }) => {
        response.setHeader('content-type', OPENMETRICS_CONTENT_TYPE);
        response.end(serializeOpenMetrics(resourceMetrics));
      },
      (error: unknown) => {
        response.statusCode = 500;
        response.end(`# failed to collect metrics: ${String(error)}\n`);
      },
    );
  }

  override async onShutdown(): Promise<void> {
    await super.onShutdown();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
