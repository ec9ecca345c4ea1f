export * from './cloud';
export * from './pipeline';
export * from './blobSource';
