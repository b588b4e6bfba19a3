import { contractRulesProblems } from './contract-rules';

describe('contract rules (thresholds)', () => {
  it('accepts partial evidence options and alarm rules', () => {
    expect(
      contractRulesProblems({
        evidence: { coverage: { doneShare: 0.9, maxSpeedKmh: { sweep: 15 } }, post: { offPostMin: 20 } },
        alarms: { offPostMin: 20, overspeedKmh: { sweeper: 25 }, disabled: ['low_battery'] },
      }),
    ).toEqual([]);
    expect(contractRulesProblems(undefined)).toEqual([]);
  });

  it('names each unknown key and each value out of range', () => {
    expect(
      contractRulesProblems({
        evidence: { coverage: { doneshare: 0.9 }, post: { graceMin: -1 } },
        alarms: { offPostMin: '15', disabled: ['fire'] },
        other: 1,
      }),
    ).toEqual([
      'rules.evidence.coverage.doneshare is unknown; known: cellM, bufferM, passGapMin, maxSpeedKmh, maxAccM, doneShare',
      'rules.evidence.post.graceMin must be a number from 0 to 240',
      'rules.alarms.offPostMin must be a number from 1 to 720',
      'rules.alarms.disabled must be a list of alarm types (zone_exit, overspeed, stopped_too_long, off_post, device_offline, sos, low_battery, route_missed, badge_in_vehicle, bin_overflow)',
      'rules.other is unknown; known: evidence, alarms',
    ]);
  });
});
