import { dateSerial, nextSerial } from './soa-serial.js';

describe('nextSerial', () => {
  const day = new Date(Date.UTC(2026, 7, 14, 23, 59));

  it('starts a day at YYYYMMDD00', () => {
    expect(dateSerial(day)).toBe(2026081400);
    expect(nextSerial(1, day)).toBe(2026081400);
    expect(nextSerial(2026081314, day)).toBe(2026081400);
  });

  it('counts up within a day and beyond 99 changes', () => {
    expect(nextSerial(2026081400, day)).toBe(2026081401);
    expect(nextSerial(2026081499, day)).toBe(2026081500);
  });

  it('never goes back for a serial ahead of the date', () => {
    expect(nextSerial(3000000000, day)).toBe(3000000001);
  });

  it('wraps at 2^32 as serial arithmetic allows', () => {
    expect(nextSerial(4294967295, day)).toBe(0);
  });
});
