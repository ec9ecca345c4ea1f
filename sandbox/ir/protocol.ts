/**
 * What the emulated self-hosted integration runtime (ir/runtime.ts) and the emulated migration
 * service (arm/runtimeRoutes.ts, dms/migration.ts) say to each other, under `/_sandbox/ir/`.
 * Every request carries the node's `authKey` and `nodeName`.
 */

/** `POST /_sandbox/ir/register` answers this. */
export interface RegisterReply {
  serviceId: string;
  integrationRuntimeName: string;
  nodeName: string;
  /** How often the service expects a heartbeat, in real milliseconds. */
  heartbeatMs: number;
}

/** One network-share migration the runtime uploads for. Carries secrets: never log it. */
export interface UploadJob {
  migrationId: string;
  /** The local folder standing in for the share. */
  folder: string;
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  container: string;
}

/** `POST /_sandbox/ir/heartbeat` (with the node's figures in `stats`) answers this. */
export interface HeartbeatReply {
  jobs: UploadJob[];
}

/** What the runtime says about one file of a share (`POST /_sandbox/ir/report`, with `migrationId` and `errors`). */
export interface FileReport {
  name: string;
  size: number;
  status: 'Arrived' | 'Uploading' | 'Uploaded';
  dataWritten: number;
  copyThroughput: number;
  copyDuration: number;
}
