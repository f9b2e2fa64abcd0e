/** @learnchain/core: what every package and service shares. */
export * from './errors';
export * from './bytes';
export * from './hash';
export * from './canonical';
export * from './identity';
export * from './signing';
export * from './statements';
export * from './config';
export * from './logger';
export * from './telemetry';
export * from './tracing';
export * from './service';
export * from './grpc/status';
export * from './grpc/handlers';
export * from './grpc/health';
export * from './grpc/server';
export * from './grpc/client';
