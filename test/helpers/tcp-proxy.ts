import net from "node:net";

// A loopback TCP proxy in front of PostgreSQL or Redis, so a test can make a
// dependency "go away" and "come back" without stopping the shared server.
export interface TcpProxy {
  port: number;
  url(template: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  // Stops forwarding without closing anything: a dependency that no longer
  // answers (a hung server, a half-open connection). thaw() resumes.
  freeze(): void;
  thaw(): void;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  let frozen = false;

  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on("close", () => sockets.delete(socket));
          socket.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
        if (frozen) for (const socket of [client, upstream]) socket.pause();
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });

  await listen();
  return {
    get port() {
      return port;
    },
    url(template) {
      const url = new URL(template);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    // Both are idempotent, so a test can restore "up" whatever state it finds.
    async stop() {
      if (!server?.listening) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
    async start() {
      if (!server?.listening) await listen();
    },
    freeze() {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw() {
      frozen = false;
      for (const socket of sockets) socket.resume();
    },
  };
}
