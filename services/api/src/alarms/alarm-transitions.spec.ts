import { DomainError } from '../common/domain-error';
import { alarmTransition, allowedActions } from './alarm-transitions';

describe('alarm lifecycle', () => {
  it('goes open → acknowledged → closed, or open → closed', () => {
    expect(alarmTransition('open', 'acknowledge')).toBe('acknowledged');
    expect(alarmTransition('acknowledged', 'close')).toBe('closed');
    expect(alarmTransition('open', 'close')).toBe('closed');
  });

  it('refuses other moves with a 409 naming the allowed ones', () => {
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as DomainError;
      }
      throw new Error('not refused');
    };
    const ack = refused(() => alarmTransition('acknowledged', 'acknowledge'));
    expect(ack.status).toBe(409);
    expect(ack.message).toBe('cannot acknowledge an alarm that is acknowledged; allowed: close');
    expect(refused(() => alarmTransition('closed', 'close')).message).toBe(
      'cannot close an alarm that is closed; allowed: none (it is closed)',
    );
    expect(allowedActions('open')).toEqual(['acknowledge', 'close']);
  });
});
