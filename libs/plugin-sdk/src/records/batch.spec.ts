import { ChangeRejectedError } from '../errors/dnsgate-errors.js';
import { assertBatchApplicable, chunk } from './batch.js';

const a = (dnsName: string) => ({ dnsName, recordType: 'A', targets: ['192.0.2.1'] });
const none = { create: [], updateOld: [], updateNew: [], delete: [] };

describe('assertBatchApplicable', () => {
  const existing = new Set(['old.example.com|A|']);

  it('accepts a consistent batch', () => {
    expect(() =>
      assertBatchApplicable(
        {
          ...none,
          create: [a('new.example.com')],
          updateOld: [a('old.example.com')],
          updateNew: [a('old.example.com')],
        },
        existing,
      ),
    ).not.toThrow();
  });

  it.each([
    ['a create of an existing record', { ...none, create: [a('old.example.com')] }, /cannot create A old.example.com/],
    [
      'an update of a missing record',
      { ...none, updateOld: [a('x.example.com')], updateNew: [a('x.example.com')] },
      /cannot update A x.example.com/,
    ],
    ['a delete of a missing record', { ...none, delete: [a('x.example.com')] }, /cannot delete A x.example.com/],
    ['the same record twice', { ...none, create: [a('n.example.com'), a('n.example.com')] }, /appears twice/],
  ])('rejects %s, naming the record', (_what, changes, message) => {
    expect(() => assertBatchApplicable(changes, existing)).toThrow(ChangeRejectedError);
    expect(() => assertBatchApplicable(changes, existing)).toThrow(message);
  });
});

describe('chunk', () => {
  it('splits into batches of at most the size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
