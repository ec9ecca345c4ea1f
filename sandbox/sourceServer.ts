/**
 * The hook for the source SQL Server stand-in (a TDS server under sandbox/tds). When it exists,
 * point `startSourceServer` at its `startTdsServer`; the sandbox then starts it with the seed
 * profile's `sourceServer` section and reports where it listens. Until then the sandbox runs
 * without one.
 */
export interface SourceServer {
  port: number;
  stop(): Promise<void>;
}

export type StartSourceServer = (options: { profile: unknown; port?: number; host?: string }) => Promise<SourceServer>;

export const startSourceServer: StartSourceServer | undefined = undefined;
