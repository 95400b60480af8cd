import { AlwaysOffSampler } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { TelemetryConfigError, resolveConfig, startTelemetry } from '../src/index.js';

describe('validation', () => {
  it.each([
    [{ tracesExporter: 'zipkin' }, {}, /invalid tracesExporter "zipkin"; accepted values: otlp, console, file, none/],
    [{}, { OTEL_METRICS_EXPORTER: 'statsd' }, /invalid metricsExporter "statsd" \(from OTEL_METRICS_EXPORTER\); accepted values: otlp, prometheus, console, file, none/],
    [{ otlpProtocol: 'http/xml' }, {}, /invalid otlpProtocol "http\/xml"; accepted values: http\/protobuf, http\/json, grpc/],
    [{}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift' }, /invalid otlpProtocol "thrift" \(from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL\)/],
    [{ sampler: 'sometimes' }, {}, /invalid sampler "sometimes"; accepted values: always_on, always_off, traceidratio, parentbased_always_on/],
    [{}, { OTEL_TRACES_SAMPLER: 'jaeger_remote' }, /invalid sampler "jaeger_remote" \(from OTEL_TRACES_SAMPLER\)/],
    [{ otlpEndpoint: 'localhost:4318' }, {}, /invalid otlpEndpoint "localhost:4318"; accepted values: an absolute http:\/\/ or https:\/\/ URL/],
    [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, /invalid otlpEndpoint "not a url" \(from OTEL_EXPORTER_OTLP_ENDPOINT\)/],
    [{}, { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'ftp://collector' }, /invalid otlpEndpoint "ftp:\/\/collector" \(from OTEL_EXPORTER_OTLP_METRICS_ENDPOINT\)/],
    [{ sampler: 'traceidratio', samplerArg: 2 }, {}, /invalid samplerArg 2; accepted values: a number from 0 to 1/],
    [{}, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 'abc' }, /invalid samplerArg "abc" \(from OTEL_TRACES_SAMPLER_ARG\)/],
    [{}, { OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }, /invalid otlpHeaders "novalue" \(from OTEL_EXPORTER_OTLP_HEADERS\); accepted values: a comma-separated list of key=value pairs/],
    [{ fileMaxBytes: 10 }, {}, /invalid fileMaxBytes 10; accepted values: an integer >= 1024/],
    [{}, { OTEL_SDK_DISABLED: 'maybe' }, /invalid disabled "maybe" \(from OTEL_SDK_DISABLED\); accepted values: true, false/],
    [{}, { OTEL_TRACES_EXPORTER: 'otlp,zipkin' }, /invalid tracesExporter "zipkin" \(from OTEL_TRACES_EXPORTER\); accepted values: otlp, console, file, none/],
    [{}, { OTEL_METRICS_EXPORTER: 'none,otlp' }, /invalid metricsExporter "none,otlp" \(from OTEL_METRICS_EXPORTER\); accepted values: .*"none" only on its own/],
    [{ tracesExporter: [] }, {}, /invalid tracesExporter \[\]; accepted values: otlp, console, file, none/],
  ])('%j %j throws one error naming option, value and accepted values', (options, env, message) => {
    expect(() => resolveConfig(options as never, env)).toThrow(TelemetryConfigError);
    expect(() => resolveConfig(options as never, env)).toThrow(message);
  });

  it('startTelemetry throws before starting anything', () => {
    expect(() => startTelemetry({ tracesExporter: 'jaeger' as never, env: {} })).toThrow(/tracesExporter "jaeger"/);
  });

  it('takes exporter lists as the OTel spec allows: comma-separated in the environment, an array as an option', () => {
    const fromEnv = resolveConfig({}, { OTEL_TRACES_EXPORTER: 'otlp, console,otlp', OTEL_METRICS_EXPORTER: 'prometheus,otlp' });
    expect(fromEnv.tracesExporters).toEqual(['otlp', 'console']);
    expect(fromEnv.metricsExporters).toEqual(['prometheus', 'otlp']);
    expect(fromEnv.scheduledDelayMillis).toBe(1);
    const fromOptions = resolveConfig({ tracesExporter: ['file', 'otlp'], metricsExporter: 'none' }, { OTEL_TRACES_EXPORTER: 'console' });
    expect(fromOptions.tracesExporters).toEqual(['file', 'otlp']);
    expect(fromOptions.metricsExporters).toEqual([]);
  });

  it('ignores OTEL_TRACES_SAMPLER_ARG for samplers that take no argument, so a stray value does not stop the app', () => {
    expect(resolveConfig({}, { OTEL_TRACES_SAMPLER_ARG: 'abc' }).sampler).toBe('parentbased_always_on');
    expect(resolveConfig({}, { OTEL_TRACES_SAMPLER: 'always_off', OTEL_TRACES_SAMPLER_ARG: '7' }).samplerArg).toBe(1);
    const handle = startTelemetry({ tracesExporter: 'none', metricsExporter: 'none', http: false, env: { OTEL_TRACES_SAMPLER_ARG: 'abc' } });
    return handle.shutdown();
  });

  it('accepts case and whitespace variations of known values', () => {
    const config = resolveConfig({}, { OTEL_TRACES_EXPORTER: ' OTLP ', OTEL_TRACES_SAMPLER: 'TraceIdRatio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(config.tracesExporters).toEqual(['otlp']);
    expect(config.sampler).toBe('traceidratio');
    expect(config.samplerArg).toBe(0.25);
  });
});

describe('defaults and environment', () => {
  it('defaults: file exporters in .threadline, http/protobuf to localhost, parent-based always-on', () => {
    const config = resolveConfig({}, {});
    expect(config).toMatchObject({
      disabled: false,
      tracesExporters: ['file'],
      metricsExporters: ['file'],
      fileDirectory: '.threadline',
      sampler: 'parentbased_always_on',
      otlpTraces: { protocol: 'http/protobuf', url: 'http://localhost:4318/v1/traces', insecure: true, timeoutMillis: 10_000 },
      otlpMetrics: { protocol: 'http/protobuf', url: 'http://localhost:4318/v1/metrics' },
      prometheusPort: 9464,
    });
  });

  it('reads the standard variables, per-signal forms over the general ones', () => {
    const config = resolveConfig(
      {},
      {
        OTEL_SERVICE_NAME: 'checkout',
        OTEL_RESOURCE_ATTRIBUTES: 'service.version=1.2.3,deployment.environment.name=prod%20eu',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/custom/path',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-team=core',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-team=metrics',
        OTEL_EXPORTER_OTLP_INSECURE: 'true',
        OTEL_TRACES_SAMPLER: 'always_off',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9999',
      },
    );
    expect(config.serviceName).toBe('checkout');
    expect(config.serviceVersion).toBe('1.2.3');
    expect(config.resourceAttributes['deployment.environment.name']).toBe('prod eu');
    expect(config.tracesExporters).toEqual(['otlp']);
    expect(config.metricsExporters).toEqual(['prometheus']);
    expect(config.otlpTraces).toEqual({
      protocol: 'http/json',
      url: 'https://traces.example/custom/path',
      headers: { authorization: 'Bearer abc', 'x-team': 'core' },
      insecure: true,
      timeoutMillis: 10_000,
    });
    expect(config.otlpMetrics.protocol).toBe('grpc');
    expect(config.otlpMetrics.url).toBe('http://collector:4318/');
    expect(config.otlpMetrics.headers).toEqual({ 'x-team': 'metrics' });
    expect(config.sampler).toBe('always_off');
    expect(config.prometheusPort).toBe(9999);
  });

  it('explicit options win over every environment variable', () => {
    const sampler = new AlwaysOffSampler();
    const config = resolveConfig(
      {
        serviceName: 'explicit',
        serviceVersion: '9.9.9',
        tracesExporter: 'console',
        metricsExporter: 'none',
        otlpProtocol: 'http/json',
        otlpEndpoint: 'http://explicit:1234',
        otlpHeaders: { 'x-team': 'explicit' },
        sampler,
        fileDirectory: '/tmp/explicit',
        disabled: false,
      },
      {
        OTEL_SERVICE_NAME: 'from-env',
        OTEL_RESOURCE_ATTRIBUTES: 'service.version=1.0.0',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env-traces:4318/v1/traces',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-team=env,x-other=kept',
        OTEL_TRACES_SAMPLER: 'always_on',
        THREADLINE_FILE_DIRECTORY: '/tmp/env',
        OTEL_SDK_DISABLED: 'true',
      },
    );
    expect(config.serviceName).toBe('explicit');
    expect(config.serviceVersion).toBe('9.9.9');
    expect(config.tracesExporters).toEqual(['console']);
    expect(config.metricsExporters).toEqual([]);
    expect(config.otlpTraces.protocol).toBe('http/json');
    expect(config.otlpTraces.url).toBe('http://explicit:1234/v1/traces');
    expect(config.otlpTraces.headers).toEqual({ 'x-team': 'explicit', 'x-other': 'kept' });
    expect(config.sampler).toBe(sampler);
    expect(config.fileDirectory).toBe('/tmp/explicit');
    expect(config.disabled).toBe(false);
  });

  it('OTEL_SDK_DISABLED returns a working no-op handle and registers nothing', async () => {
    const handle = startTelemetry({ env: { OTEL_SDK_DISABLED: 'true' } });
    expect(handle.config.disabled).toBe(true);
    await handle.forceFlush();
    await handle.shutdown();
  });
});
