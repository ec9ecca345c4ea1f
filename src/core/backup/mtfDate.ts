/**
 * MTF dates: 5 bytes, big-endian bit fields year:14 month:4 day:5 hour:5 minute:6 second:6,
 * all zero for "no date". SQL Server writes the server's local time; the backup set descriptor
 * carries the offset from UTC, which turns it into an instant.
 */
import type { Window } from './binary';

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function readMtfDate(w: Window, offset: number): LocalDateTime | undefined {
  const b = w.slice(offset, 5, 'a date');
  // 40 bits do not fit a 32-bit int: split as the top 8 bits and the low 32.
  const hi = b[0]!;
  const lo = ((b[1]! << 24) >>> 0) + (b[2]! << 16) + (b[3]! << 8) + b[4]!;
  if (hi === 0 && lo === 0) return undefined;
  const year = (hi << 6) | (lo >>> 26);
  return {
    year,
    month: (lo >>> 22) & 0xf,
    day: (lo >>> 17) & 0x1f,
    hour: (lo >>> 12) & 0x1f,
    minute: (lo >>> 6) & 0x3f,
    second: lo & 0x3f,
  };
}

export function encodeMtfDate(d: LocalDateTime): Uint8Array {
  const hi = d.year >>> 6;
  const lo =
    (((d.year & 0x3f) << 26) >>> 0) + (d.month << 22) + (d.day << 17) + (d.hour << 12) + (d.minute << 6) + d.second;
  return Uint8Array.of(hi, (lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

/** Converts a server-local time to an instant, given the server's offset from UTC in minutes. */
export function toInstant(d: LocalDateTime, utcOffsetMinutes: number): Date {
  return new Date(Date.UTC(d.year, d.month - 1, d.day, d.hour, d.minute, d.second) - utcOffsetMinutes * 60_000);
}

export function toLocal(instant: Date, utcOffsetMinutes: number): LocalDateTime {
  const t = new Date(instant.getTime() + utcOffsetMinutes * 60_000);
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
    second: t.getUTCSeconds(),
  };
}

/** ISO 8601 in the server's own local time with its offset, e.g. 2017-06-01T10:12:34+01:00. */
export function formatIsoWithOffset(instant: Date, utcOffsetMinutes: number): string {
  const l = toLocal(instant, utcOffsetMinutes);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return `${p(l.year, 4)}-${p(l.month)}-${p(l.day)}T${p(l.hour)}:${p(l.minute)}:${p(l.second)}${sign}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
}

/** A date is plausible when its fields are in range (a corrupt header often is not). */
export function isValidLocal(d: LocalDateTime): boolean {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31 && d.hour < 24 && d.minute < 60 && d.second < 60;
}
