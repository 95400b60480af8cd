import { loadGroup } from './groups.js';
import type { IcountScenario } from './scenario.js';
import { installSettings, SETTINGS, useSetting, type Setting } from './settings.js';

/**
 * Runs inside valgrind: one group, under each setting in turn. Every scenario runs once uncounted
 * (warm-up, all of them first), then RUNS times counted; `process.constrainedMemory()` (libuv's uv_get_constrained_memory,
 * which only Node's startup also calls) before and after each counted run is where callgrind's
 * `--dump-before=uv_get_constrained_memory` cuts its profile, so setup, warm-up and exit land in
 * other parts. Prints the order of the counted runs for the parent to match parts to.
 */
const [groupId = '', ...settingArgs] = process.argv.slice(2);
const recorded = installSettings();
const group = await loadGroup(groupId);
const scenarios = await group.setup();
const settings: readonly Setting[] = group.settingFree ? ['sampled'] : SETTINGS.filter((s) => settingArgs.length === 0 || settingArgs.includes(s));
const plant = Number(process.env.THREADLINE_ICOUNT_PLANT ?? 0);

let burnt = 0;
/** The planted slowdown for the guard's self-test: `plant` loop turns per op, threadline rows only. */
function planted(scenario: IcountScenario): IcountScenario {
  if (plant <= 0 || scenario.role !== 'threadline') return scenario;
  return {
    ...scenario,
    run: async (n) => {
      await scenario.run(n);
      for (let i = 0; i < n * plant; i++) burnt += i & 1;
    },
  };
}

const RUNS = 2;
const cut = () => process.constrainedMemory();
const rows: Array<{ setting: Setting; name: string; role: string; floor?: string; anchor?: string; spans: number }> = [];
const counted = scenarios.map(planted);
// Every row under every setting once, uncounted, before any count: the first setting's rows would
// otherwise be counted while code the later ones share is still being optimized.
for (const setting of settings) {
  useSetting(setting);
  for (const scenario of counted) {
    scenario.before?.();
    await scenario.run(group.ops);
    scenario.after?.();
  }
}
for (const setting of settings) {
  useSetting(setting);
  for (const scenario of counted) {
    scenario.before?.();
    const before = recorded.ended;
    cut();
    for (let run = 0; run < RUNS; run++) {
      await scenario.run(group.ops);
      cut();
    }
    rows.push({ setting, name: scenario.name, role: scenario.role, floor: scenario.floor, anchor: scenario.anchor, spans: (recorded.ended - before) / RUNS });
    scenario.after?.();
  }
}
console.log(`ICOUNT ${JSON.stringify({ group: group.id, ops: group.ops, runs: RUNS, node: process.version, burnt, rows })}`);
process.exit(0);
