/** Postgres LSNs ('16/B374D848') as 64-bit integers: compared and stepped without float loss. */

export function parseLsn(text: string): bigint {
  const slash = text.indexOf('/');
  if (slash <= 0) throw new TypeError(`not an LSN: ${text}`);
  return (BigInt(`0x${text.slice(0, slash)}`) << 32n) | BigInt(`0x${text.slice(slash + 1)}`);
}

export function formatLsn(value: bigint): string {
  const high = (value >> 32n).toString(16).toUpperCase();
  const low = (value & 0xffffffffn).toString(16).toUpperCase().padStart(8, '0');
  return `${high}/${low}`;
}

export const ZERO_LSN = 0n;
