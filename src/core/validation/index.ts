export * from './baseline';
export * from './baselineReport';
export * from './queries';
export * from './report';
export * from './validate';
