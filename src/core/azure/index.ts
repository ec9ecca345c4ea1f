export * from './cloud';
export * from './pipeline';
