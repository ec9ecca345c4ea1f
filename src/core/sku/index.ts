export * from './miLimits';
export * from './recommend';
export * from './report';
