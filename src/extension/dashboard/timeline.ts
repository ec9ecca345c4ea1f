/**
 * The restore timeline of one migration as an SVG picture: one row per backup file, in LSN
 * order, showing when the backup was taken, when it was uploaded and when it was restored.
 * Colours are CSS classes that the details view maps to theme colours.
 */
import * as l10n from '@vscode/l10n';
import type { FileState } from '../../core/migration/backupFiles';
import { byFirstLsn, type FileHistory } from './observations';

const ROW = 26;
const LABEL = 220;
const PLOT = 560;
const TOP = 34;
const BOTTOM = 30;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function first(h: FileHistory, ...states: FileState[]): Date | undefined {
  const times = states.map((s) => h.seen.get(s)).filter((d): d is Date => !!d);
  return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : undefined;
}

function clock(d: Date): string {
  return d.toISOString().slice(11, 19);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface TimelineOptions {
  now: Date;
}

/** An SVG document (no scripts, no external references), or undefined when nothing was observed yet. */
export function timelineSvg(files: readonly FileHistory[], options: TimelineOptions): string | undefined {
  if (files.length === 0) return undefined;
  const rows = [...files].sort(byFirstLsn);
  const seen = rows.flatMap((h) => [...h.seen.values()]).map((d) => d.getTime());
  const taken = rows.map((h) => h.backupFinished?.getTime()).filter((t): t is number => t !== undefined);
  const end = Math.max(options.now.getTime(), ...seen, ...taken);
  const firstSeen = seen.length ? Math.min(...seen) : Math.min(...taken);
  // Old backups (hours before the migration started) would squeeze what happened since into a
  // sliver: the axis starts shortly before the first observation and older points sit at its edge.
  const watched = Math.max(end - firstSeen, 1000);
  const start = Math.max(Math.min(firstSeen, ...taken), firstSeen - watched / 3);
  const span = Math.max(end - start, 1000);
  const x = (d: Date) => LABEL + (Math.max(d.getTime() - start, 0) / span) * PLOT;
  const height = TOP + rows.length * ROW + BOTTOM;
  const width = LABEL + PLOT + 40;
  const parts: string[] = [];
  const title = l10n.t('Restore timeline: when each backup file was taken, uploaded and restored');
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-labelledby="tl-title">`);
  parts.push(`<title id="tl-title">${escapeXml(title)}</title>`);

  // Time axis: five ticks.
  for (let i = 0; i <= 4; i++) {
    const t = new Date(start + (span * i) / 4);
    const tx = LABEL + (PLOT * i) / 4;
    parts.push(`<line class="grid" x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${height - BOTTOM + 4}"/>`);
    parts.push(`<text class="axis" x="${tx}" y="${height - 10}" text-anchor="middle">${clock(t)}</text>`);
  }
  parts.push(`<text class="axis" x="${LABEL}" y="16">${escapeXml(l10n.t('UTC'))}</text>`);

  rows.forEach((h, i) => {
    const y = TOP + i * ROW + ROW / 2;
    parts.push(`<text class="label" x="${LABEL - 8}" y="${y + 4}" text-anchor="end"><title>${escapeXml(h.fileName)}</title>${escapeXml(truncate(h.fileName, 30))}</text>`);
    const uploading = first(h, 'Uploading');
    const uploaded = first(h, 'Uploaded', 'Restoring', 'Restored');
    const restoring = first(h, 'Restoring');
    const restored = first(h, 'Restored');
    const ignored = first(h, 'Ignored');
    const seg = (cls: string, a: Date | undefined, b: Date | undefined) => {
      if (!a) return;
      const x1 = x(a);
      const x2 = Math.max(x(b ?? options.now), x1 + 2);
      parts.push(`<rect class="${cls}" x="${x1.toFixed(1)}" y="${y - 5}" width="${(x2 - x1).toFixed(1)}" height="10" rx="2"/>`);
    };
    if (h.backupFinished) {
      const label = `<title>${escapeXml(l10n.t('Backup taken {0}', h.backupFinished.toISOString()))}</title>`;
      parts.push(
        h.backupFinished.getTime() < start
          ? `<path class="before" d="M${LABEL + 6} ${y - 4} L${LABEL} ${y} L${LABEL + 6} ${y + 4} Z">${label}</path>`
          : `<circle class="taken" cx="${x(h.backupFinished).toFixed(1)}" cy="${y}" r="4">${label}</circle>`,
      );
    }
    seg('uploading', uploading, uploaded);
    seg('waiting', uploaded, restoring ?? restored);
    seg('restoring', restoring, restored);
    if (restored) parts.push(`<circle class="restored" cx="${x(restored).toFixed(1)}" cy="${y}" r="5"><title>${escapeXml(l10n.t('Restored {0}', restored.toISOString()))}</title></circle>`);
    if (ignored) parts.push(`<text class="ignored" x="${x(ignored).toFixed(1)}" y="${y + 4}">⊘ ${escapeXml(l10n.t('ignored'))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
