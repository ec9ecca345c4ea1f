export * from './status';
export * from './plan';
export * from './start';
export * from './backupFiles';
export * from './cutover';
export * from './monitor';
export * from './chainCheck';
export * from './cutoverLocation';
