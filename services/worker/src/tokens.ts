/** Injection tokens for values built in main() before Nest starts. */
export const MONGO = Symbol('MONGO');
export const LOGGER = Symbol('LOGGER');
