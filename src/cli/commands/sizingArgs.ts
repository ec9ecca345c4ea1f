/** What the sizing, baseline and validation commands share: durations, numbers, a progress line. */
import type { CollectProgress } from '../../core/perf';
import { formatSpan } from '../../core/sku/recommend';
import { UsageError, type Io, type Values } from '../command';

/** 600, 600s, 10m, 2h, 1d: seconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`--${option} wants a duration like 600, 10m, 2h or 1d, not "${text}"`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const seconds = n * (unit.startsWith('m') ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : 1);
  if (!(seconds > 0)) throw new UsageError(`--${option} must be more than 0`);
  return seconds;
}

export function numberOption(values: Values, name: string, min: number, max: number): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} wants a number from ${min} to ${max}, not "${v}"`);
  return n;
}

export function timeOption(values: Values, name: string): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(' ', 'T')}Z`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new UsageError(`--${name} wants a UTC time like 2026-11-02T08:00, not "${v}"`);
  return t;
}

/** A progress bar on a terminal (redrawn in place), a line every 10 samples otherwise. */
export function progressPrinter(io: Io, intervalSec: number): { update(p: CollectProgress): void; done(): void } {
  let drawn = false;
  return {
    update(p) {
      const width = 24;
      const filled = Math.round((p.taken / p.planned) * width);
      const remaining = Math.max(0, (p.planned - p.taken) * intervalSec);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.taken}/${p.planned} samples, ${formatSpan(remaining)} to go; the folder covers ${formatSpan(p.spanSeconds)}; last sample ${p.lastCostMs.toFixed(0)} ms`;
      if (io.isTty) {
        io.err(`\r${line}\x1b[K`);
        drawn = true;
      } else if (p.taken === 1 || p.taken === p.planned || p.taken % 10 === 0) io.err(line);
    },
    done() {
      if (drawn) io.err('\n');
    },
  };
}
