// Integration tests wait on real processes and brokers; their own waits carry the precise timeouts.
jest.setTimeout(120_000);
