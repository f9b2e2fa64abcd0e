/** @learnchain/membership: the membership protocol's statements, and a client that keeps a node's lease. */
export * from './statements';
export * from './client';
export * from './lease-stream';
export * from './list';
