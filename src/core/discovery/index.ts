export * from './discover';
export * from './export';
export { decodePreloginReply, encodePrelogin, probeTds, TdsFormatError, type PreloginReply, type ServerEncryption, type TdsProbe } from './prelogin';
export * from './ssrp';
export * from './targets';
