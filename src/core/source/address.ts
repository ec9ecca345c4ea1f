/**
 * Server addresses as SQL Server tools write them: `host`, `host,port`, `host\instance`, with
 * `tcp:` allowed in front, and `[::1]` or `::1,1433` for IPv6.
 */
export interface ServerAddress {
  host: string;
  port?: number;
  instance?: string;
}

export function parseServerAddress(text: string): ServerAddress {
  let s = text.trim().replace(/^tcp:/i, '');
  if (!s) throw new Error('the server address is empty: write HOST, HOST,PORT or HOST\\INSTANCE');
  let port: number | undefined;
  const comma = s.lastIndexOf(',');
  if (comma >= 0) {
    const p = s.slice(comma + 1).trim();
    if (!/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535) {
      throw new Error(`"${text}": the port after the comma must be a number from 1 to 65535`);
    }
    port = Number(p);
    s = s.slice(0, comma).trim();
  }
  let instance: string | undefined;
  const slash = s.indexOf('\\');
  if (slash >= 0) {
    instance = s.slice(slash + 1);
    s = s.slice(0, slash);
    if (!instance) throw new Error(`"${text}": the instance name after the backslash is empty`);
    if (port !== undefined) instance = undefined; // an explicit port wins, as in SQL Server clients
  }
  const host = s.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error(`"${text}": the host name is empty`);
  if (host === '.' || host.toLowerCase() === '(local)') return { host: 'localhost', ...(port && { port }), ...(instance && { instance }) };
  return { host, ...(port && { port }), ...(instance && { instance }) };
}

export function formatServerAddress(a: ServerAddress): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return a.port ? `${host},${a.port}` : a.instance ? `${host}\\${a.instance}` : host;
}
