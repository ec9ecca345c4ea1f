/** Every `sqlmig` command, in the order `sqlmig help` lists them. */
import type { Command } from '../command';
import { assess } from './assess';
import { backupsScan } from './backupsScan';

export const commands: Command[] = [assess, backupsScan];
