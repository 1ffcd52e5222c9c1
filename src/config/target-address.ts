/**
 * Checks a static or file_sd target address: `host`, `host:port` or `[ipv6]:port`. Returns the
 * reason it is invalid, or null. Prometheus only rejects a `/`; cf-prom also rejects what could
 * never connect, so a typo is found at load rather than as a failing scrape.
 */
export function targetAddressProblem(address: string): string | null {
  if (address === '') return 'empty target address; write host:port';
  if (address.includes('/')) {
    return `${JSON.stringify(address)} is not a valid target address: write host:port (the scheme goes in scheme, the path in metrics_path)`;
  }
  if (/\s/.test(address)) return `${JSON.stringify(address)} is not a valid target address: it contains whitespace`;
  let host: string;
  let port: string | null = null;
  const v6 = /^\[([0-9A-Fa-f:.]+(?:%[^\]]+)?)\](?::(.*))?$/.exec(address);
  if (v6 !== null) {
    host = v6[1] as string;
    port = v6[2] ?? null;
  } else {
    const colons = address.split(':').length - 1;
    if (colons > 1) return `${JSON.stringify(address)} is not a valid target address: put IPv6 addresses in brackets, e.g. [::1]:9100`;
    const i = address.indexOf(':');
    host = i === -1 ? address : address.slice(0, i);
    port = i === -1 ? null : address.slice(i + 1);
    if (!/^[A-Za-z0-9._-]+$/.test(host))
      return `${JSON.stringify(address)} is not a valid target address: invalid host ${JSON.stringify(host)}`;
  }
  if (port !== null && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return `${JSON.stringify(address)} is not a valid target address: port must be 1-65535`;
  }
  return null;
}
