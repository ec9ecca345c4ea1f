/**
 * The private-key format CERTPRIVATEKEY returns (PVK, RC4 under SHA-1(salt || password)) and the
 * PKCS#12 the instance takes, checked against an independent implementation: the openssl
 * command (its PVK reader and writer need OpenSSL 3's legacy provider for RC4). Skipped, with
 * the reason, where openssl is missing.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pvkOf } from '../../../sandbox/tds/pvkWriter';
import { bundledProfile } from '../../../sandbox/tds';
import { buildPfx, certificateThumbprint, CertificateMaterialError, oneTimePassword, readPfx, readPvk, PvkError, rc4 } from '../../../src/core/tde';

const LEGACY = ['-provider', 'legacy', '-provider', 'default'];
const openssl = spawnSync('openssl', ['list', '-providers', ...LEGACY], { encoding: 'utf8' });
const skip = openssl.status === 0 && /legacy/i.test(openssl.stdout) ? false : 'the openssl command with its legacy provider (RC4, for PVK) is not available here';
const dir = mkdtempSync(join(tmpdir(), 'sqlmig-tde-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const profileCert = bundledProfile('default').certificates![0]!;
const keyPath = join(dir, 'key.pem');
writeFileSync(keyPath, profileCert.privateKey!);
const certDer = new X509Certificate(profileCert.certificate).raw;
const run = (args: string[], input?: Buffer) => execFileSync('openssl', args, { ...(input && { input }), stdio: ['pipe', 'pipe', 'pipe'] });
const modulusOf = (key: { modulus: Buffer }) => key.modulus.toString('hex').toUpperCase().replace(/^0+/, '');
const jwkModulus = (pem: string) => Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).n!, 'base64url').toString('hex').toUpperCase().replace(/^0+/, '');

describe('PVK, as CERTPRIVATEKEY returns it', () => {
  test('RC4 is RC4: the RFC 6229 test vector (key 0x0102030405, first bytes of the keystream)', () => {
    assert.equal(rc4(Buffer.from('0102030405', 'hex'), Buffer.alloc(16)).toString('hex'), 'b2396305f03dc027ccc3524a0a1118a8');
  });

  test('reads the PVK openssl writes (strong 128-bit and weak 40-bit RC4), the same key openssl has', { skip }, () => {
    const password = oneTimePassword();
    for (const weak of [false, true]) {
      const out = join(dir, weak ? 'weak.pvk' : 'strong.pvk');
      run(['rsa', '-in', keyPath, '-outform', 'PVK', ...(weak ? ['-pvk-weak'] : ['-pvk-strong']), '-passout', `pass:${password}`, '-out', out, ...LEGACY]);
      const key = readPvk(readFileSync(out), password);
      assert.equal(modulusOf(key), jwkModulus(profileCert.privateKey!), weak ? 'weak' : 'strong');
      assert.equal(key.bits, 2048);
      assert.throws(() => readPvk(readFileSync(out), `${password}x`), PvkError);
    }
  });

  test('openssl reads the PVK the sandbox returns for CERTPRIVATEKEY, and so does the product, to the same key', { skip }, () => {
    const password = oneTimePassword();
    const pvk = pvkOf(profileCert.privateKey!, password);
    const path = join(dir, 'sandbox.pvk');
    writeFileSync(path, pvk);
    const pem = run(['rsa', '-inform', 'PVK', '-in', path, '-passin', `pass:${password}`, ...LEGACY]).toString();
    assert.equal(jwkModulus(pem), jwkModulus(profileCert.privateKey!));
    assert.equal(modulusOf(readPvk(pvk, password)), jwkModulus(pem));
  });

  test('not a PVK, a truncated one, and a wrong password are named as such', () => {
    assert.throws(() => readPvk(randomBytes(64), 'x'), /not in PVK format/);
    const pvk = pvkOf(profileCert.privateKey!, 'Abc12345');
    assert.throws(() => readPvk(pvk.subarray(0, 100), 'Abc12345'), /past the end/);
    assert.throws(() => readPvk(pvk, 'Abc12346'), /password does not decrypt/);
  });
});

describe('the PKCS#12 sent to the instance', () => {
  test('openssl opens it with its password: the same certificate (same thumbprint) and the matching private key', { skip }, () => {
    const password = oneTimePassword();
    const key = readPvk(pvkOf(profileCert.privateKey!, password), password);
    const pfxPassword = oneTimePassword();
    const pfx = buildPfx({ certificate: certDer, privateKey: key, password: pfxPassword, friendlyName: 'TDECert_Payroll' });
    const path = join(dir, 'cert.pfx');
    writeFileSync(path, pfx);
    const certPem = run(['pkcs12', '-in', path, '-passin', `pass:${pfxPassword}`, '-nokeys', '-clcerts']).toString();
    const fingerprint = run(['x509', '-noout', '-fingerprint', '-sha1'], Buffer.from(certPem)).toString();
    assert.equal(`0x${fingerprint.split('=')[1]!.trim().replace(/:/g, '')}`, certificateThumbprint(certDer));
    const keyPem = run(['pkcs12', '-in', path, '-passin', `pass:${pfxPassword}`, '-nocerts', '-nodes']).toString();
    assert.equal(jwkModulus(keyPem), jwkModulus(profileCert.privateKey!));
    const info = spawnSync('openssl', ['pkcs12', '-in', path, '-passin', `pass:${pfxPassword}`, '-info', '-noout'], { encoding: 'utf8' });
    assert.match(info.stderr + info.stdout, /pbeWithSHA1And3-KeyTripleDES-CBC/);
    assert.match(info.stderr + info.stdout, /MAC: sha1/);
    const wrong = spawnSync('openssl', ['pkcs12', '-in', path, '-passin', 'pass:wrong', '-noout'], { encoding: 'utf8' });
    assert.notEqual(wrong.status, 0, 'a wrong password does not open it');
    assert.deepEqual(readPfx(pfx, pfxPassword), { thumbprints: [certificateThumbprint(certDer)], hasPrivateKey: true });
  });

  test('a private key of another certificate is refused before anything is sent', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = readPvk(pvkOf(other, 'Abc12345'), 'Abc12345');
    assert.throws(() => buildPfx({ certificate: certDer, privateKey: key, password: 'x' }), CertificateMaterialError);
  });

  test('the one-time password: 32 ASCII letters and digits, never twice the same', () => {
    const a = oneTimePassword();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, oneTimePassword());
  });
});
