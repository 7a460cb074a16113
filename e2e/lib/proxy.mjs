// A TCP proxy in front of bureau that counts the bytes on the wire, request
// by request: what a 4G key would actually carry (HTTP headers included,
// TCP/IP headers not). Chromium sends one request at a time on an HTTP/1.1
// connection, so the bytes a server sends belong to the last request line
// seen on that connection; after a WebSocket upgrade, everything on the
// connection is the socket's.

import { createServer, connect } from 'node:net';

export async function startProxy(targetPort) {
  /** @type {{ id: number, path: string, method: string, down: number, up: number, websocket: boolean }[]} */
  const exchanges = [];
  let next = 1;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    let current = null;
    let websocket = false;
    client.on('data', (chunk) => {
      if (!websocket) {
        const text = chunk.toString('latin1');
        const request = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP\/1\.1\r\n/.exec(text);
        if (request) {
          current = { id: next++, method: request[1], path: request[2], down: 0, up: 0, websocket: false, at: Date.now() };
          exchanges.push(current);
          if (/\r\nupgrade: websocket\r\n/i.test(text)) {
            websocket = true;
            current.websocket = true;
          }
        }
      }
      if (current) current.up += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (current) {
        if (current.down === 0 && !current.websocket) {
          const head = chunk.toString('latin1', 0, Math.min(chunk.length, 4096));
          current.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]) || undefined;
          current.encoding = /\r\ncontent-encoding: *([^\r]+)/i.exec(head)?.[1];
        }
        current.down += chunk.length;
      }
      client.write(chunk);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    /** Everything counted so far; `since` is an index into `exchanges`. */
    mark() {
      return exchanges.length;
    },
    /** Waits until no byte has moved for `quietMs` (outside open sockets). */
    async quiet(quietMs = 1500, timeoutMs = 20_000) {
      const total = () => exchanges.filter((e) => !e.websocket).reduce((n, e) => n + e.down + e.up, 0);
      const deadline = Date.now() + timeoutMs;
      let last = total();
      let stableSince = Date.now();
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        const now = total();
        if (now !== last) {
          last = now;
          stableSince = Date.now();
        } else if (Date.now() - stableSince >= quietMs) {
          return;
        }
      }
    },
    close() {
      server.close();
    },
  };
}
