export * from './collector';
export * from './csv';
export * from './microsoftCsv';
export * from './model';
export * from './queries';
export * from './series';
export * from './store';

import { stat } from 'node:fs/promises';
import { findMicrosoftCollections, importMicrosoftCollection, type MicrosoftImportOptions } from './microsoftCsv';
import { readCollection, readManifest } from './store';
import { seriesOfCollection, type SeriesWindow, type WorkloadSeries } from './series';

export interface OpenedSeries {
  series: WorkloadSeries;
  /** What the reader found worth saying (import assumptions, unknown counters, restarts). */
  notes: string[];
}

/**
 * The series of a folder, whatever made it: a sqlmig collection (collection.json) or Microsoft's
 * collector (its three CSV files). The faces call this; they never need to know which it was.
 */
export async function openSeries(folder: string, options: MicrosoftImportOptions & { window?: SeriesWindow } = {}): Promise<OpenedSeries> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${folder} is not a folder`);
  if (await readManifest(folder)) {
    const series = seriesOfCollection(await readCollection(folder), options.window);
    return { series, notes: [...series.notes] };
  }
  if ((await findMicrosoftCollections(folder)).size) {
    const w = options.window;
    const imported = await importMicrosoftCollection(folder, { ...options, ...(w?.from !== undefined && { from: w.from }), ...(w?.to !== undefined && { to: w.to }) });
    return {
      series: imported.series,
      notes: [
        ...imported.assumptions,
        ...(imported.unknownCounters.length ? [`Counters not understood, left out: ${imported.unknownCounters.join(', ')}`] : []),
        ...(imported.unknownColumns.length ? [`Columns not understood, left out: ${imported.unknownColumns.join(', ')}`] : []),
        ...(imported.otherInstances.length ? [`The folder also holds: ${imported.otherInstances.join(', ')} (choose with --instance)`] : []),
      ],
    };
  }
  throw new Error(`${folder} holds neither a sqlmig collection (collection.json) nor Microsoft's collector files (*_PerformanceAggregated_Counters.csv)`);
}
