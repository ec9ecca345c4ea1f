export * from './estimate';
export * from './model';
export * from './retailPrices';
