import type { IcountGroup } from './scenario.js';

/** Loaded on demand: a probe imports only its own group's libraries (module loading is most of a probe's startup). */
const LOADERS: Record<string, () => Promise<IcountGroup>> = {
  collector: async () => (await import('./groups/collector.js')).collectorGroup,
  knex: async () => (await import('./groups/knex.js')).knexGroup,
  bullmq: async () => (await import('./groups/bullmq.js')).bullmqGroup,
  fetch: async () => (await import('./groups/fetch.js')).fetchGroup,
  keyv: async () => (await import('./groups/keyv.js')).keyvGroup,
};

export const GROUP_IDS = Object.keys(LOADERS);

export async function loadGroup(id: string): Promise<IcountGroup> {
  const load = LOADERS[id];
  if (!load) throw new Error(`no instruction-count group ${id}; known: ${GROUP_IDS.join(', ')}`);
  return load();
}
