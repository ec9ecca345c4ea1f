export * from './cloud';
export * from './pipeline';
export * from './retry';
export * from './requestBudget';
export * from './errors';
export * from './context';
export * from './armId';
export * from './subscriptions';
export * from './resourceGroups';
export * from './managedInstances';
export * from './storage';
export * from './dms/models';
export * from './dms/client';
// credentials.ts (@azure/identity) is imported directly by the CLI: the editor brings its own session.
export * from './blobSource';
