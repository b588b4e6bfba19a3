// End-to-end tests drive a real browser against a real stack; the waits inside carry the precise timeouts.
jest.setTimeout(240_000);
