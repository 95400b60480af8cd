
/** What a row is in a group's table: the ratios are threadline against the floor and the anchor. */
export type Role = 'baseline' | 'floor' | 'threadline' | 'anchor';

export interface IcountScenario {
  readonly name: string;
  readonly role: Role;
  /** For a threadline row: the floor and anchor rows its added count is compared with. */
  readonly floor?: string;
  readonly anchor?: string;
  /** Runs `n` operations; only this call is counted. */
  run(n: number): void | Promise<void>;
  /** Uncounted, around every run (subscribing a channel listener, enabling an instrumentation). */
  before?(): void;
  after?(): void;
}

export interface IcountGroup {
  readonly id: string;
  readonly title: string;
  /** Operations per counted run (the same number runs once uncounted first, to warm up). */
  readonly ops: number;
  /** True when no row depends on the tracer setup: counted once, under `sampled`. */
  readonly settingFree?: boolean;
  setup(): Promise<readonly IcountScenario[]>;
}
