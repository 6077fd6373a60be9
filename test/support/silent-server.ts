/**
 * Registries that never finish answering, for deadline tests: `accept` takes the TCP connection, reads
 * the request and says nothing; `headers` answers every request with 200 headers (a body length it
 * never sends) and stalls the body. Each records when the last request came in, so a test can time the
 * deadline itself rather than the binary's start-up or the requests that did get answers.
 */
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';

export interface SilentServer {
  /** oci://127.0.0.1:<port>/agents */
  url: string;
  /** http://127.0.0.1:<port> */
  base: string;
  /** Requests received (in `accept` mode: connections that sent something; undici opens idle spares). */
  requests: number;
  /** performance.now() of the last request, once there was one. */
  lastRequestAt: number | undefined;
  close(): Promise<void>;
}

export async function startSilentServer(mode: 'accept' | 'headers'): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const state = { lastRequestAt: undefined as number | undefined, requests: 0 };
  const request = () => {
    state.requests++;
    state.lastRequestAt = performance.now();
  };
  const server =
    mode === 'accept'
      ? createServer((socket) => socket.once('data', request))
      : createHttpServer((req, res) => {
          request();
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
          res.flushHeaders();
          // HEAD answers are complete with their headers; every other one stalls here for ever.
          if (req.method === 'HEAD') res.end();
        });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `oci://127.0.0.1:${port}/agents`,
    base: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get lastRequestAt() {
      return state.lastRequestAt;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
