/** The registry service, for in-process meshes and tests. */
export { startRegistry, type RunningRegistry } from './main';
export { registryConfig } from './config';
export { Registry } from './registry';
