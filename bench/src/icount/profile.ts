/**
 * What V8 does for itself rather than for the program: compiling (parser, Ignition bytecode,
 * Sparkplug, Maglev, TurboFan), deoptimizing, tiering decisions, garbage collection. A run that
 * contains much of it was not in steady state (the probe's first run of a row after the others, or
 * too short a warm-up). Names are the Node binary's C++ symbols (official builds keep them).
 */
const RUNTIME_SELF = new RegExp(
  [
    '^v8::internal::(compiler|maglev|baseline|turboshaft|interpreter|wasm)::',
    '^v8::internal::(Compiler|Deoptimizer|TieringManager|Heap|HeapAllocator|Scavenger\\w*|MarkCompactCollector|MinorMarkSweepCollector|IncrementalMarking|GCTracer|Sweeper|MemoryAllocator|MemoryReducer|Parser|PreParser|Zone|BackgroundCompileTask|OptimizingCompileDispatcher)\\b',
    '^v8::internal::Runtime_(Compile\\w*|\\w*Optimiz\\w*|\\w*Deoptimiz\\w*|InstallBaselineCode|BytecodeBudgetInterrupt\\w*)\\b',
  ].join('|'),
);

export interface PartCost {
  /** Every instruction of the part (this thread). */
  readonly total: number;
  /** Instructions executed in V8's compiler, deoptimizer, tiering and GC functions themselves (see RUNTIME_SELF). */
  readonly runtime: number;
}

/**
 * Reads one callgrind profile part (`--dump-instr=no --dump-line=no`, names compressed or not): its
 * total, and the self cost of RUNTIME_SELF functions (the libc and helper calls they make are not
 * included: this is a lower bound, good enough to tell a steady run from one that compiled).
 */
export function partCost(profile: string): PartCost {
  const names = new Map<string, string>();
  const name = (spec: string): string => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(spec);
    if (!match) return spec;
    if (match[2] !== undefined) names.set(match[1]!, match[2]);
    return names.get(match[1]!) ?? spec;
  };
  let total = 0;
  let runtime = 0;
  let inRuntime = false;
  let skipNext = false;
  for (const line of profile.split('\n')) {
    if (line.startsWith('summary: ') || line.startsWith('totals: ')) {
      total = Number(line.slice(line.indexOf(' ') + 1));
    } else if (line.startsWith('fn=')) {
      inRuntime = RUNTIME_SELF.test(name(line.slice(3)));
    } else if (line.startsWith('cfn=')) {
      name(line.slice(4));
    } else if (line.startsWith('calls=')) {
      // The next cost line is the call's inclusive cost, not the function's own.
      skipNext = true;
    } else if (/^[0-9+\-*]/.test(line)) {
      if (skipNext) skipNext = false;
      else if (inRuntime) runtime += Number(line.split(' ')[1] ?? 0);
    }
  }
  return { total, runtime };
}
