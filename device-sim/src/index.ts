/** @dwg/device-sim: simulated GPS terminals and badges for device protocol v1, with fault injection. */
export * from './prng';
export * from './world';
export * from './devices';
export * from './faults';
export * from './fleet';
export * from './simulator';
export * from './credentials';
export * from './fixtures';
