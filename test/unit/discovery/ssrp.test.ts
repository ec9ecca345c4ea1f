/**
 * The SQL Server Resolution Protocol messages ([MC-SQLR]): requests as the specification writes
 * them, replies read strictly (every malformed reply says what is wrong), and a round trip
 * through the encoder the sandbox's responder uses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, SsrpFormatError, type SsrpInstance } from '../../../src/core/discovery/ssrp';
import { malformedReply } from '../../../sandbox/ssrp';

const reply = (data: string, size = Buffer.byteLength(data, 'latin1')) => {
  const head = Buffer.from([0x05, 0, 0]);
  head.writeUInt16LE(size, 1);
  return Buffer.concat([head, Buffer.from(data, 'latin1')]);
};

test('requests: CLNT_BCAST_EX 0x02, CLNT_UCAST_EX 0x03, CLNT_UCAST_INST 0x04 + name + NUL (at most 32 bytes)', () => {
  assert.deepEqual([...encodeRequest('broadcast')], [0x02]);
  assert.deepEqual([...encodeRequest('all')], [0x03]);
  assert.deepEqual([...encodeRequest('instance', 'SALES')], [0x04, 0x53, 0x41, 0x4c, 0x45, 0x53, 0x00]);
  assert.throws(() => encodeRequest('instance', 'X'.repeat(33)), SsrpFormatError);
  assert.throws(() => encodeRequest('instance', ''), SsrpFormatError);
  assert.deepEqual(decodeRequest(encodeRequest('instance', 'SALES')), { kind: 'instance', instance: 'SALES' });
  assert.deepEqual(decodeRequest(Buffer.from([0x02])), { kind: 'broadcast' });
  assert.equal(decodeRequest(Buffer.from([0x0f, 0x01, 0x41, 0])), undefined, 'CLNT_UCAST_DAC is not answered here');
  assert.equal(decodeRequest(Buffer.from([0x03, 0x00])), undefined);
});

test('a reply of several instances: names, clustered, version, TCP port, pipe; other transports kept as written', () => {
  const data =
    'ServerName;SQL01;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;tcp;1433;np;\\\\SQL01\\pipe\\sql\\query;;' +
    'ServerName;SQL01;InstanceName;SALES;IsClustered;Yes;Version;13.0.5026.0;np;\\\\SQL01\\pipe\\MSSQL$SALES\\sql\\query;tcp;50123;via;SQL01,0:1433;;' +
    'ServerName;SQL01;InstanceName;PIPES;IsClustered;no;Version;11.0.7001.0;np;\\\\SQL01\\pipe\\MSSQL$PIPES\\sql\\query;;';
  const list = decodeResponse(reply(data));
  assert.deepEqual(list.map((i) => [i.instanceName, i.clustered, i.version, i.tcpPort]), [
    ['MSSQLSERVER', false, '15.0.2000.5', 1433],
    ['SALES', true, '13.0.5026.0', 50123],
    ['PIPES', false, '11.0.7001.0', undefined],
  ]);
  assert.equal(list[1]!.pipe, '\\\\SQL01\\pipe\\MSSQL$SALES\\sql\\query');
  assert.deepEqual(list[1]!.other, { via: 'SQL01,0:1433' });
  assert.deepEqual(decodeResponse(reply('')), [], 'an empty list');
});

test('the encoder and the decoder agree, and RESP_SIZE is little-endian', () => {
  const instances: SsrpInstance[] = [
    { serverName: 'SQLSANDBOX', instanceName: 'HR', clustered: false, version: '13.0.5026.0', tcpPort: 1500, pipe: '\\\\SQLSANDBOX\\pipe\\MSSQL$HR\\sql\\query' },
    { serverName: 'SQLSANDBOX', instanceName: 'LEGACY', clustered: true, version: '11.0.7001.0', tcpPort: 65535 },
  ];
  const buf = encodeResponse(instances);
  assert.equal(buf[0], 0x05);
  assert.equal(buf.readUInt16LE(1), buf.length - 3);
  assert.deepEqual(decodeResponse(buf), instances);
  assert.throws(() => encodeResponse(instances, 20), /more than 20/);
});

test('malformed replies are refused with what is wrong, never guessed at', () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.from([0x05, 0x01]), /shorter than an SVR_RESP header/],
    [Buffer.from([0x06, 0x00, 0x00]), /not SVR_RESP/],
    [reply('ServerName;A;InstanceName;B;IsClustered;No;Version;1.0;;', 200), /RESP_SIZE says 200 bytes but 56 follow/],
    [reply('ServerName;A;InstanceName;B;IsClustered;No;Version;1.0'), /does not end with ";;"/],
    [reply('Server;A;InstanceName;B;IsClustered;No;Version;1.0;;'), /expected "ServerName"/],
    [reply('ServerName;A;InstanceName;B;IsClustered;No;;'), /expected "Version"/],
    [reply('ServerName;A;InstanceName;B;IsClustered;Perhaps;Version;1.0;;'), /IsClustered is "Perhaps"/],
    [reply('ServerName;A;InstanceName;B;IsClustered;No;Version;fifteen;;'), /version "fifteen"/],
    [reply('ServerName;A;InstanceName;B;IsClustered;No;Version;15.0;tcp;99999;;'), /TCP port "99999"/],
    [reply('ServerName;A;InstanceName;B;IsClustered;No;Version;15.0;smoke;signals;;'), /unknown transport "smoke"/],
    [reply('ServerName;;InstanceName;B;IsClustered;No;Version;15.0;;'), /"ServerName" has no value/],
    [malformedReply('BROKEN'), /IsClustered is "Maybe"/],
  ];
  for (const [buf, why] of cases) {
    assert.throws(() => decodeResponse(buf), (e: Error) => e instanceof SsrpFormatError && why.test(e.message), `${buf.toString('latin1')} -> ${why}`);
  }
  // Bytes after RESP_SIZE are ignored, as the size says where the data ends.
  assert.equal(decodeResponse(Buffer.concat([reply('ServerName;A;InstanceName;B;IsClustered;No;Version;1.0;;'), Buffer.from('junk')]))[0]!.instanceName, 'B');
});
