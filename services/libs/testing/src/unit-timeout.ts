// Unit tests assert behaviour, never speed; on a loaded two-core CI machine a few that run real timers (the
// simulator's) can exceed jest's 5 s default without anything being wrong.
jest.setTimeout(30_000);
