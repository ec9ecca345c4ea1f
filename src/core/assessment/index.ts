export * from './catalog';
export * from './probes';
export * from './report';
export * from './reportHtml';
export * from './reportText';
export * from './rule';
export * from './runner';
export { splitCode, sqlLike, type CodeText } from './tsqlText';
