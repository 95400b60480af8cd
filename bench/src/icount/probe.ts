import { loadGroup } from './groups.js';
import type { IcountScenario } from './scenario.js';
import { installSettings, SETTINGS, useSetting, type Setting } from './settings.js';

/**
 * Runs inside valgrind: one group, under each setting in turn. Every scenario runs WARMUP times
 * uncounted (all rows, every setting, in turn, before any count), then in PASSES passes over all rows
 * RUNS times in a row counted (a row in one deoptimized state for a whole pass gets a second chance).
 * A counted run lies between two calls of `process.constrainedMemory()` (libuv's
 * uv_get_constrained_memory, which only Node's startup also calls): callgrind's
 * `--dump-before=uv_get_constrained_memory` cuts its profile there. The parent keeps the least run:
 * the first run of a row after the others ran may still re-optimize code the rows share (a call site
 * that saw the other rows' callbacks last); the next ones repeat to within a few instructions per op.
 * No forced GC: a full collection drops optimized code whose embedded objects died, and the next run
 * compiles again. Prints, per cut, which row's counted run ends there (or null: the gap before a
 * row's first run) for the parent to match parts to rows.
 */
const [groupId = '', ...settingArgs] = process.argv.slice(2);
const recorded = installSettings();
const group = await loadGroup(groupId);
const scenarios = await group.setup();
const settings: readonly Setting[] = group.settingFree ? ['sampled'] : SETTINGS.filter((s) => settingArgs.length === 0 || settingArgs.includes(s));
const plant = Number(process.env.THREADLINE_ICOUNT_PLANT ?? 0);
const plantRow = process.env.THREADLINE_ICOUNT_PLANT_ROW;
/** Uncounted runs per row first: enough for every Node line's tiers (Sparkplug, Maglev, TurboFan) to settle. */
const WARMUP = Number(process.env.THREADLINE_ICOUNT_WARMUP ?? 4);
/** Counted runs per row in each pass; every pass counts every row once more, after all the others ran again. */
const RUNS = Number(process.env.THREADLINE_ICOUNT_RUNS ?? 2);
const PASSES = Number(process.env.THREADLINE_ICOUNT_PASSES ?? 2);

let burnt = 0;
/** The planted slowdown for the guard's self-test: `plant` loop turns per op, in threadline rows (or the one named). */
function planted(scenario: IcountScenario): IcountScenario {
  if (plant <= 0 || scenario.role !== 'threadline' || (plantRow !== undefined && scenario.name !== plantRow)) return scenario;
  return {
    ...scenario,
    run: async (n) => {
      await scenario.run(n);
      for (let i = 0; i < n * plant; i++) burnt += i & 1;
    },
  };
}

/** Per cut, in call order: the index of the row whose counted run ends there, or null. */
const cuts: Array<number | null> = [];
const cut = (row: number | null) => {
  cuts.push(row);
  process.constrainedMemory();
};
const rows: Array<{ setting: Setting; name: string; role: string; floor?: string; anchor?: string; spans: number }> = [];
const counted = scenarios.map(planted);
for (let round = 0; round < WARMUP; round++) {
  for (const setting of settings) {
    useSetting(setting);
    for (const scenario of counted) {
      scenario.before?.();
      await scenario.run(group.ops);
      scenario.after?.();
    }
  }
}
const rowOf = (setting: Setting, k: number) => settings.indexOf(setting) * counted.length + k;
for (const setting of settings) {
  for (const scenario of counted) rows.push({ setting, name: scenario.name, role: scenario.role, floor: scenario.floor, anchor: scenario.anchor, spans: 0 });
}
for (let pass = 0; pass < PASSES; pass++) {
  for (const setting of settings) {
    useSetting(setting);
    for (const [k, scenario] of counted.entries()) {
      scenario.before?.();
      const before = recorded.ended;
      cut(null);
      for (let run = 0; run < RUNS; run++) {
        await scenario.run(group.ops);
        cut(rowOf(setting, k));
      }
      rows[rowOf(setting, k)]!.spans = (recorded.ended - before) / RUNS;
      scenario.after?.();
    }
  }
}
console.log(`ICOUNT ${JSON.stringify({ group: group.id, ops: group.ops, runs: RUNS * PASSES, node: process.version, burnt, cuts, rows })}`);
process.exit(0);
