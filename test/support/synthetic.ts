/** Readings of synthetic backups held in memory, named as if they sat in folders. */
import { BufferSource, readBackup, type BackupReading } from '../../src/core/backup';
import type { ChainFile } from '../../sandbox/backups/sampleChain';

export interface NamedBytes {
  path: string;
  bytes: Uint8Array;
}

export function inFolder(folder: string, files: ChainFile[]): NamedBytes[] {
  return files.map((f) => ({ path: `/backups/${folder}/${f.fileName}`, bytes: f.bytes }));
}

export async function readAll(files: NamedBytes[]): Promise<BackupReading[]> {
  const out: BackupReading[] = [];
  for (const f of files) out.push(await readBackup(new BufferSource(f.bytes, f.path)));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export const names = (paths: string[]) => paths.map((p) => p.slice(p.lastIndexOf('/') + 1));
