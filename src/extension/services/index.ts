/**
 * Which implementation backs each service in this build. Real today: signing in (VS Code's
 * accounts, or a cloud file's token), the status rules, and the local backup-chain check.
 * The rest is the slot the Azure core fills: replace each `notWired(...)` with its client.
 */
import { documentedRules } from '../dashboard/statusRules';
import type { Redactor } from '../redact';
import { vscodeAccounts } from './accounts';
import { localBackupCheck } from './backupCheck';
import { notWired } from './notWired';
import type { Backend } from './types';

export function createBackend(redactor: Redactor): Backend {
  return {
    feed: notWired('Listing migrations'),
    operations: notWired('Completing, canceling and deleting migrations'),
    rules: documentedRules,
    wizard: {
      accounts: vscodeAccounts(redactor),
      subscriptions: notWired('Listing subscriptions'),
      source: notWired('Connecting to the source SQL Server', 'the SQL Server connection'),
      targets: notWired('Listing managed instances'),
      storage: notWired('Listing storage accounts and containers'),
      backupCheck: localBackupCheck,
      migrationServices: notWired('Creating and registering a Database Migration Service'),
      starter: notWired('Starting migrations'),
    },
  };
}
