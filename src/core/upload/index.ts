export * from './blockUpload';
export * from './databaseUpload';
export * from './watch';
