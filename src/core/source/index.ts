export * from './address';
export * from './connection';
export * from './errors';
export * from './inventory';
export * from './target';
