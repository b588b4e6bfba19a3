import { DomainError } from './domain-error';
import { contentRange, MAX_PAGE_SIZE, parseListQuery, type ListSpec } from './list-query';

const spec: ListSpec = {
  filters: { type: 'string', passes: 'number', enabled: 'boolean' },
  sortable: ['plate'],
  search: ['plate'],
  timeRanges: ['at'],
};
const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected an error');
};

describe('react-admin simple REST list parameters', () => {
  it('reads sort, inclusive range and filter', () => {
    const q = parseListQuery(spec, {
      sort: '["plate","DESC"]',
      range: '[10,19]',
      filter: '{"type":"sweeper","id":["a","b"]}',
    });
    expect(q).toEqual({
      sort: { plate: -1, _id: -1 },
      skip: 10,
      limit: 10,
      start: 10,
      filter: { $and: [{ type: 'sweeper' }, { _id: { $in: ['a', 'b'] } }] },
    });
  });

  it('maps id sorting to _id and defaults to the first 25', () => {
    expect(parseListQuery(spec, { sort: '["id","ASC"]' })).toMatchObject({
      sort: { _id: 1 },
      skip: 0,
      limit: 25,
    });
  });

  it('matches any of an array of values', () => {
    expect(parseListQuery(spec, { filter: '{"type":["sweeper","washer"]}' }).filter).toEqual({
      type: { $in: ['sweeper', 'washer'] },
    });
  });

  it('refuses a page larger than the cap with a 400 that states the limit', () => {
    const e = err(() => parseListQuery(spec, { range: '[0,999]' }));
    expect(e.status).toBe(400);
    expect(e.message).toBe(`range covers 1000 records; the limit is ${MAX_PAGE_SIZE} per page`);
  });

  it('refuses unknown filter and sort fields, naming the allowed ones', () => {
    expect(err(() => parseListQuery(spec, { filter: '{"operatorId":"x"}' })).message).toMatch(
      /cannot filter by "operatorId"; filterable: id, q, type, passes, enabled, at_gte, at_lte/,
    );
    expect(err(() => parseListQuery(spec, { sort: '["secret","ASC"]' })).message).toMatch(
      /cannot sort by "secret"/,
    );
  });

  it('refuses wrongly typed filter values and bad JSON', () => {
    expect(err(() => parseListQuery(spec, { filter: '{"passes":"two"}' })).message).toBe(
      'filter passes must be a number',
    );
    expect(err(() => parseListQuery(spec, { range: '[0,' })).message).toMatch(/range is not valid JSON/);
  });

  it('caps the span of a time range', () => {
    expect(
      err(() =>
        parseListQuery(spec, { filter: '{"at_gte":"2025-01-01T00:00:00Z","at_lte":"2025-03-01T00:00:00Z"}' }),
      ).message,
    ).toBe('time range on at spans 59.0 days; the limit is 31 days');
    const now = new Date('2025-03-10T00:00:00Z');
    const q = parseListQuery(spec, { filter: '{"at_lte":"2025-03-01T00:00:00Z"}' }, now);
    expect(q.filter).toEqual({
      at: { $gte: new Date('2025-01-29T00:00:00Z'), $lte: new Date('2025-03-01T00:00:00Z') },
    });
  });

  it('escapes the full-text filter', () => {
    expect(parseListQuery(spec, { filter: '{"q":"粤A.1"}' }).filter).toEqual({
      $or: [{ plate: { $regex: '粤A\\.1', $options: 'i' } }],
    });
  });

  it('formats Content-Range', () => {
    expect(contentRange('vehicles', 0, 25, 50)).toBe('vehicles 0-24/50');
    expect(contentRange('vehicles', 50, 0, 50)).toBe('vehicles */50');
  });
});
