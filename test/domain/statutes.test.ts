import fc from 'fast-check';
import { officialCalendar } from '../../domain/official-calendar';
import { parsePeriod } from '../../domain/periods';
import {
  HOUR_LIMITS,
  hourLimitDeadline,
  LATE_PAYMENT_SURCHARGE,
  STATUTES,
  statuteDeadline,
  statutePeriod,
  surcharge,
  type StatuteKey,
} from '../../domain/statutes';

const cal = officialCalendar();
const keys = Object.keys(STATUTES) as StatuteKey[];

describe('statute table', () => {
  it.each(keys)('%s has a valid period, a title and a source', (key) => {
    const statute = STATUTES[key];
    expect(() => parsePeriod(statute.period)).not.toThrow();
    expect(statute.title).not.toBe('');
    expect(statute.source).toMatch(/号|法/);
  });

  it.each([
    ['legalReview', '7wd', '本政办发〔2019〕34号 第十二条'],
    ['legalReviewExtension', '3wd', '本政办发〔2019〕34号 第十二条'],
    ['disclosePermitOrPenalty', '7wd', '本政办发〔2019〕35号 第二十八条'],
    ['discloseOtherDecision', '20wd', '锦政办发〔2019〕23号 (一)4'],
    ['discloseInspectionResult', '20wd', '本政办发〔2019〕35号 第二十八条'],
    ['updatePreDisclosure', '20wd', '本政办发〔2019〕35号'],
    ['courtApplicationWait', '10wd', '行政强制法 第五十四条'],
    ['substitutePerformanceNotice', '3wd', '行政强制法 第五十一条'],
    ['finePayment', '15d', '行政处罚法 第六十七条'],
    ['courtApplicationWindow', '3m', '行政强制法 第五十三条'],
    ['reconsiderationPeriod', '60d', '行政复议法'],
    ['lawsuitPeriod', '6m', '行政诉讼法 第四十六条'],
    ['takedownNaturalPerson', '2y', '本政办发〔2019〕35号 第二十九条'],
    ['takedownOther', '5y', '本政办发〔2019〕35号 第二十九条'],
    ['archiveCaseFile', '30d', '本政办发〔2019〕33号 第三十二条'],
  ] as const)('%s is %s (%s)', (key, period, source) => {
    expect(STATUTES[key].period).toBe(period);
    expect(STATUTES[key].source).toContain(source);
  });

  it('extends every period someone must meet, and no retention period', () => {
    for (const key of keys) expect(STATUTES[key].extend).toBe(STATUTES[key].effect !== 'retention');
    expect(STATUTES.takedownOther.effect).toBe('retention');
  });

  it('computes a statute’s deadline with its own extension rule', () => {
    expect(statutePeriod('legalReview')).toEqual({ n: 7, unit: 'wd' });
    expect(statuteDeadline(cal, 'legalReview', '2025-09-30').lastDay).toBe('2025-10-16');
    expect(statuteDeadline(cal, 'finePayment', '2025-09-20').lastDay).toBe('2025-10-09');
    expect(statuteDeadline(cal, 'takedownOther', '2020-10-03')).toMatchObject({ lastDay: '2025-10-03', extended: false });
    expect(statuteDeadline(cal, 'takedownNaturalPerson', '2023-10-01')).toMatchObject({ lastDay: '2025-10-01', extended: false });
  });
});

describe('hour limits', () => {
  it('are 24 hours with their sources', () => {
    expect(HOUR_LIMITS.storeAudioVideo).toMatchObject({ hours: 24, source: '本政办发〔2019〕33号 第三十二条' });
    expect(HOUR_LIMITS.approveUrgentStart).toMatchObject({ hours: 24, source: '本政办发〔2019〕33号 第八条' });
  });

  it('run out 24 hours later, shown at +08:00', () => {
    expect(hourLimitDeadline('storeAudioVideo', '2025-09-30T22:15:00+08:00')).toBe('2025-10-01T22:15:00+08:00');
    expect(hourLimitDeadline('approveUrgentStart', '2025-09-30T16:00:00Z')).toBe('2025-10-02T00:00:00+08:00');
  });
});

describe('surcharge (加处罚款)', () => {
  it('is 3% of the fine per day, capped at the fine', () => {
    expect(LATE_PAYMENT_SURCHARGE.percentPerDay).toBe(3);
    expect(surcharge(100_000, 0)).toBe(0);
    expect(surcharge(100_000, 1)).toBe(3_000);
    expect(surcharge(100_000, 10)).toBe(30_000);
    expect(surcharge(100_000, 33)).toBe(99_000);
    expect(surcharge(100_000, 34)).toBe(100_000);
    expect(surcharge(100_000, 10_000)).toBe(100_000);
  });

  it('rounds down to the cent', () => {
    expect(surcharge(333, 1)).toBe(9); // 9.99 cents
    expect(surcharge(Number.MAX_SAFE_INTEGER, 1)).toBe(270_215_977_642_229); // exact, no float drift
  });

  it('refuses nonsense', () => {
    expect(() => surcharge(-1, 1)).toThrow(/fineCents/);
    expect(() => surcharge(1.5, 1)).toThrow(/fineCents/);
    expect(() => surcharge(100, -1)).toThrow(/daysLate/);
  });

  it('grows with the days late and never exceeds the fine', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000_000), fc.nat(100), (fine, days) => {
        expect(surcharge(fine, days)).toBeLessThanOrEqual(fine);
        expect(surcharge(fine, days + 1)).toBeGreaterThanOrEqual(surcharge(fine, days));
      }),
    );
  });
});
