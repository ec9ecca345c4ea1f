/** Every `sqlmig` command, in the order `sqlmig help` lists them. */
import type { Command } from '../command';
import { assess } from './assess';
import { backupsScan } from './backupsScan';
import { backupsUpload } from './backupsUpload';
import { clouds } from './clouds';
import { dmsCreate, dmsKeys, dmsNodes, dmsRegenerateKey, dmsShow } from './dms';
import { loginsApply, loginsPlan } from './logins';
import { migrateCancel, migrateDelete } from './migrateCancel';
import { migrateCutover } from './migrateCutover';
import { migrateStart } from './migrateStart';
import { migrateStatus } from './migrateStatus';
import { serverObjectsApply, serverObjectsScript } from './serverObjects';
import { targetsList } from './targets';
import { tdeApply, tdePlan } from './tde';

export const commands: Command[] = [
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
  loginsPlan,
  loginsApply,
  tdePlan,
  tdeApply,
  serverObjectsScript,
  serverObjectsApply,
];
