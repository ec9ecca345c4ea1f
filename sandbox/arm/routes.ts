/**
 * Every operation the ARM emulator serves, by resource provider, and the sandbox's own routes.
 * Each is a named function whose route is declared beside it (see router.ts); this is the
 * whole registration.
 */
import { Clock_Get, Clock_Set, Faults_Add, Faults_Clear, Faults_FailRestore, Faults_List, Faults_RuntimeOffline, Faults_SlowOperations } from './control';
import {
  DatabaseMigrationsSqlMi_cancel,
  DatabaseMigrationsSqlMi_CreateOrUpdate,
  DatabaseMigrationsSqlMi_cutover,
  DatabaseMigrationsSqlMi_Delete,
  DatabaseMigrationsSqlMi_Get,
} from './databaseMigrations';
import type { ArmOperation } from './emulator';
import {
  OperationResults_Get,
  ResourceGroups_CheckExistence,
  ResourceGroups_CreateOrUpdate,
  ResourceGroups_Delete,
  ResourceGroups_Get,
  ResourceGroups_List,
  Subscriptions_Get,
  Subscriptions_List,
  Tenants_List,
} from './resources';
import { ManagedDatabaseRestoreDetails_Get, ManagedDatabases_CompleteRestore, ManagedDatabases_CreateOrUpdate } from './logReplay';
import { ManagedInstanceTdeCertAzureAsyncOperation_Get, ManagedInstanceTdeCertificates_Create } from './managedInstanceTdeCertificates';
import { Runtime_Heartbeat, Runtime_Register, Runtime_Report } from './runtimeRoutes';
import {
  ManagedDatabaseAzureAsyncOperation_Get,
  ManagedDatabases_Delete,
  ManagedDatabases_Get,
  ManagedDatabases_ListByInstance,
  ManagedInstances_Get,
  ManagedInstances_List,
  ManagedInstances_ListByResourceGroup,
} from './sql';
import {
  DataMigrationOperationStatuses_Get,
  SqlMigrationServices_CreateOrUpdate,
  SqlMigrationServices_Delete,
  SqlMigrationServices_deleteNode,
  SqlMigrationServices_Get,
  SqlMigrationServices_ListByResourceGroup,
  SqlMigrationServices_ListBySubscription,
  SqlMigrationServices_listAuthKeys,
  SqlMigrationServices_listMigrations,
  SqlMigrationServices_listMonitoringData,
  SqlMigrationServices_regenerateAuthKeys,
  SqlMigrationServices_Update,
} from './sqlMigrationServices';
import {
  BlobContainers_Create,
  BlobContainers_Get,
  BlobContainers_List,
  StorageAccounts_GetProperties,
  StorageAccounts_List,
  StorageAccounts_ListByResourceGroup,
  StorageAccounts_ListKeys,
} from './storage';

/** The ARM operations: bearer token, api-version, fault injection (server.ts). */
export const ARM_OPERATIONS: readonly ArmOperation[] = [
  // Microsoft.Resources (resources.ts)
  Tenants_List,
  Subscriptions_List,
  Subscriptions_Get,
  ResourceGroups_List,
  ResourceGroups_Get,
  ResourceGroups_CheckExistence,
  ResourceGroups_CreateOrUpdate,
  ResourceGroups_Delete,
  OperationResults_Get,
  // Microsoft.Sql (sql.ts)
  ManagedInstances_List,
  ManagedInstances_ListByResourceGroup,
  ManagedInstances_Get,
  ManagedDatabases_ListByInstance,
  ManagedDatabases_Get,
  ManagedDatabases_Delete,
  ManagedDatabaseAzureAsyncOperation_Get,
  // Microsoft.Sql: the Log Replay Service (logReplay.ts)
  ManagedDatabases_CreateOrUpdate,
  ManagedDatabases_CompleteRestore,
  ManagedDatabaseRestoreDetails_Get,
  // Microsoft.Sql: TDE certificates uploaded to an instance (managedInstanceTdeCertificates.ts)
  ManagedInstanceTdeCertificates_Create,
  ManagedInstanceTdeCertAzureAsyncOperation_Get,
  // Microsoft.Storage (storage.ts)
  StorageAccounts_List,
  StorageAccounts_ListByResourceGroup,
  StorageAccounts_GetProperties,
  StorageAccounts_ListKeys,
  BlobContainers_List,
  BlobContainers_Get,
  BlobContainers_Create,
  // Microsoft.DataMigration: services (sqlMigrationServices.ts)
  DataMigrationOperationStatuses_Get,
  SqlMigrationServices_ListBySubscription,
  SqlMigrationServices_ListByResourceGroup,
  SqlMigrationServices_Get,
  SqlMigrationServices_CreateOrUpdate,
  SqlMigrationServices_Update,
  SqlMigrationServices_Delete,
  SqlMigrationServices_listAuthKeys,
  SqlMigrationServices_regenerateAuthKeys,
  SqlMigrationServices_listMonitoringData,
  SqlMigrationServices_deleteNode,
  SqlMigrationServices_listMigrations,
  // Microsoft.DataMigration: database migrations to a managed instance (databaseMigrations.ts)
  DatabaseMigrationsSqlMi_Get,
  DatabaseMigrationsSqlMi_CreateOrUpdate,
  DatabaseMigrationsSqlMi_Delete,
  DatabaseMigrationsSqlMi_cutover,
  DatabaseMigrationsSqlMi_cancel,
];

/** The sandbox's own routes under `/_sandbox/`: no api-version, never faulted. */
export const SANDBOX_ROUTES: readonly ArmOperation[] = [
  // The clock and fault injection (control.ts), with the bearer token.
  Clock_Get,
  Clock_Set,
  Faults_List,
  Faults_Add,
  Faults_Clear,
  Faults_SlowOperations,
  Faults_RuntimeOffline,
  Faults_FailRestore,
  // The integration runtime's protocol (runtimeRoutes.ts), with a service's authentication key.
  Runtime_Register,
  Runtime_Heartbeat,
  Runtime_Report,
];
