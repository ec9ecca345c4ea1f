/**
 * Everything the editor uses from the Azure, migration, upload, source and assessment core, in
 * one module. The build bundles it on its own (dist/extension-core.js) and the extension loads
 * it on first use through `loadCore()`, so activation never parses the Azure SDK or the SQL
 * Server driver. No `vscode` here.
 */
export * from '../../core/azure';
export * from '../../core/migration';
export * from '../../core/upload';
export { connectSource, parseServerAddress, readInventory, SourceError, type SourceConnectionOptions, type EncryptMode } from '../../core/source';
export { assessServer, reportToCsv, reportToHtml, reportToJson, type AssessmentReport, type AssessmentProgress } from '../../core/assessment';
export { tierOfInstance, maxUserDatabases } from '../../core/sku/miLimits';
export { discover, serverAddressOf, type DiscoveredServer, type DiscoveryReport } from '../../core/discovery/discover';
