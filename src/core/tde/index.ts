export * from './pvk';
export * from './pkcs12';
export * from './sourceCertificates';
export * from './upload';
export * from './plan';
export * from './session';
