export { createCdcConsumer, PgCdcInstrumentation, type PgCdcInstrumentationConfig } from './instrumentation.js';
export { CdcConsumer } from './consumer.js';
export { emitTraceContext, type EmitTraceContextOptions, type TraceWriterClient } from './writer.js';
export type { SlotState } from './slot-monitor.js';
export { CDC_ATTR, CDC_BUFFERED_BYTES, CDC_TRANSACTIONS, DEFAULT_TRACE_PREFIX } from './semconv.js';
export type {
  CdcChange,
  CdcChunk,
  CdcConsumerOptions,
  CdcErrorKind,
  CdcMessage,
  CdcOperation,
  CdcTransaction,
  ChangeHandler,
  ChangeModeOptions,
  ReconnectOptions,
  TransactionHandler,
  TransactionModeOptions,
} from './types.js';
