/** The e2e's workbench helpers live with the harness (scripts/e2e), where the editor bench uses them too. */
export * from '../../scripts/e2e/workbench';
