/** Every `sqlmig` command, in the order `sqlmig help` lists them. */
import type { Command } from '../command';
import { assess } from './assess';
import { baselineCapture, baselineCompare } from './baseline';
import { backupsScan } from './backupsScan';
import { backupsUpload } from './backupsUpload';
import { clouds } from './clouds';
import { discoverCommand } from './discover';
import { dmsCreate, dmsKeys, dmsNodes, dmsRegenerateKey, dmsShow } from './dms';
import { loginsApply, loginsPlan } from './logins';
import { logReplayComplete, logReplayStop } from './logReplayComplete';
import { logReplayStart } from './logReplayStart';
import { logReplayStatus } from './logReplayStatus';
import { migrateCancel, migrateDelete } from './migrateCancel';
import { migrateCutover } from './migrateCutover';
import { migrateStart } from './migrateStart';
import { migrateStatus } from './migrateStatus';
import { serverObjectsApply, serverObjectsScript } from './serverObjects';
import { perfCollect, perfShow, recommend } from './sizing';
import { targetsList } from './targets';
import { tdeApply, tdePlan } from './tde';
import { validate } from './validate';

export const commands: Command[] = [
  discoverCommand,
  assess,
  backupsScan,
  backupsUpload,
  clouds,
  targetsList,
  dmsCreate,
  dmsShow,
  dmsKeys,
  dmsRegenerateKey,
  dmsNodes,
  migrateStart,
  migrateStatus,
  migrateCutover,
  migrateCancel,
  migrateDelete,
  logReplayStart,
  logReplayStatus,
  logReplayComplete,
  logReplayStop,
  loginsPlan,
  loginsApply,
  tdePlan,
  tdeApply,
  serverObjectsScript,
  serverObjectsApply,
  perfCollect,
  perfShow,
  recommend,
  baselineCapture,
  baselineCompare,
  validate,
];
