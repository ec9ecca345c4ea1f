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
export { LrsClient } from '../../core/azure/lrs/client';
export { LrsMonitor } from '../../core/migration/lrsMonitor';
export { completeRestores, readRestore, stopRestores } from '../../core/migration/lrsOperations';
export { lrsCutoverSubject } from '../../core/migration/lrsStatus';
export { validateLrsPlan, type LrsPlan } from '../../core/migration/lrsPlan';
export { runLrsPlan, vetLrsRun } from '../../core/migration/lrsRun';
export { defaultExpectedDays } from '../../core/migration/lrsChecks';
export { managedIdentityAccess } from '../../core/migration/storageAccess';
export { containerSasWithKey } from '../../core/azure/sas';
export { sizeFromFolder } from '../../core/sizingApi';
export { connectTarget, targetEndpoint } from '../../core/source/target';
export { readTdeEvidence, tdeVerdict, type TdeEvidence } from '../../core/migration/tdeCheck';
export { addMapping, applyLogins, applyServerObjects, emptyMapping, parseScript, readLoginChoices, readLoginPlan, scriptSourceServerObjects, ScriptFormatError } from '../../core/serverObjects';
export { applyTdePlan, readTargetThumbprints, readTdePlan, tdeUploadFailed } from '../../core/tde';
export { formatValidation, validateDatabase, validationToHtml } from '../../core/validation';
export { baselineComparisonToHtml, captureBaseline, compareBaselines, formatBaselineComparison, loadBaseline } from '../../core/validation';
