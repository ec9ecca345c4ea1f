/**
 * A collection on disk: a folder a user can keep, zip and share. `collection.json` holds the
 * server's static facts and the sessions (no connection string, login or password: nothing
 * secret is ever written); `samples.jsonl` holds one raw sample per line, appended as taken, so a
 * collection interrupted anywhere (Ctrl+C, a lost connection, a crash mid-line) resumes by
 * appending to the same folder.
 */
import { mkdir, open, readFile, rename, stat, truncate, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COLLECTION_FORMAT, COLLECTION_FORMAT_VERSION, type CollectionManifest, type PerfCollection, type RawSample } from './model';

export const MANIFEST_FILE = 'collection.json';
export const SAMPLES_FILE = 'samples.jsonl';

export class CollectionError extends Error {}

export async function readManifest(folder: string): Promise<CollectionManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, MANIFEST_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let doc: Partial<CollectionManifest>;
  try {
    doc = JSON.parse(text) as Partial<CollectionManifest>;
  } catch (e) {
    throw new CollectionError(`${join(folder, MANIFEST_FILE)} is not JSON: ${(e as Error).message}`);
  }
  if (doc.format !== COLLECTION_FORMAT) throw new CollectionError(`${join(folder, MANIFEST_FILE)} is not a sqlmig performance collection`);
  if (doc.formatVersion !== COLLECTION_FORMAT_VERSION) throw new CollectionError(`${join(folder, MANIFEST_FILE)} has format version ${String(doc.formatVersion)}; this sqlmig reads ${COLLECTION_FORMAT_VERSION}`);
  if (!doc.server || !doc.host || !Array.isArray(doc.databases) || !Array.isArray(doc.sessions)) throw new CollectionError(`${join(folder, MANIFEST_FILE)} misses its server, host, databases or sessions`);
  return doc as CollectionManifest;
}

/** Written whole to a temporary file, then renamed: a reader never sees half a manifest. */
export async function writeManifest(folder: string, manifest: CollectionManifest): Promise<void> {
  await mkdir(folder, { recursive: true });
  const tmp = join(folder, `.${MANIFEST_FILE}.${process.pid}.tmp`);
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, join(folder, MANIFEST_FILE));
}

export async function appendSample(folder: string, sample: RawSample): Promise<void> {
  await appendFile(join(folder, SAMPLES_FILE), `${JSON.stringify(sample)}\n`);
}

/** Cuts a last line left unfinished by a crash, so appending goes on from a whole line. */
export async function repairSamples(folder: string): Promise<void> {
  const path = join(folder, SAMPLES_FILE);
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (size === 0) return;
  const tailSize = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(tailSize);
  const fh = await open(path, 'r');
  try {
    await fh.read(buf, 0, tailSize, size - tailSize);
  } finally {
    await fh.close();
  }
  if (buf[tailSize - 1] === 0x0a) return;
  const lastNewline = buf.lastIndexOf(0x0a);
  // No newline in the last MiB: the whole tail is one broken line (samples are a few KiB).
  await truncate(path, lastNewline < 0 ? size - tailSize : size - tailSize + lastNewline + 1);
}

export function parseSamples(text: string, source: string): RawSample[] {
  const out: RawSample[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as RawSample);
    } catch (e) {
      // An unfinished last line (a crash while writing) is not data; anything else is damage to report.
      if (i === lines.length - 1) return;
      throw new CollectionError(`${source} line ${i + 1} is not a sample: ${(e as Error).message}`);
    }
  });
  return out.sort((a, b) => a.t - b.t);
}

export async function readCollection(folder: string): Promise<PerfCollection> {
  const manifest = await readManifest(folder);
  if (!manifest) throw new CollectionError(`${folder} holds no sqlmig collection (${MANIFEST_FILE})`);
  let text = '';
  try {
    text = await readFile(join(folder, SAMPLES_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return { folder, manifest, samples: parseSamples(text, join(folder, SAMPLES_FILE)) };
}
