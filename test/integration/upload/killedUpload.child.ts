/**
 * Run by upload.test.ts: uploads one file and kills itself (SIGKILL, no cleanup) once a few
 * blocks are on the service, as a crash or a pulled plug would.
 * Env: CONN (connection string), CONTAINER, BLOB, FILE, BLOCK_SIZE, KILL_AFTER.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { uploadFileAsBlocks } from '../../../src/core/upload';

async function main(): Promise<void> {
  const env = process.env;
  const container = BlobServiceClient.fromConnectionString(env.CONN!).getContainerClient(env.CONTAINER!);
  await container.createIfNotExists();
  const killAfter = Number(env.KILL_AFTER);
  await uploadFileAsBlocks(env.FILE!, container.getBlockBlobClient(env.BLOB!), {
    blockSize: Number(env.BLOCK_SIZE),
    concurrency: 2,
    onProgress: (p) => {
      if (p.blocksSent >= killAfter) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write('finished without being killed\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(3);
});
