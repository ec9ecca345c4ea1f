/**
 * The sandbox's SQL Server Browser: an SSRP responder ([MC-SQLR]) on loopback that answers
 * CLNT_UCAST_EX and CLNT_UCAST_INST for the instances it is given and, when asked, CLNT_BCAST_EX
 * sent to the loopback broadcast address (127.255.255.255). It can also stay silent or answer
 * with a malformed reply, as broken or filtered hosts do. The UDP port is a parameter (the real
 * protocol's is 1434; tests take any free one). Messages are the core's encoder's, so the two
 * sides share one reading of the specification.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { decodeRequest, encodeResponse, MAX_INSTANCE_RESPONSE, type SsrpInstance } from '../src/core/discovery/ssrp';

/** Where a loopback broadcast arrives (the lo interface is 127.0.0.0/8). */
export const LOOPBACK_BROADCAST = '127.255.255.255';

export type SsrpBehaviour = 'answer' | 'silent' | 'malformed';

export interface SsrpResponderOptions {
  /** A loopback address (127.0.0.1 by default). */
  host?: string;
  /** UDP port; 0 or absent: any free one. */
  port?: number;
  instances: SsrpInstance[];
  /** `silent`: reads requests and never answers; `malformed`: answers what is not a valid SVR_RESP. */
  behaviour?: SsrpBehaviour;
  /** Also answer CLNT_BCAST_EX sent to 127.255.255.255 on the same port. */
  broadcast?: boolean;
}

export interface RunningSsrpResponder {
  host: string;
  port: number;
  /** Requests received, by kind. */
  requests: { broadcast: number; all: number; instance: number; other: number };
  stop(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** What a broken Browser sends: the right type byte and size, a record whose IsClustered is neither Yes nor No. */
export function malformedReply(serverName: string): Buffer {
  const data = Buffer.from(`ServerName;${serverName};InstanceName;BROKEN;IsClustered;Maybe;Version;15.0.2000.5;tcp;1433;;`, 'latin1');
  const head = Buffer.from([0x05, 0, 0]);
  head.writeUInt16LE(data.length, 1);
  return Buffer.concat([head, data]);
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address, exclusive: false }, () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
}

export async function startSsrpResponder(options: SsrpResponderOptions): Promise<RunningSsrpResponder> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) || host === '::1' || host === 'localhost') throw new Error(`the sandbox SQL Server Browser listens on an IPv4 loopback address only, not on ${host}`);
  const behaviour = options.behaviour ?? 'answer';
  const requests = { broadcast: 0, all: 0, instance: 0, other: 0 };
  const unicast = createSocket({ type: 'udp4', reuseAddr: true });
  const sockets: Socket[] = [unicast];
  const serverName = options.instances[0]?.serverName ?? 'SANDBOX';

  const answer = (msg: Buffer, from: RemoteInfo) => {
    const req = decodeRequest(msg);
    if (!req) {
      requests.other++;
      return; // SQL Server Browser ignores what it does not understand
    }
    requests[req.kind]++;
    if (behaviour === 'silent') return;
    let reply: Buffer;
    if (behaviour === 'malformed') reply = malformedReply(serverName);
    else if (req.kind === 'instance') {
      const one = options.instances.filter((i) => i.instanceName.toLowerCase() === req.instance.toLowerCase());
      if (one.length === 0) return; // no such instance: no answer, as the Browser does
      reply = encodeResponse(one, MAX_INSTANCE_RESPONSE);
    } else {
      if (options.instances.length === 0) return;
      reply = encodeResponse(options.instances);
    }
    // Always from this host's own address, also for a broadcast (as a real host answers).
    unicast.send(reply, from.port, from.address);
  };

  unicast.on('message', (msg, from) => answer(msg, from));
  unicast.on('error', () => undefined);
  await bind(unicast, options.port ?? 0, host);
  const port = unicast.address().port;
  if (options.broadcast) {
    const listener = createSocket({ type: 'udp4', reuseAddr: true });
    sockets.push(listener);
    listener.on('message', (msg, from) => answer(msg, from));
    listener.on('error', () => undefined);
    await bind(listener, port, LOOPBACK_BROADCAST);
  }
  return {
    host,
    port,
    requests,
    stop: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((r) => {
        try {
          s.close(() => r());
        } catch {
          r();
        }
      })));
    },
  };
}
