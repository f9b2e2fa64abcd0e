/**
 * A TCP relay to a server that a test can shut, as an outage or a network
 * partition would: `shut` drops every relayed connection and refuses the
 * ones that come while shut (each is closed at once); `reopen` lets them
 * through again, on the same port.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpGate {
  private isShut = false;
  /** Each relayed connection: the client's socket and the server's. */
  private readonly links = new Set<readonly [Socket, Socket]>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** A gate on a free loopback port relaying to `host:port`. */
  static async open(host: string, port: number): Promise<TcpGate> {
    let gate: TcpGate | undefined;
    const server = createServer((client) => gate?.relay(client, host, port));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    gate = new TcpGate(server, (server.address() as { port: number }).port);
    return gate;
  }

  /** Drops every relayed connection and refuses new ones until `reopen`; returns how many it dropped. */
  shut(): number {
    this.isShut = true;
    const dropped = this.links.size;
    for (const link of this.links) for (const socket of link) socket.destroy();
    this.links.clear();
    return dropped;
  }

  reopen(): void {
    this.isShut = false;
  }

  /** Shuts the gate for good and stops listening. */
  async stop(): Promise<void> {
    this.shut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, host: string, port: number): void {
    if (this.isShut) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const link = [client, upstream] as const;
    this.links.add(link);
    for (const [from, to] of [link, [upstream, client] as const]) {
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.links.delete(link);
        to.destroy();
      });
    }
  }
}
