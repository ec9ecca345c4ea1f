/**
 * Log sequence numbers. On disk an LSN is 10 bytes: VLF sequence (u32), log block offset (u32),
 * slot (u16). SQL Server prints it as one decimal number, vlf * 10^15 + block * 10^5 + slot,
 * which exceeds 2^53: always a bigint here.
 */
import type { Window } from './binary';

export type Lsn = bigint;

export function lsnFromParts(vlf: number, block: number, slot: number): Lsn {
  // block * 10^5 + slot < 2^53 (block is a u32), so only the VLF part needs bigint arithmetic.
  const low = block * 100_000 + slot;
  return vlf === 0 ? BigInt(low) : BigInt(vlf) * 1_000_000_000_000_000n + BigInt(low);
}

export function readLsn(w: Window, offset: number): Lsn {
  return lsnFromParts(w.u32(offset, 'an LSN'), w.u32(offset + 4, 'an LSN'), w.u16(offset + 8, 'an LSN'));
}

export function lsnParts(lsn: Lsn): { vlf: number; block: number; slot: number } {
  return {
    vlf: Number(lsn / 1_000_000_000_000_000n),
    block: Number((lsn / 100_000n) % 10_000_000_000n),
    slot: Number(lsn % 100_000n),
  };
}

/** The decimal form SQL Server shows in RESTORE HEADERONLY and msdb. */
export function formatLsn(lsn: Lsn): string {
  return lsn.toString();
}

/** The `vlf:block:slot` hex form used by DBCC LOG and fn_dblog. */
export function formatLsnHex(lsn: Lsn): string {
  const { vlf, block, slot } = lsnParts(lsn);
  return `${vlf.toString(16).padStart(8, '0')}:${block.toString(16).padStart(8, '0')}:${slot.toString(16).padStart(4, '0')}`;
}

export function parseLsn(text: string): Lsn {
  if (!/^\d{1,25}$/.test(text)) throw new Error(`not an LSN: ${JSON.stringify(text)}`);
  return BigInt(text);
}
