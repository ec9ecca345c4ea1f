/**
 * TLS for the sandbox server. TDS 7.x negotiates TLS inside PRELOGIN messages: the client wraps
 * each handshake flight in a PRELOGIN message and waits for exactly one message back, then both
 * sides switch to plain TLS records on the socket. TDS 8.0 ("strict") starts with TLS right away.
 * The certificate is generated when the server starts (self-signed, for localhost and loopback
 * addresses only), so clients must either trust it explicitly or set trustServerCertificate.
 */
import { constants } from 'node:crypto';
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { generate } from 'selfsigned';

export interface ServerCertificate {
  key: string;
  cert: string;
}

/** `dnsNames`: more names the certificate is for (the sandbox managed instance's host name). */
export async function generateCertificate(commonName = 'localhost', dnsNames: string[] = []): Promise<ServerCertificate> {
  const notAfter = new Date(Date.now() + 30 * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, ...dnsNames.map((value) => ({ type: 2 as const, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** Two connected in-memory streams: what one writes, the other reads. */
function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        other().push(chunk);
        callback();
      },
      final(callback) {
        other().push(null);
        callback();
      },
    });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

const RECORD = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22 } as const;
const SERVER_HELLO_DONE = 14;

/**
 * Whether `bytes` (TLS records the server produced since the client's last flight) end a server
 * flight: ServerHelloDone or an alert ('flight'), or Finished after ChangeCipherSpec, which ends
 * the handshake ('last').
 */
export function flightState(bytes: Buffer): 'incomplete' | 'flight' | 'last' {
  let at = 0;
  let sawChangeCipherSpec = false;
  let handshake = Buffer.alloc(0);
  let complete: 'incomplete' | 'flight' | 'last' = 'incomplete';
  while (at + 5 <= bytes.length) {
    const type = bytes[at]!;
    const length = bytes.readUInt16BE(at + 3);
    if (at + 5 + length > bytes.length) return 'incomplete';
    const body = bytes.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if (type === RECORD.ALERT) complete = 'flight';
    else if (type === RECORD.CHANGE_CIPHER_SPEC) sawChangeCipherSpec = true;
    else if (type === RECORD.HANDSHAKE) {
      if (sawChangeCipherSpec) complete = 'last'; // the encrypted Finished
      else {
        handshake = Buffer.concat([handshake, body]);
        for (let h = 0; h + 4 <= handshake.length; h += 4 + handshake.readUIntBE(h + 1, 3)) {
          if (handshake[h] === SERVER_HELLO_DONE) complete = 'flight';
        }
      }
    }
  }
  return at === bytes.length ? complete : 'incomplete';
}

export interface PreloginTls {
  /** The decrypted side: TDS messages are read from and written to it once the handshake is done. */
  cleartext: tls.TLSSocket;
  /** Feeds the payload of a PRELOGIN message the client sent during the handshake. */
  receiveHandshake(payload: Buffer): void;
  /** Feeds TLS records read straight from the socket, after the handshake. */
  receiveRecords(chunk: Buffer): void;
}

export interface PreloginTlsIo {
  /** Sends one complete server flight as one PRELOGIN message. */
  sendFlight(records: Buffer): void;
  /** Writes TLS records straight to the socket (after the handshake). */
  writeRecords(records: Buffer): void;
  /** Runs right after the flight that ends the handshake was sent: from now on, records go raw. */
  onHandshakeSent(): void;
}

/** A server-side TLS session whose handshake travels in PRELOGIN messages. */
export function startPreloginTls(certificate: ServerCertificate, io: PreloginTlsIo): PreloginTls {
  const [inner, outer] = duplexPair();
  const cleartext = new tls.TLSSocket(inner as unknown as Socket, {
    isServer: true,
    secureContext: tls.createSecureContext({
      key: certificate.key,
      cert: certificate.cert,
      maxVersion: 'TLSv1.2', // tedious caps TDS 7.x handshakes at TLS 1.2
      secureOptions: constants.SSL_OP_NO_TICKET,
    }),
  });
  let pending = Buffer.alloc(0);
  let tunnelled = true;
  outer.on('data', (chunk: Buffer) => {
    if (!tunnelled) {
      io.writeRecords(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const state = flightState(pending);
    if (state === 'incomplete') return;
    const flight = pending;
    pending = Buffer.alloc(0);
    io.sendFlight(flight);
    if (state === 'last') {
      tunnelled = false;
      io.onHandshakeSent();
    }
  });
  return {
    cleartext,
    receiveHandshake: (payload) => outer.write(payload),
    receiveRecords: (chunk) => outer.write(chunk),
  };
}

/** TDS 8.0: TLS from the first byte, over any byte stream (ALPN "tds/8.0"). */
export function startStrictTls(certificate: ServerCertificate, writeRecords: (records: Buffer) => void): PreloginTls {
  const [inner, outer] = duplexPair();
  const cleartext = new tls.TLSSocket(inner as unknown as Socket, {
    isServer: true,
    ALPNProtocols: ['tds/8.0'],
    secureContext: tls.createSecureContext({ key: certificate.key, cert: certificate.cert }),
  });
  outer.on('data', (chunk: Buffer) => writeRecords(chunk));
  const feed = (chunk: Buffer) => void outer.write(chunk);
  return { cleartext, receiveHandshake: feed, receiveRecords: feed };
}
