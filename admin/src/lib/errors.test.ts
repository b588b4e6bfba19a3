import { ApiError, apiErrorOf, fieldOf, forFields, toFieldErrors } from './errors';

describe('api validation messages on form fields', () => {
  it('finds the field of class-validator, domain-rule and whitelist messages', () => {
    expect(fieldOf('plate must be a string')).toBe('plate');
    expect(fieldOf('parentId: a grid zone cannot lie under a grid zone')).toBe('parentId');
    expect(fieldOf('property foo should not exist')).toBe('foo');
    expect(fieldOf('kpiTargets.coverageRate must not be greater than 1')).toBe('kpiTargets.coverageRate');
    expect(fieldOf('plate "粤A00001" is already registered')).toBe('plate');
    expect(fieldOf('serviceLine greening is not a service line of contract "c1"')).toBe('serviceLine');
    expect(fieldOf('contract c1 not found')).toBeNull();
    expect(fieldOf('contract "c1" not found')).toBe('contract');
  });

  it('nests dotted fields, joins several messages and keeps the rest as the root error', () => {
    const e = toFieldErrors(
      [
        'plate must be a string',
        'plate should not be empty',
        'kpiTargets.coverageRate must not be greater than 1',
        'contract "c-9" not found',
      ],
      ['plate', 'kpiTargets', 'contractId'],
    );
    expect(e).toEqual({
      plate: 'plate must be a string; plate should not be empty',
      kpiTargets: { coverageRate: 'kpiTargets.coverageRate must not be greater than 1' },
      root: { serverError: 'contract "c-9" not found' },
    });
  });

  it('sends messages about fields the form does not have to the root', () => {
    expect(toFieldErrors(['secret must be a string'], ['plate'])).toEqual({
      root: { serverError: 'secret must be a string' },
    });
  });

  it('builds the error react-admin reads: status, message, body.errors for 400 and 409', () => {
    const bad = apiErrorOf(
      400,
      { statusCode: 400, message: ['name must be a string'], error: 'Bad Request' },
      'x',
    );
    expect(bad.status).toBe(400);
    expect(bad.message).toBe('name must be a string');
    expect(bad.body.errors).toEqual({ name: 'name must be a string' });
    const conflict = apiErrorOf(409, { message: 'plate "粤A12345" is already registered' }, 'Conflict');
    expect(conflict.body.errors).toEqual({ plate: 'plate "粤A12345" is already registered' });
    const transition = apiErrorOf(409, { message: 'cannot close a closed alarm; allowed: none' }, 'Conflict');
    expect(transition.body.errors).toEqual({
      root: { serverError: 'cannot close a closed alarm; allowed: none' },
    });
    const denied = apiErrorOf(403, { message: 'role gov_reviewer may not write zones' }, 'Forbidden');
    expect(denied.body.errors).toBeUndefined();
    expect(apiErrorOf(500, null, 'Internal Server Error').message).toBe('Internal Server Error');
  });

  it("re-maps an error to the form's own fields", () => {
    const e = apiErrorOf(
      400,
      { message: ['name must be a string', 'contract "c-9" not found'] },
      'Bad Request',
    );
    const mapped = forFields(e, ['name', 'contractId']) as ApiError;
    expect(mapped.body.errors).toEqual({
      name: 'name must be a string',
      root: { serverError: 'contract "c-9" not found' },
    });
    expect(mapped.status).toBe(400);
    const plain = new Error('network down');
    expect(forFields(plain, ['name'])).toBe(plain);
  });
});
